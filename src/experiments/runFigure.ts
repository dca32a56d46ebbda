/**
 * runFigure: a figure at one scale is a sweep of independent runs (variant x weight x seed). Finished
 * runs come from the result store at once, unfinished ones resume from their last checkpoint, and the
 * rest train, in parallel worker threads or in this process. Nothing is lost when a run fails or the
 * figure is stopped: the result lists every run with its status and the epochs it finished.
 */
import os from 'node:os';
import { initEngine, parallelWorkersSafe } from '../engine/index';
import { expandRuns } from './expand';
import { getFigure } from './figures';
import { defaultResultStore, type ResultStore } from './resultStore';
import { runId } from './runId';
import { executeRun, type LoadDataFunction, type RunOutcome, type RunSettings, type TrainFunction } from './runWorker';
import { type StopReason, stopReasonOfError } from './stopReason';
import { watchStopSignals } from './stopSignals';
import { isReusable, readStoredResult, unfinishedResult } from './storedResult';
import type { FigureResult, FigureSpec, ProgressEvent, ProgressListener, RunConfig, RunResult, ScaleName } from './types';
import { type PoolOutcome, runInWorkers } from './workerPool';

export interface RunFigureOptions extends RunSettings {
  scale: ScaleName;
  /**
   * Seeds per (variant, weight): runs seeds 0..k-1, overriding the scale's own count (the edges read
   * IWLAB_SEEDS or --seeds). Raising k reuses the runs already stored. Must be a positive integer.
   */
  seeds?: number;
  /** Forget stored results of these runs and train them afresh. */
  retrain?: boolean;
  /**
   * Parallel worker threads. Default: one per core (defaultWorkers); 1 on tfjs-node-gpu (the GPU is one
   * device) and on a native addon iwlab did not patch (parallelWorkersSafe). 1 trains in this process.
   */
  workers?: number;
  /** Default: <repo>/results. */
  store?: ResultStore;
  onProgress?: ProgressListener;
  /** Abort to stop: running runs keep their finished epochs and resume next time. */
  signal?: AbortSignal;
  /**
   * Ctrl-C (SIGINT) while the figure trains stops it the same way, workers included; a second
   * Ctrl-C exits if nothing else handles SIGINT. Default true. In a notebook the kernel's interrupt
   * is a SIGINT, so interrupting the cell stops the workers instead of leaving them training.
   */
  stopOnSigint?: boolean;
  /** Run ids to restrict the figure to (as `iwlab run <figure> --list` prints them). */
  only?: readonly string[];
  /** tfjs backend to request (the edge reads IWLAB_BACKEND); default: the fastest available. */
  backend?: string;
  /** In-process only (workers: 1): replaces the trainer or data loader, for tests of the store logic. */
  train?: TrainFunction;
  loadData?: LoadDataFunction;
}

export class UnknownRunError extends Error {
  override name = 'UnknownRunError';
}

export class RunFigureOptionsError extends Error {
  override name = 'RunFigureOptionsError';
}

