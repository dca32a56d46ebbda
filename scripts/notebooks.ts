/**
 * `npm run notebooks -- [--scale smoke] [--timeout 600] [--out .tmp/notebooks] [notebook.ipynb ...]`
 *
 * Executes notebooks headlessly on the iwlab kernel without Python or Jupyter (scripts/lib/
 * kernelClient.ts speaks the Jupyter protocol itself), one fresh kernel per notebook, with
 * IWLAB_SCALE (and IWLAB_SEEDS with --seeds) set for the parameters cell. Writes each executed notebook to the output folder; on a
 * failure prints the failing cell and the error tslab wrote to its stderr, and exits 1.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readSettings } from '../src/options';
import { parseCommandLine } from '../src/commandLine';
import { SIGNAL_EXIT_CODES, isLaunchedByNpm, watchStopSignals } from '../src/experiments/stopSignals';
import { UsageError, describeError, errorExitCode, isDebug } from '../src/usageError';
import { KernelClient, REPO_ROOT } from './lib/kernelClient';
import { type ExecutionResult, cleanNotebook, executeNotebook, formatFailure, readNotebook, serializeNotebook } from './lib/notebook';
import { ensureNotebookData } from './lib/notebookData';

const HELP = `Usage: npm run notebooks -- [options] [notebook.ipynb ...]

Executes notebooks (default: every notebooks/*.ipynb) on the iwlab kernel, without Jupyter.
  --scale <smoke|quick|paper>  IWLAB_SCALE for the notebooks (default $IWLAB_SCALE, else smoke)
  --seeds <k>                  IWLAB_SEEDS for the notebooks: seeds 0..k-1 per weight, mean and 95%
                               bands (default $IWLAB_SEEDS, else each scale's own count)
  --data <dir>                 IWLAB_DATA_DIR for the notebooks (default $IWLAB_DATA_DIR, else <repo>/data)
  --results <dir>              IWLAB_RESULTS for the notebooks (default $IWLAB_RESULTS, else <repo>/results)
  --backend <name>             IWLAB_BACKEND for the notebooks (default $IWLAB_BACKEND, else the fastest)
  --timeout <seconds>          per-cell limit (default 600)
  --out <dir>                  where executed notebooks go (default .tmp/notebooks)
  --clean                      execute nothing; strip outputs and execution counts in place
                               (notebooks are committed clean; a test checks it)`;

export { UsageError } from '../src/usageError';

export interface RunOptions {
  scale: string;
  /** IWLAB_SEEDS for the parameters cell; default: the environment's, else each scale's own count. */
  seeds?: number;
  /** IWLAB_DATA_DIR, IWLAB_RESULTS and IWLAB_BACKEND for the kernel (the notebooks read them through src/index.ts). */
  dataDir?: string;
  resultsDir?: string;
  backend?: string;
  cellTimeoutSeconds: number;
  outDir: string;
  log?: (line: string) => void;
  /** Abort to stop (Ctrl-C, SIGTERM): the kernel is interrupted, given STOP_GRACE_MS to stop its runs, then shut down. */
  signal?: AbortSignal;
}

/** After an interrupt, how long the kernel's runs get to stop after their current step and release their locks. */
export const STOP_GRACE_MS = 5000;

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
  const kernel = await KernelClient.start({ env: kernelEnv(options) });
  // A SIGTERM (or a launcher gone) reaches this process only; a Ctrl-C reached the kernel too. Either
  // way the kernel is interrupted (runFigure there stops its runs) and is not shut down under them.
  const interrupt = () => kernel.interrupt();
  options.signal?.addEventListener('abort', interrupt, { once: true });
  let result: ExecutionResult;
  try {
    result = await executeNotebook(notebook, kernel, { cellTimeoutSeconds: options.cellTimeoutSeconds });
  } finally {
    options.signal?.removeEventListener('abort', interrupt);
    if (options.signal?.aborted) await new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS));
    await kernel.shutdown();
  }
  mkdirSync(options.outDir, { recursive: true });
  const output = path.join(options.outDir, path.basename(file));
  writeFileSync(output, serializeNotebook(result.notebook));
  return { file, output, result, seconds: (performance.now() - started) / 1000 };
}

