import path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../cli';
import { parseScale, parseSeeds, runLabel } from '../experiments/expand';
import { getFigure } from '../experiments/figures';
import { ResultStore, defaultResultStore } from '../experiments/resultStore';
import { runId } from '../experiments/runId';
import { type RunFigureOptions, selectRuns, runFigure } from '../experiments/runFigure';
import { terminalProgress } from '../experiments/terminalProgress';
import type { RunConfig, RunResult } from '../experiments/types';
import { seedCount } from '../plots/bands';
import { REPO_ROOT } from '../paths';

const HELP = `Usage: iwlab run <figure> [--scale smoke|quick|paper] [--seeds k] [--retrain] [--workers n]
                 [--list [--ids]] [--only id[,id...]] [--index n] [--results dir] [--csv dir]
                 [--wait] [--stale-lock-minutes m] [--until-epoch n]

Trains every run of a figure that the result store does not hold yet: finished runs are reused,
unfinished ones resume from their last checkpoint. Ctrl-C stops cleanly (run again to resume).

  --scale s      smoke, quick (default: $IWLAB_SCALE, else quick) or paper
  --seeds k      seeds 0..k-1 per weight (default: $IWLAB_SEEDS, else the scale's own count);
                 raising k reuses the seeds already stored
  --retrain      forget stored results of the selected runs and train them afresh
  --workers n    parallel worker threads (default: one per core; 1 on tfjs-node)
  --list         print the runs (index, id, status, label) and exit; --ids prints the ids alone
  --only ids     run only these run ids (comma-separated, as --list prints them)
  --index n      run only the n-th run of --list (0-based): one task of a Slurm job array
                 (--index $SLURM_ARRAY_TASK_ID) or a Kubernetes Indexed Job ($JOB_COMPLETION_INDEX)
  --results dir  the result store (default: $IWLAB_RESULTS, else <repo>/results); share it between tasks
  --csv dir      where the whole figure's CSV files go (default: <repo>/reports/figures)
  --wait         if another process holds a run, wait for it (or for its lock to go stale) instead
                 of exiting 75; for job-array tasks, whose previous attempt may have died on a lost node
  --stale-lock-minutes m
                 a lock from another host is stale once its heartbeat is this old (default 10)
  --until-epoch n
                 train each run only up to epoch n and stop, resumable: a later run without it
                 continues to the scale's epochs (e.g. --scale paper --until-epoch 2 to time it)

Backend: $IWLAB_BACKEND (tensorflow-gpu, tensorflow, wasm, cpu) overrides the automatic choice.
Exit codes: 0 all done, 3 a run diverged (final), 75 a run is trained by another process (retry),
130/143 stopped by SIGINT/SIGTERM (rerun to resume), 1 other errors. Cluster job files: docs/cluster.md.`;