export async function runFigure(specOrId: FigureSpec | string, options: RunFigureOptions): Promise<FigureResult> {
  const spec = typeof specOrId === 'string' ? getFigure(specOrId) : specOrId;
  const { scale } = options;
  if ((options.train || options.loadData) && options.workers !== undefined && options.workers > 1) {
    throw new RunFigureOptionsError('A custom train or loadData function runs in-process only: pass workers: 1, or drop the custom function.');
  }
  if (options.untilEpoch !== undefined && !(Number.isInteger(options.untilEpoch) && options.untilEpoch >= 1)) {
    throw new RunFigureOptionsError(`untilEpoch must be a positive whole number of epochs, got ${options.untilEpoch}: pass e.g. untilEpoch: 2 (--until-epoch 2), or leave it out to train every epoch.`);
  }
  const started = performance.now();
  const store = options.store ?? defaultResultStore();
  const emit = safeListener(options.onProgress);
  const configs = selectRuns(spec, scale, options.only, options.seeds);
  const ids = configs.map(runId);

  // The engine is chosen once, also when every run is reused: the figure's plots evaluate small models in
  // this process, and tfjs's default cpu backend is slow at it. Workers ask for the same backend.
  const isCustom = options.train !== undefined || options.loadData !== undefined;
  const backend = isCustom ? undefined : (await initEngine(options.backend === undefined ? {} : { requested: options.backend })).backend;

  // Finished runs first: reused at once.
  const results = new Map<string, RunResult>();
  const fromScratch = new Set<string>(); // stored as finished but not reusable: trained again from epoch 1
  if (!options.retrain) {
    const currentData = await installedDataChecksums(configs, options.dataDir);
    configs.forEach((config, i) => {
      const data = currentData.get(config.data.source);
      const stored = readStoredResult(store.run(spec.id, ids[i]!), config, data === undefined ? {} : { currentData: data });
      if (stored !== undefined && isReusable(stored)) results.set(ids[i]!, stored);
      else if (stored?.stopReason?.type === 'stale') fromScratch.add(ids[i]!);
    });
  }
  const pending = configs.filter((_, i) => !results.has(ids[i]!));
  emit({ type: 'figureStart', figure: spec.id, scale, runs: configs.length, reused: results.size, epochs: epochsToTrain(store, pending, options.retrain === true, fromScratch, options.untilEpoch) });
  for (const id of results.keys()) emit({ type: 'runEnd', runId: id, status: 'reused' });

  // Trains what the store does not hold, in this process or in worker threads; fills `results`.
  const trainPending = async (signal: AbortSignal): Promise<void> => {
    const settings: RunSettings = {
      ...(options.retrain ? { retrain: true } : {}),
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
      ...(options.checkpointEverySeconds === undefined ? {} : { checkpointEverySeconds: options.checkpointEverySeconds }),
      ...(options.untilEpoch === undefined ? {} : { untilEpoch: options.untilEpoch }),
    };
    const workers = options.workers ?? defaultWorkers(backend);
    const finish = (result: RunResult, reused: boolean) => {
      results.set(result.runId, result);
      emit({ type: 'runEnd', runId: result.runId, status: reused ? 'reused' : result.status, ...(result.error === undefined ? {} : { error: result.error }) });
    };
    const unfinished = (config: RunConfig, reason: StopReason) => finish(unfinishedResult(store.run(spec.id, runId(config)), config, reason), false);

    if (workers <= 1 || pending.length === 1) {
      for (const config of pending) {
        if (signal.aborted) {
          unfinished(config, { type: 'interrupted' });
          continue;
        }
        let outcome: RunOutcome;
        try {
          outcome = await executeRun(config, { ...settings, store, onProgress: emit, signal, ...pick(options, 'train', 'loadData') });
        } catch (error) {
          unfinished(config, error instanceof Error ? stopReasonOfError(error) : { type: 'failed', message: String(error) });
          continue;
        }
        finish(outcome.result, outcome.reused);
      }
    } else {
      // Each run is reported as it ends (not when the whole pool is done), so progress counts it then.
      const settle = (config: RunConfig, outcome: PoolOutcome | undefined) => {
        if (results.has(runId(config))) return;
        if (outcome?.kind === 'outcome') finish(outcome.outcome.result, outcome.outcome.reused);
        else if (outcome?.kind === 'error') unfinished(config, stopReasonOfError(outcome));
        else unfinished(config, { type: 'interrupted' });
      };
      const outcomes = await runInWorkers(
        pending.map((config) => ({ config, settings })),
        { size: workers, store, onProgress: emit, onOutcome: (task, outcome) => settle(task.config, outcome), signal, ...(backend === undefined ? {} : { backend }) },
      );
      for (const config of pending) settle(config, outcomes.get(runId(config)));
    }
  };

  // One signal for everything below: the caller's, and Ctrl-C (through the process's one SIGINT owner).
  const controller = new AbortController();
  const stop = () => controller.abort();
  if (options.signal?.aborted) stop();
  options.signal?.addEventListener('abort', stop, { once: true });
  const sigint = options.stopOnSigint !== false && pending.length > 0 ? watchStopSignals({ signals: ['SIGINT'] }) : undefined;
  sigint?.signal.addEventListener('abort', stop, { once: true });
  try {
    if (pending.length > 0) store.checkWritable(spec.id); // one clear line for a read-only store, not one per run
    if (pending.length > 0) await trainPending(controller.signal);
  } finally {
    sigint?.dispose();
    options.signal?.removeEventListener('abort', stop);
  }

  emit({ type: 'figureEnd', figure: spec.id, seconds: (performance.now() - started) / 1000 });
  return { spec, scale, runs: ids.map((id) => results.get(id)!) };
}

