import path from 'node:path';
import { DEFAULT_DATA_DIR } from '../data/dataDir';
import { initEngine } from '../engine/index';
import { runLabel } from '../experiments/expand';
import { getFigure } from '../experiments/figures';
import { ResultStore } from '../experiments/resultStore';
import { runId } from '../experiments/runId';
import { type RunFigureOptions, defaultWorkers, selectRuns, runFigure } from '../experiments/runFigure';
import { readStoredResult } from '../experiments/storedResult';
import { SIGNAL_EXIT_CODES, type StopSignal, type StopWatch, isLaunchedByNpm, stopNotice, watchStopSignals } from '../experiments/stopSignals';
import { terminalProgress } from '../experiments/terminalProgress';
import { ANNOUNCE_SECONDS, estimateTraining } from '../experiments/trainingEstimate';
import type { FigureResult, FigureSpec, ProgressListener, RunConfig, RunResult } from '../experiments/types';
import { type EdgeSettings, readSettings, sharedHelp } from '../options';
import { parseCommandLine } from '../commandLine';
import { seedRange, seedsCount } from '../plots/bands';
import { REPO_ROOT } from '../paths';
import { formatDuration } from '../progressBar';
import { UsageError } from '../usageError';

const HELP = `Usage: iwlab run <figure> [options]

Trains every run of a figure that the result store does not hold yet: finished runs are reused,
unfinished ones resume from their last checkpoint. Ctrl-C or SIGTERM stops cleanly: each run finishes
its current step, keeps its epochs and releases its lock; the summary says what is left (rerun to resume).

${sharedHelp('quick')}
  --retrain      forget stored results of the selected runs and train them afresh
  --list         print the runs (index, id, status, label) and exit; --ids prints the ids alone
  --only ids     run only these run ids (comma-separated, as --list prints them)
  --index n      run only the n-th run of --list (0-based): one task of a Slurm job array
                 (--index $SLURM_ARRAY_TASK_ID) or a Kubernetes Indexed Job ($JOB_COMPLETION_INDEX)
  --csv dir      where the whole figure's CSV files go (default: <repo>/reports/figures, or
                 <results>/csv for a store other than <repo>/results)
  --wait         if another process holds a run, wait for it (or for its lock to go stale) instead
                 of exiting 75; for job-array tasks, whose previous attempt may have died on a lost node
  --stale-lock-minutes m
                 a lock from another host is stale once its heartbeat is this old (default 10)
  --until-epoch n
                 train each run only up to epoch n and stop, resumable: a later run without it
                 continues to the scale's epochs (e.g. --scale paper --until-epoch 2 to time it)

Exit codes (what the store holds when it exits): 0 every run done; 3 a run diverged (final); 75 a
run is trained by another process (retry); 130/143 stopped by SIGINT/SIGTERM (rerun to resume);
2 a bad flag or setting; 1 other errors. Cluster job files: docs/cluster.md.`;

const OWN_OPTIONS = {
  retrain: { type: 'boolean', default: false },
  list: { type: 'boolean', default: false },
  ids: { type: 'boolean', default: false },
  only: { type: 'string' },
  index: { type: 'string' },
  csv: { type: 'string' },
  wait: { type: 'boolean', default: false },
  'stale-lock-minutes': { type: 'string' },
  'until-epoch': { type: 'string' },
} as const;

/** What `iwlab run` was asked to do, checked. */
interface RunRequest {
  spec: FigureSpec;
  settings: EdgeSettings;
  retrain: boolean;
  list: false | 'table' | 'ids';
  only: string | undefined;
  index: string | undefined;
  csvDir: string;
  wait: boolean;
  staleLockMs: number | undefined;
  untilEpoch: number | undefined;
}

export async function main(args: string[]): Promise<void> {
  const request = parseRequest(args);
  if (request === undefined) return console.log(HELP);
  const store = new ResultStore(request.settings.resultsDir, request.staleLockMs === undefined ? {} : { staleLockMs: request.staleLockMs });
  const all = selectRuns(request.spec, request.settings.scale, undefined, request.settings.seeds);
  if (request.list !== false) return listRuns(all, store, request.list);
  const only = selectOnly(request, all);

  const progress = terminalProgress();
  const stop = watchStopSignals({ quitOnSecond: true, watchParent: isLaunchedByNpm(), onStop: (signal, isParentGone) => progress.note(stopNotice(signal, isParentGone)) });
  const started = performance.now();
  try {
    const options = await trainingOptions(request, store, only, stop);
    let result = await trainWaiting(request, options, store, stop.signal, progress);
    result = withStoreState(result, store);
    printSummary(request, result, store, (performance.now() - started) / 1000);
    if (only === undefined && result.runs.some((run) => run.metrics.length > 0)) await writeCsv(result, request.csvDir);
    process.exitCode = exitCode(result.runs.filter((run) => !reachedUntilEpoch(run, request.untilEpoch)), stop.stoppedBy);
  } finally {
    stop.dispose();
  }
}