export async function main(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      scale: { type: 'string' },
      seeds: { type: 'string' },
      retrain: { type: 'boolean', default: false },
      workers: { type: 'string' },
      list: { type: 'boolean', default: false },
      ids: { type: 'boolean', default: false },
      only: { type: 'string' },
      index: { type: 'string' },
      results: { type: 'string' },
      csv: { type: 'string' },
      wait: { type: 'boolean', default: false },
      'stale-lock-minutes': { type: 'string' },
      'until-epoch': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return console.log(HELP);
  const [id, ...extra] = positionals;
  if (id === undefined) throw new UsageError(`Name a figure.\n\n${HELP}`);
  if (extra.length > 0) throw new UsageError(`Unexpected argument '${extra[0]}': name one figure, and options after it.\n\n${HELP}`);
  const spec = getFigure(id);
  const scale = parseScale(values.scale ?? process.env.IWLAB_SCALE ?? 'quick');
  const seeds = parseSeeds(values.seeds ?? process.env.IWLAB_SEEDS);
  const resultsDir = values.results ?? process.env.IWLAB_RESULTS;
  const untilEpoch = values['until-epoch'] === undefined ? undefined : parseUntilEpoch(values['until-epoch']);
  const staleLockMs = values['stale-lock-minutes'] === undefined ? undefined : parseMinutes(values['stale-lock-minutes']) * 60_000;
  const store = new ResultStore(resultsDir ? path.resolve(resultsDir) : defaultResultStore().root, staleLockMs === undefined ? {} : { staleLockMs });
  const all = selectRuns(spec, scale, undefined, seeds);

  if (values.list) {
    // `iwlab run fig --list | head` closes the pipe early: that is not an error.
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(0);
      throw error;
    });
    if (values.ids) for (const config of all) console.log(runId(config));
    else printList(all, store);
    return;
  }

  let only: string[] | undefined;
  if (values.only !== undefined) only = values.only.split(',').map((value) => value.trim()).filter((value) => value !== '');
  if (values.index !== undefined) {
    if (only) throw new UsageError('Use --only or --index, not both.');
    const index = Number(values.index);
    if (!Number.isInteger(index) || index < 0 || index >= all.length) {
      throw new UsageError(`--index ${values.index} is out of range: ${spec.id} has ${all.length} runs at ${scale} scale${seeds === undefined ? '' : ` with ${seeds} seeds`} (indices 0-${all.length - 1}). Size the job array to match.`);
    }
    only = [runId(all[index]!)];
  }

  // Ctrl-C (or a scheduler's SIGTERM) once: stop after the current step of every run, keeping its
  // finished epochs. Twice: quit at once.
  const controller = new AbortController();
  let stopSignal: 'SIGINT' | 'SIGTERM' | undefined;
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    if (controller.signal.aborted) process.exit(EXIT_CODES[signal]);
    stopSignal = signal;
    console.error(`\n${signal}: stopping; each run finishes its current step and keeps its epochs (rerun to resume). Again to quit at once.`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const started = performance.now();
  try {
    const options: RunFigureOptions = {
      scale,
      ...(seeds === undefined ? {} : { seeds }),
      store,
      retrain: values.retrain,
      signal: controller.signal,
      ...(values.workers === undefined ? {} : { workers: parseWorkers(values.workers) }),
      ...(only ? { only } : {}),
      ...(untilEpoch === undefined ? {} : { untilEpoch }),
      ...(process.env.IWLAB_BACKEND ? { backend: process.env.IWLAB_BACKEND } : {}),
    };
    let result = await runFigure(spec, { ...options, onProgress: terminalProgress() });
    // --wait: a run held by another process (a task's previous attempt on a lost node, whose lock
    // goes stale after its heartbeat stops) is retried until it is free, instead of exiting 75.
    const waitUntil = Date.now() + 2 * store.staleLockMs + 60_000;
    for (let locked = result.runs.filter(isLocked); values.wait && locked.length > 0 && !controller.signal.aborted && Date.now() < waitUntil; locked = result.runs.filter(isLocked)) {
      const pollSeconds = Math.min(WAIT_POLL_SECONDS, store.staleLockMs / 2000);
      console.error(`${locked.length} run(s) held by another process; trying again in ${pollSeconds} s (--wait).`);
      await sleep(pollSeconds * 1000, controller.signal);
      result = await runFigure(spec, { ...options, retrain: false, onProgress: terminalProgress() });
    }
    const count = (status: string) => result.runs.filter((run) => run.status === status).length;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const k = seedCount(result);
    console.log(`${spec.id} at ${scale} scale (k = ${k} seed${k === 1 ? '' : 's'}): ${result.runs.length} runs, ${count('done')} done, ${count('failed')} failed, ${count('stopped')} stopped, in ${seconds} s (results in ${store.root})`);
    for (const run of result.runs.filter((r) => r.status !== 'done')) {
      const paused = reachedUntilEpoch(run, untilEpoch) ? ` at --until-epoch ${untilEpoch} (rerun without it to resume to epoch ${run.config.epochs})` : '';
      console.log(`  ${run.runId}  ${runLabel(run.config)}: ${run.status}${paused}${run.error ? ` (${run.error})` : ''}; ${run.metrics.length} epochs kept`);
    }
    if (only === undefined && result.runs.some((run) => run.metrics.length > 0)) {
      // Lazily: danfojs loads tfjs, which a --list or a job-array task never needs.
      const { writeFigureCsv } = await import('../experiments/frames');
      const files = writeFigureCsv(result, path.resolve(values.csv ?? path.join(REPO_ROOT, 'reports', 'figures')));
      console.log(`CSV: ${files.metrics}\n     ${files.summary}`);
    }
    process.exitCode = exitCode(result.runs.filter((run) => !reachedUntilEpoch(run, untilEpoch)), store, stopSignal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * Exit codes a scheduler can act on (docs/cluster.md): 0 every run done; 3 a run diverged (final:
 * rerunning gives the same, so do not retry); 75 a run is held by another process (retry later);
 * 130/143 stopped by SIGINT/SIGTERM (rerun to resume); 1 anything else (a crash: rerun to resume).
 */
export const EXIT_CODES = { done: 0, error: 1, diverged: 3, locked: 75, SIGINT: 130, SIGTERM: 143 } as const satisfies Record<string, number>;

function exitCode(runs: readonly RunResult[], store: ResultStore, stopSignal: 'SIGINT' | 'SIGTERM' | undefined): number {
  if (stopSignal !== undefined) return EXIT_CODES[stopSignal];
  const unfinished = runs.filter((run) => run.status !== 'done');
  if (unfinished.length === 0) return EXIT_CODES.done;
  const isDiverged = (run: RunResult) => run.status === 'failed' && store.run(run.config.figure, run.runId).readMarker()?.status === 'failed';
  if (unfinished.every(isDiverged)) return EXIT_CODES.diverged;
  if (unfinished.every((run) => isDiverged(run) || isLocked(run))) return EXIT_CODES.locked;
  return EXIT_CODES.error;
}

const WAIT_POLL_SECONDS = 30;

function isLocked(run: RunResult): boolean {
  return run.status === 'stopped' && (run.error ?? '').startsWith('RunLockedError');
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

function parseWorkers(value: string): number {
  const workers = Number(value);
  if (!Number.isInteger(workers) || workers < 1) throw new UsageError(`--workers takes a positive integer, got '${value}'.`);
  return workers;
}
