/**
 * `npm run notebooks -- [--scale smoke] [--timeout 600] [--out .tmp/notebooks] [notebook.ipynb ...]`
 *
 * Executes notebooks headlessly on the iwlab kernel without Python or Jupyter (scripts/lib/
 * kernelClient.ts speaks the Jupyter protocol itself), one fresh kernel per notebook, with
 * IWLAB_SCALE (and IWLAB_SEEDS with --seeds) set for the parameters cell. Writes each executed notebook to the output folder; on a
 * failure prints the failing cell and the error tslab wrote to its stderr, and exits 1.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseSeeds } from '../src/experiments/expand';
import { KernelClient, REPO_ROOT } from './lib/kernelClient';
import { type ExecutionResult, cleanNotebook, executeNotebook, formatFailure, readNotebook, serializeNotebook } from './lib/notebook';
import { ensureNotebookData } from './lib/notebookData';

const SCALES = ['smoke', 'quick', 'paper'];

const HELP = `Usage: npm run notebooks -- [options] [notebook.ipynb ...]

Executes notebooks (default: every notebooks/*.ipynb) on the iwlab kernel, without Jupyter.
  --scale <smoke|quick|paper>  IWLAB_SCALE for the notebooks (default smoke)
  --seeds <k>                  IWLAB_SEEDS for the notebooks: seeds 0..k-1 per weight, mean and 95%
                               bands (default $IWLAB_SEEDS, else each scale's own count)
  --timeout <seconds>          per-cell limit (default 600)
  --out <dir>                  where executed notebooks go (default .tmp/notebooks)
  --clean                      execute nothing; strip outputs and execution counts in place
                               (notebooks are committed clean; a test checks it)`;

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface RunOptions {
  scale: string;
  /** IWLAB_SEEDS for the parameters cell; default: the environment's, else each scale's own count. */
  seeds?: number;
  cellTimeoutSeconds: number;
  outDir: string;
  log?: (line: string) => void;
}

export interface NotebookRun {
  file: string;
  output: string;
  result: ExecutionResult;
  seconds: number;
}

/** The notebooks under notebooks/, in name order. */
export function defaultNotebooks(): string[] {
  const dir = path.join(REPO_ROOT, 'notebooks');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.ipynb'))
    .sort()
    .map((name) => path.join(dir, name));
}

/** Executes one notebook on a fresh kernel and writes the executed copy to options.outDir. */
export async function runNotebook(file: string, options: RunOptions): Promise<NotebookRun> {
  const notebook = readNotebook(file);
  const started = performance.now();
  const kernel = await KernelClient.start({ env: { ...process.env, IWLAB_SCALE: options.scale, ...(options.seeds === undefined ? {} : { IWLAB_SEEDS: String(options.seeds) }) } });
  let result: ExecutionResult;
  try {
    result = await executeNotebook(notebook, kernel, { cellTimeoutSeconds: options.cellTimeoutSeconds });
  } finally {
    await kernel.shutdown();
  }
  mkdirSync(options.outDir, { recursive: true });
  const output = path.join(options.outDir, path.basename(file));
  writeFileSync(output, serializeNotebook(result.notebook));
  return { file, output, result, seconds: (performance.now() - started) / 1000 };
}

export function parseCli(args: string[]): { files: string[]; options: RunOptions; clean: boolean } | undefined {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      scale: { type: 'string', default: 'smoke' },
      seeds: { type: 'string' },
      timeout: { type: 'string', default: '600' },
      out: { type: 'string', default: path.join(REPO_ROOT, '.tmp', 'notebooks') },
      clean: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return undefined;
  if (!SCALES.includes(values.scale)) throw new UsageError(`Unknown scale '${values.scale}'; use one of ${SCALES.join(', ')}.`);
  const timeout = Number(values.timeout);
  if (!(timeout > 0)) throw new UsageError(`--timeout takes a positive number of seconds, got '${values.timeout}'.`);
  const files = positionals.length > 0 ? positionals.map((file) => path.resolve(file)) : defaultNotebooks();
  if (files.length === 0) throw new UsageError('No notebooks given and none found under notebooks/.');
  const seeds = seedsOption(values.seeds ?? process.env.IWLAB_SEEDS);
  return { files, clean: values.clean, options: { scale: values.scale, ...(seeds === undefined ? {} : { seeds }), cellTimeoutSeconds: timeout, outDir: path.resolve(values.out) } };
}

/** --seeds k, checked as the notebooks will check IWLAB_SEEDS (before any notebook starts). */
export function seedsOption(value: string | undefined): number | undefined {
  try {
    return parseSeeds(value);
  } catch (error) {
    throw new UsageError(`--seeds: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function main(args: string[]): Promise<void> {
  const parsed = parseCli(args);
  if (parsed === undefined) return console.log(HELP);
  if (parsed.clean) {
    for (const file of parsed.files) {
      writeFileSync(file, serializeNotebook(cleanNotebook(readNotebook(file))));
      console.log(`cleaned ${path.relative(process.cwd(), file)}`);
    }
    return;
  }
  // Before any kernel starts: a missing dataset fails (or is fetched from the mirror) at once.
  await ensureNotebookData(parsed.files.map((file) => ({ file, notebook: readNotebook(file) })), { mirror: process.env.IWLAB_DATA_MIRROR || undefined, log: (line) => console.log(line) });
  let failures = 0;
  for (const file of parsed.files) {
    const name = path.relative(process.cwd(), file);
    const run = await runNotebook(file, parsed.options);
    if (run.result.failure) {
      failures += 1;
      console.error(`FAIL ${name} (${run.seconds.toFixed(1)} s, scale ${parsed.options.scale})`);
      console.error(formatFailure(name, run.result.failure));
      console.error(`Partly executed notebook: ${path.relative(process.cwd(), run.output)}\n`);
    } else {
      const cells = run.result.seconds.size;
      console.log(`ok   ${name} (${cells} code cells, ${run.seconds.toFixed(1)} s, scale ${parsed.options.scale}) -> ${path.relative(process.cwd(), run.output)}`);
    }
  }
  if (failures > 0) {
    console.error(`${failures} of ${parsed.files.length} notebooks failed.`);
    process.exitCode = 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    process.exitCode = 1;
  });
}
