/**
 * Prints the compute table (src/experiments/compute.ts) as markdown, for the README and the report index:
 *   npm run compute-table [-- --scale quick[,paper]] [--results dir]
 * It reads the result store only; a figure not trained yet shows its planned runs and steps and '-' for
 * what only a stored run can say.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { computeMarkdown, computeRows } from '../src/experiments/compute';
import { parseScale } from '../src/experiments/expand';
import { FIGURES } from '../src/experiments/figures';
import { ResultStore, defaultResultStore } from '../src/experiments/resultStore';
import { SCALES } from '../src/experiments/types';

function main(): void {
  const { values } = parseArgs({ options: { scale: { type: 'string' }, results: { type: 'string' } } });
  const scales = values.scale === undefined ? SCALES : values.scale.split(',').map((scale) => parseScale(scale.trim()));
  const results = values.results ?? process.env.IWLAB_RESULTS;
  const store = results ? new ResultStore(path.resolve(results)) : defaultResultStore();
  process.stdout.write(computeMarkdown(computeRows(FIGURES, scales, store)));
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