/** The figure's runs at this scale (k seeds if given), restricted to `only` (which must name runs of this figure). */
export function selectRuns(spec: FigureSpec, scale: ScaleName, only?: readonly string[], seeds?: number): RunConfig[] {
  const configs = expandRuns(spec, scale, seeds);
  if (only === undefined) return configs;
  const byId = new Map(configs.map((config) => [runId(config), config]));
  const unknown = only.filter((id) => !byId.has(id));
  if (unknown.length > 0) {
    throw new UnknownRunError(
      `${unknown.join(', ')} ${unknown.length === 1 ? 'is not a run' : 'are not runs'} of ${spec.id} at ${scale} scale. ` +
        `List its run ids with \`iwlab run ${spec.id} --scale ${scale}${seeds === undefined ? '' : ` --seeds ${seeds}`} --list\`.`,
    );
  }
  return configs.filter((config) => only.includes(runId(config)));
}

/** One worker per core, except one on a GPU (each worker holds its own engine; the native ones run one intra-op thread each by default). */
export function defaultWorkers(backend: string | undefined): number {
  // One GPU engine at a time; on CPUs one worker per core, each engine on one intra-op thread
  // (DEFAULT_INTRA_OP_THREADS: measured faster), except on a native addon iwlab did not patch.
  if (backend === 'tensorflow-gpu' || !parallelWorkersSafe()) return 1;
  return os.availableParallelism();
}

/** Epochs left over the pending runs (up to untilEpoch), counting resumed runs from their checkpoint (for the ETA). */
function epochsToTrain(store: ResultStore, pending: readonly RunConfig[], retrain: boolean, fromScratch: ReadonlySet<string>, untilEpoch?: number): number {
  return pending.reduce((sum, config) => {
    const last = Math.min(config.epochs, untilEpoch ?? config.epochs);
    if (retrain || fromScratch.has(runId(config))) return sum + last;
    let done = 0;
    try {
      done = store.run(config.figure, runId(config)).readCheckpointHeader()?.epoch ?? 0;
    } catch {
      // An unreadable checkpoint is reported by the run itself; here it only shifts the ETA.
    }
    return sum + Math.max(0, last - done);
  }, 0);
}

/**
 * The checksums of the data installed now, per data source the runs read, for the reuse check. Data
 * that is missing or damaged gives none: finished runs are still reused (nothing trains on it), and
 * a run that must train fails on it with the named error.
 */
async function installedDataChecksums(configs: readonly RunConfig[], dataDir: string | undefined): Promise<Map<string, Record<string, string>>> {
  const { verifyDataSource } = await import('../data/verify');
  const { DEFAULT_DATA_DIR } = await import('../data/dataDir');
  const checksums = new Map<string, Record<string, string>>();
  for (const source of new Set(configs.map((config) => config.data.source))) {
    try {
      const found = await verifyDataSource(source, dataDir ?? DEFAULT_DATA_DIR);
      if (found !== undefined) checksums.set(source, found);
    } catch {
      // Reported by the runs that train on it.
    }
  }
  return checksums;
}

/** A throwing progress listener (a display bug) must never stop training or lose results. */
function safeListener(listener: ProgressListener | undefined): ProgressListener {
  let hasWarned = false;
  return (event: ProgressEvent) => {
    if (!listener) return;
    try {
      listener(event);
    } catch (error) {
      if (!hasWarned) console.error(`[iwlab] progress display failed (${describe(error)}); training continues without it.`);
      hasWarned = true;
    }
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function pick<T extends object, K extends keyof T>(source: T, ...keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}