/** Step 1: flags and environment into a checked request (undefined: --help). */
function parseRequest(args: string[]): RunRequest | undefined {
  const { values, positionals } = parseCommandLine(args, OWN_OPTIONS, '`iwlab run --help`');
  if (values.help) return undefined;
  const [id, ...extra] = positionals;
  if (id === undefined) throw new UsageError(`Name a figure: iwlab run <figure> (the figures: iwlab run --help, or src/experiments/figures.ts).`);
  if (extra.length > 0) throw new UsageError(`Unexpected argument '${extra[0]}': name one figure, and options after it (iwlab run --help).`);
  // --ids alone would otherwise train the whole figure: it only shapes --list's output.
  if (values.ids && !values.list) throw new UsageError(`--ids only changes what --list prints: use iwlab run ${id} --list --ids (nothing was trained).`);
  const spec = getFigure(id);
  const settings = readSettings(values, { defaultScale: 'quick' });
  const staleLockMs = values['stale-lock-minutes'] === undefined ? undefined : parseMinutes(values['stale-lock-minutes']) * 60_000;
  return {
    spec,
    settings,
    retrain: values.retrain,
    list: values.list ? (values.ids ? 'ids' : 'table') : false,
    only: values.only,
    index: values.index,
    csvDir: path.resolve(values.csv ?? defaultCsvDir(settings.resultsDir)),
    wait: values.wait,
    staleLockMs,
    untilEpoch: values['until-epoch'] === undefined ? undefined : parseUntilEpoch(values['until-epoch']),
  };
}

/**
 * The CSVs of the repository's own store go to reports/figures; those of another store (--results,
 * IWLAB_RESULTS) beside it, in <store>/csv, so a scratch or cluster store never overwrites the repository's.
 */
function defaultCsvDir(resultsDir: string): string {
  return path.resolve(resultsDir) === path.resolve(REPO_ROOT, 'results') ? path.join(REPO_ROOT, 'reports', 'figures') : path.join(resultsDir, 'csv');
}

/** Step 2 (--list): the runs with their index, id, status and label, and nothing trained. */
function listRuns(configs: readonly RunConfig[], store: ResultStore, format: 'table' | 'ids'): void {
  // `iwlab run fig --list | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  if (format === 'ids') for (const config of configs) console.log(runId(config));
  else printList(configs, store);
}

/** Step 2: --only or --index narrowed to run ids (undefined: the whole figure). */
function selectOnly(request: RunRequest, all: readonly RunConfig[]): string[] | undefined {
  const { spec, settings } = request;
  let only: string[] | undefined;
  if (request.only !== undefined) only = request.only.split(',').map((value) => value.trim()).filter((value) => value !== '');
  if (request.index !== undefined) {
    if (only) throw new UsageError('Use --only or --index, not both.');
    const index = Number(request.index);
    if (!Number.isInteger(index) || index < 0 || index >= all.length) {
      throw new UsageError(`--index ${request.index} is out of range: ${spec.id} has ${all.length} runs at ${settings.scale} scale${settings.seeds === undefined ? '' : ` with ${settings.seeds} seeds`} (indices 0-${all.length - 1}). Size the job array to match.`);
    }
    only = [runId(all[index]!)];
  }
  if (only !== undefined) selectRuns(spec, settings.scale, only, settings.seeds); // names unknown ids before anything starts
  return only;
}