/** The kernel's environment: the settings this script resolved, passed on by name. */
export function kernelEnv(options: RunOptions, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...env,
    IWLAB_SCALE: options.scale,
    ...(options.seeds === undefined ? {} : { IWLAB_SEEDS: String(options.seeds) }),
    ...(options.dataDir === undefined ? {} : { IWLAB_DATA_DIR: options.dataDir }),
    ...(options.resultsDir === undefined ? {} : { IWLAB_RESULTS: options.resultsDir }),
    ...(options.backend === undefined ? {} : { IWLAB_BACKEND: options.backend }),
  };
}

export function parseCli(args: string[]): { files: string[]; options: RunOptions; clean: boolean } | undefined {
  const { values, positionals } = parseCommandLine(
    args,
    {
      timeout: { type: 'string', default: '600' },
      out: { type: 'string', default: path.join(REPO_ROOT, '.tmp', 'notebooks') },
      clean: { type: 'boolean', default: false },
    },
    '`npm run notebooks -- --help`',
    ['scale', 'seeds', 'data', 'results', 'backend'],
  );
  if (values.help) return undefined;
  // IWLAB_SCALE is honoured (and checked) like --scale; smoke only when neither says.
  const settings = readSettings(values, { defaultScale: 'smoke' });
  const timeout = Number(values.timeout);
  if (!(timeout > 0)) throw new UsageError(`--timeout takes a positive number of seconds, got '${values.timeout}'.`);
  const files = positionals.length > 0 ? positionals.map((file) => checkNotebook(path.resolve(file))) : defaultNotebooks();
  if (files.length === 0) throw new UsageError('No notebooks given and none found under notebooks/.');
  const options: RunOptions = {
    scale: settings.scale,
    ...(settings.seeds === undefined ? {} : { seeds: settings.seeds }),
    dataDir: settings.dataDir,
    resultsDir: settings.resultsDir,
    ...(settings.backend === undefined ? {} : { backend: settings.backend }),
    cellTimeoutSeconds: timeout,
    outDir: path.resolve(values.out),
  };
  return { files, clean: values.clean, options };
}

/** A notebook named on the command line must be a file (else: which one, and where they are). */
function checkNotebook(file: string): string {
  const shown = path.relative(process.cwd(), file) || file;
  if (!existsSync(file)) throw new UsageError(`No notebook at ${shown}: check the name (the notebooks are notebooks/*.ipynb).`);
  if (!statSync(file).isFile()) throw new UsageError(`${shown} is a folder, not a notebook: name its .ipynb files.`);
  return file;
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
  const stop = watchStopSignals({
    quitOnSecond: true,
    watchParent: isLaunchedByNpm(),
    onStop: (signal) => console.error(`\n${signal}: stopping; the running notebook's runs keep their epochs (rerun to resume), no further notebook starts. Again to quit at once.`),
  });
  try {
    for (const file of parsed.files) {
      if (stop.signal.aborted) break;
      failures += await runOne(file, parsed.options, stop.signal);
    }
  } finally {
    stop.dispose();
  }
  if (stop.stoppedBy !== undefined) {
    console.error(`Stopped by ${stop.stoppedBy}; rerun to go on (finished runs are reused).`);
    process.exitCode = SIGNAL_EXIT_CODES[stop.stoppedBy];
  } else if (failures > 0) {
    console.error(`${failures} of ${parsed.files.length} notebooks failed.`);
    process.exitCode = 1;
  }
}

/** Executes one notebook and reports it; 1 if it failed. */
async function runOne(file: string, options: RunOptions, signal: AbortSignal): Promise<number> {
  const name = path.relative(process.cwd(), file);
  const run = await runNotebook(file, { ...options, signal });
  const where = `${run.seconds.toFixed(1)} s, scale ${options.scale}`;
  if (signal.aborted) {
    console.error(`STOPPED ${name} (${where}); partly executed notebook: ${path.relative(process.cwd(), run.output)}`);
    return 0;
  }
  if (run.result.failure) {
    console.error(`FAIL ${name} (${where})`);
    console.error(formatFailure(name, run.result.failure));
    console.error(`Partly executed notebook: ${path.relative(process.cwd(), run.output)}\n`);
    return 1;
  }
  console.log(`ok   ${name} (${run.result.seconds.size} code cells, ${where}) -> ${path.relative(process.cwd(), run.output)}`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(describeError(error, isDebug(process.argv)));
    process.exitCode = errorExitCode(error);
  });
}
