import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../cli';
import { initEngine } from '../engine/index';
import { formatWeight, parseScale, parseSeeds } from '../experiments/expand';
import { getFigure } from '../experiments/figures';
import { runFigure } from '../experiments/runFigure';
import { terminalProgress } from '../experiments/terminalProgress';
import { standaloneHtml } from '../plots/html';
import { seedCount, seedsNote } from '../plots/bands';
import { figurePlots } from '../plots/index';
import { REPO_ROOT } from '../paths';

const HELP = `Usage: iwlab figure <figure-id> [--scale smoke|quick|paper] [--seeds k] [--out file.html] [--retrain] [--workers n]
                          [--backend tensorflow|wasm|cpu|tensorflow-gpu]

Trains (or reuses from results/) every run of one figure and writes the figure as a standalone HTML
file, plotly.js inlined, no Jupyter needed. Default scale: $IWLAB_SCALE, else quick. --seeds k runs
seeds 0..k-1 per weight (default: $IWLAB_SEEDS, else the scale's own count) and draws their mean
with a 95% t-interval band. --backend (default: $IWLAB_BACKEND, else the fastest that loads).`;

export async function main(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      scale: { type: 'string' },
      seeds: { type: 'string' },
      out: { type: 'string' },
      retrain: { type: 'boolean', default: false },
      workers: { type: 'string' },
      backend: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return console.log(HELP);
  const [id] = positionals;
  if (id === undefined) throw new UsageError(`Name a figure.\n\n${HELP}`);
  const spec = getFigure(id);
  const scale = parseScale(values.scale ?? process.env.IWLAB_SCALE ?? 'quick');
  const seeds = parseSeeds(values.seeds ?? process.env.IWLAB_SEEDS);
  const workers = values.workers === undefined ? undefined : parseWorkers(values.workers);

  const started = performance.now();
  const backend = values.backend || process.env.IWLAB_BACKEND || undefined;
  await initEngine({ requested: backend }); // the plots evaluate small models in this process too
  const result = await runFigure(spec, { scale, seeds, retrain: values.retrain, workers, backend, onProgress: terminalProgress() });
  const failed = result.runs.filter((run) => run.status !== 'done');

  const out = path.resolve(values.out ?? path.join(REPO_ROOT, 'reports', 'figures', `${spec.id}-${scale}.html`));
  mkdirSync(path.dirname(out), { recursive: true });
  const notes = failed.map((run) => `Run ${run.config.variant}, weight ${formatWeight(run.config.classWeight)}, seed ${run.config.seed}: ${run.status}${run.error ? ` (${run.error})` : ''}`);
  writeFileSync(out, standaloneHtml(figurePlots(result), { title: `${spec.title} (${scale} scale, ${seedsNote(seedCount(result))})`, notes: [spec.description, ...notes].join('\n\n') }));
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`${spec.id} at ${scale} scale: ${result.runs.length - failed.length}/${result.runs.length} runs done in ${seconds} s -> ${out}`);
  if (failed.length > 0) process.exitCode = 1;
}

function parseWorkers(value: string): number {
  const workers = Number(value);
  if (!Number.isInteger(workers) || workers < 1) throw new UsageError(`--workers takes a positive integer, got '${value}'.`);
  return workers;
}