/** Step 3: the options runFigure gets, after saying how long the training will take if that is long. */
async function trainingOptions(request: RunRequest, store: ResultStore, only: string[] | undefined, stop: StopWatch): Promise<RunFigureOptions> {
  const { spec, settings } = request;
  const configs = selectRuns(spec, settings.scale, only, settings.seeds);
  const backend = (await initEngine(settings.backend === undefined ? {} : { requested: settings.backend })).backend;
  announceEstimate(spec, configs, store, backend, settings.workers ?? defaultWorkers(backend), request.retrain, request.untilEpoch);
  return {
    scale: settings.scale,
    ...(settings.seeds === undefined ? {} : { seeds: settings.seeds }),
    store,
    retrain: request.retrain,
    signal: stop.signal,
    stopOnSigint: false, // this command owns the stop (SIGINT and SIGTERM)
    dataDir: settings.dataDir,
    backend,
    ...(settings.workers === undefined ? {} : { workers: settings.workers }),
    ...(only ? { only } : {}),
    ...(request.untilEpoch === undefined ? {} : { untilEpoch: request.untilEpoch }),
  };
}

/** A training of more than about ten minutes says so before it starts, and where the figure comes from. */
function announceEstimate(spec: FigureSpec, configs: readonly RunConfig[], store: ResultStore, backend: string, workers: number, retrain: boolean, untilEpoch: number | undefined): void {
  const estimate = estimateTraining(configs, store, { backend, workers, retrain, ...(untilEpoch === undefined ? {} : { untilEpoch }) });
  if (estimate.runs === 0) return;
  if (estimate.seconds === undefined) {
    console.error(`${spec.id}: ${estimate.runs} run${estimate.runs === 1 ? '' : 's'} to train, ${estimate.steps.toLocaleString('en')} SGD steps; ${estimate.source}, so the ETA comes after the first epochs.`);
  } else if (estimate.seconds > ANNOUNCE_SECONDS) {
    console.error(
      `${spec.id}: ${estimate.runs} run${estimate.runs === 1 ? '' : 's'} to train, ${estimate.steps.toLocaleString('en')} SGD steps, expected to take about ${formatDuration(estimate.seconds)} ` +
        `on ${estimate.workers} worker${estimate.workers === 1 ? '' : 's'} (${estimate.source}). Ctrl-C stops cleanly; rerunning resumes.`,
    );
  }
}

/** Step 4: trains; with --wait, retries runs held by another process until they are free. */
async function trainWaiting(request: RunRequest, options: RunFigureOptions, store: ResultStore, signal: AbortSignal, progress: ProgressListener): Promise<FigureResult> {
  let result = await runFigure(request.spec, { ...options, onProgress: progress });
  // A run held by another process (a task's previous attempt on a lost node, whose lock goes stale
  // after its heartbeat stops) is retried until it is free, instead of exiting 75.
  const waitUntil = Date.now() + 2 * store.staleLockMs + 60_000;
  for (let locked = result.runs.filter(isLocked); request.wait && locked.length > 0 && !signal.aborted && Date.now() < waitUntil; locked = result.runs.filter(isLocked)) {
    const pollSeconds = Math.min(WAIT_POLL_SECONDS, store.staleLockMs / 2000);
    console.error(`${locked.length} run(s) held by another process; trying again in ${pollSeconds} s (--wait).`);
    await sleep(pollSeconds * 1000, signal);
    result = await runFigure(request.spec, { ...options, retrain: false, onProgress: progress });
  }
  return result;
}

/**
 * Step 5: what the store holds now. A run that was held by another process may have finished there
 * while this one trained the rest: it is reported (and counted in the exit code) as the store has it.
 */
function withStoreState(result: FigureResult, store: ResultStore): FigureResult {
  const runs = result.runs.map((run) => {
    if (run.status === 'done') return run;
    try {
      const stored = readStoredResult(store.run(run.config.figure, run.runId), run.config);
      return stored?.status === 'done' ? stored : run;
    } catch {
      return run; // a damaged store keeps the reason this run stopped
    }
  });
  return { ...result, runs };
}

/** Step 6: one line for the figure, one per run not done, on stdout (progress went to stderr). */
function printSummary(request: RunRequest, result: FigureResult, store: ResultStore, seconds: number): void {
  const count = (status: string) => result.runs.filter((run) => run.status === status).length;
  const { fewest, most } = seedRange(result);
  console.log(
    `${request.spec.id} at ${request.settings.scale} scale (${seedsCount(fewest, most)}): ${result.runs.length} runs, ${count('done')} done, ` +
      `${count('failed')} failed, ${count('stopped')} stopped, in ${seconds.toFixed(1)} s (results in ${store.root})`,
  );
  for (const run of result.runs.filter((r) => r.status !== 'done')) {
    const paused = reachedUntilEpoch(run, request.untilEpoch) ? ` at --until-epoch ${request.untilEpoch} (rerun without it to resume to epoch ${run.config.epochs})` : '';
    console.log(`  ${run.runId}  ${runLabel(run.config)}: ${run.status}${paused}${run.error ? ` (${run.error})` : ''}; ${run.metrics.length} epochs kept`);
  }
  // The loader's hint names `iwlab data <dataset>`; with a data folder of its own, the install must go there too.
  const { dataDir } = request.settings;
  const missing = new Set(result.runs.filter((run) => run.error?.startsWith('MissingDataError')).map((run) => run.config.data.source));
  if (missing.size > 0 && dataDir !== DEFAULT_DATA_DIR) {
    console.log(`Data folder: ${dataDir}. Install there with ${[...missing].map((source) => `\`npx iwlab data ${source} --data ${dataDir}\``).join(' and ')} (or set IWLAB_DATA_DIR for both).`);
  }
}

/** Step 7: the whole figure's CSV files. Lazily: danfojs loads tfjs, which --list never needs. */
async function writeCsv(result: FigureResult, dir: string): Promise<void> {
  const { writeFigureCsv } = await import('../experiments/frames');
  const files = writeFigureCsv(result, dir);
  console.log(`CSV: ${files.metrics}\n     ${files.summary}`);
}

/**
 * Exit codes a scheduler can act on (docs/cluster.md), from what the store holds: 0 every run done
 * (even if a signal came after the last one finished); 130/143 stopped by SIGINT/SIGTERM (rerun to
 * resume); 3 a run diverged (final: rerunning gives the same, so do not retry); 75 a run is held by
 * another process (retry later); 1 anything else (a crash: rerun to resume). 2 is a usage error (cli.ts).
 */
export const EXIT_CODES = { done: 0, error: 1, usage: 2, diverged: 3, locked: 75, ...SIGNAL_EXIT_CODES } as const satisfies Record<string, number>;

function exitCode(runs: readonly RunResult[], stopSignal: StopSignal | undefined): number {
  const unfinished = runs.filter((run) => run.status !== 'done');
  if (unfinished.length === 0) return EXIT_CODES.done;
  if (stopSignal !== undefined) return EXIT_CODES[stopSignal];
  const isDiverged = (run: RunResult) => run.stopReason?.type === 'diverged';
  if (unfinished.every(isDiverged)) return EXIT_CODES.diverged;
  if (unfinished.every((run) => isDiverged(run) || isLocked(run))) return EXIT_CODES.locked;
  return EXIT_CODES.error;
}

const WAIT_POLL_SECONDS = 30;

function isLocked(run: RunResult): boolean {
  return run.stopReason?.type === 'locked';
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function printList(configs: readonly RunConfig[], store: ResultStore): void {
  const rows = configs.map((config, index) => {
    const id = runId(config);
    const run = store.run(config.figure, id);
    const state = run.state();
    let status: string;
    if (state.kind === 'partial') status = `partial ${state.checkpointEpoch}/${config.epochs}`;
    else if (state.kind === 'new') status = 'new';
    else status = state.kind;
    if (state.kind !== 'done' && state.kind !== 'failed' && run.hasLockFile()) status += ' (locked)';
    return [String(index), id, status, runLabel(config)];
  });
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]!.length), ['index', 'run id', 'status'][column]!.length));
  const format = (row: string[]) => row.map((cell, column) => (column < 3 ? cell.padEnd(widths[column]!) : cell)).join('  ');
  console.log(format(['index', 'run id', 'status', 'run']));
  for (const row of rows) console.log(format(row));
}

/** A run stopped by --until-epoch, as asked: unfinished, with every epoch up to n. */
function reachedUntilEpoch(run: RunResult, untilEpoch: number | undefined): boolean {
  return untilEpoch !== undefined && run.status === 'stopped' && run.error === undefined && (run.metrics.at(-1)?.epoch ?? 0) >= untilEpoch;
}

function parseUntilEpoch(value: string): number {
  const epoch = Number(value);
  if (!Number.isInteger(epoch) || epoch < 1) throw new UsageError(`--until-epoch takes a positive whole number of epochs, got '${value}'.`);
  return epoch;
}

function parseMinutes(value: string): number {
  const minutes = Number(value);
  if (!Number.isFinite(minutes) || minutes <= 0) throw new UsageError(`--stale-lock-minutes takes a positive number, got '${value}'.`);
  return minutes;
}
