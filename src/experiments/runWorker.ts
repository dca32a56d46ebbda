/**
 * One run against the result store: lock it, reuse it if another process finished it, resume it from
 * its checkpoint or start it, append each epoch's metrics, checkpoint, and mark it done. The same
 * function runs in-process (workers = 1) and inside each pool worker thread; this file is also the
 * worker's entry point (the message loop at the bottom starts only in a pool worker).
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { FigureData } from '../data/types';
import { engineProvenance } from '../engine/provenance';
import type { Checkpoint } from '../train/trainer';
import type { TrainEpochMetrics, TrainResult } from '../train/types';
import { runLabel } from './expand';
import { contiguousEpochs } from './metricsFile';
import { ResultStore } from './resultStore';
import { runId, stableStringify } from './runId';
import { isReusable, readStoredResult } from './storedResult';
import type { StoredRun } from './storedRun';
import { type RunTrainHooks, epochMetrics, runResult } from './trainRun';
import type { DataSpec, ProgressListener, RunConfig, RunResult } from './types';

/** Trains a run (default trainRun: the real trainer); tests of the store logic may pass a small deterministic one. */
export type TrainFunction = (config: RunConfig, data: FigureData, hooks: RunTrainHooks) => Promise<TrainResult>;
export type LoadDataFunction = (spec: DataSpec, options: { dataDir?: string; seed: number }) => Promise<FigureData>;
/** Checks the data files a run reads and gives their md5s (undefined for generated data); throws on damage. */
export type VerifyDataFunction = (spec: DataSpec, dataDir: string | undefined) => Promise<Record<string, string> | undefined>;

/** Settings that travel to a worker thread as plain data. */
export interface RunSettings {
  retrain?: boolean;
  /** Where the datasets live; default <repo>/data. */
  dataDir?: string;
  /**
   * Checkpoint at most this often (the last epoch, a stop and a failure always checkpoint). Metrics
   * lines are still written every epoch; on resume the epochs after the checkpoint are trained again,
   * with identical numbers. Default 1 s: per-epoch checkpoints would dominate tiny toy epochs.
   */
  checkpointEverySeconds?: number;
  /**
   * Train only up to this epoch (`iwlab run --until-epoch N`): the run stops there unfinished (no done
   * marker, its checkpoint at epoch N) and a later run without it resumes to the scale's epochs. Not
   * hashed: the epochs it trains are those of the full run.
   */
  untilEpoch?: number;
}

export interface ExecuteRunOptions extends RunSettings {
  store: ResultStore;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  train?: TrainFunction;
  loadData?: LoadDataFunction;
  verifyData?: VerifyDataFunction;
}

export interface RunOutcome {
  result: RunResult;
  /** True when the store already held the finished run (possibly finished by another process meanwhile). */
  reused: boolean;
}

const DEFAULT_CHECKPOINT_SECONDS = 1;

export async function executeRun(config: RunConfig, options: ExecuteRunOptions): Promise<RunOutcome> {
  const id = runId(config);
  const run = options.store.run(config.figure, id);
  const lock = run.lock(); // throws RunLockedError while another process trains this run
  try {
    if (options.retrain) run.clearResults();
    // The data is checked before anything trains: missing or damaged files fail this run here, unless
    // the run is finished already (by another process meanwhile, which checked the data it used).
    let checksums: Record<string, string> | undefined;
    let dataError: unknown;
    try {
      checksums = await (options.verifyData ?? verifyRunData)(config.data, options.dataDir);
    } catch (error) {
      dataError = error;
    }
    const stored = readStoredResult(run, config, checksums === undefined ? {} : { currentData: checksums });
    if (stored !== undefined && isReusable(stored)) return { result: stored, reused: true };
    if (dataError !== undefined) throw dataError;
    if (stored?.stopReason?.type === 'stale') {
      // Said once, where it happens; the run then trains from its first epoch.
      console.error(`[iwlab] run ${id} (${runLabel(config)}) is not reused: ${stored.stopReason.message}; training it again.`);
      run.clearResults();
    }
    run.ensureConfig(stableStringify(config));
    const resumeFrom = prepareResume(run);
    if (checksums !== undefined) run.writeDataRecord({ files: checksums });
    const startEpoch = resumeFrom?.checkpoint.epoch ?? 0;
    const engine = engineProvenance();
    if (engine !== undefined) run.recordEngineSession(engine, startEpoch); // undefined: a test's own trainer, no engine started
    // Progress counts the epochs this session trains to: with --until-epoch n, n (the ETA and the bars
    // read 2/1000 as 998 epochs left, and the figure's count went negative).
    const lastEpoch = Math.min(config.epochs, options.untilEpoch ?? config.epochs);
    options.onProgress?.({ type: 'runStart', runId: id, label: runLabel(config), epochs: lastEpoch, startEpoch });

    const train = options.train ?? (await import('./trainRun')).trainRun;
    const loadData = options.loadData ?? (await import('../data/index')).loadFigureData;
    const data = await cachedData(loadData, config.data, { seed: config.seed, ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }) });

    const intervalMs = (options.checkpointEverySeconds ?? DEFAULT_CHECKPOINT_SECONDS) * 1000;
    const metrics = run.openMetricsAppender();
    let pending: Checkpoint | undefined;
    let written = startEpoch;
    let lastWrite = performance.now();
    const flush = () => {
      if (pending === undefined || pending.epoch <= written) return;
      metrics.sync(); // the checkpoint never gets ahead of durable metrics
      run.writeCheckpoint(pending);
      lock.heartbeat();
      written = pending.epoch;
      lastWrite = performance.now();
    };
    let trained: TrainResult | undefined;
    let trainError: unknown;
    try {
      trained = await train(config, data, {
        onEpoch: (trainerLine: TrainEpochMetrics) => {
          const line = epochMetrics(config, trainerLine);
          metrics.append(line);
          options.onProgress?.({ type: 'epochEnd', runId: id, epoch: line.epoch, epochs: lastEpoch, metrics: line });
        },
        onCheckpoint: (checkpoint: Checkpoint) => {
          pending = checkpoint;
          if (checkpoint.epoch >= lastEpoch || performance.now() - lastWrite >= intervalMs) flush();
        },
        ...(resumeFrom ? { resumeFrom } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.untilEpoch === undefined ? {} : { untilEpoch: options.untilEpoch }),
      });
    } catch (error) {
      trainError = error;
    }
    // A stop, a divergence or an exception keeps every finished epoch. A failing flush (a full disk)
    // is reported, unless training already failed: then that error is the one to see.
    try {
      flush();
    } catch (error) {
      trainError ??= error;
    } finally {
      metrics.close();
    }
    if (trainError !== undefined || trained === undefined) throw trainError;
    const labelled = runResult(id, config, trained);
    const sessions = run.readEngineSessions();
    const result: RunResult = { ...labelled, ...stopReasonOfTrained(labelled), ...(sessions === undefined ? {} : { engine: sessions }) };
    if (result.status === 'done' || result.status === 'failed') {
      run.writeMarker({ status: result.status, epochs: result.metrics.length, ...(result.error === undefined ? {} : { error: result.error }), finishedAt: new Date().toISOString() });
    }
    return { result, reused: false };
  } finally {
    lock.release();
  }
}

/** The trainer reports a stop or a divergence by status and text; the store's callers match on a typed reason. */
function stopReasonOfTrained(trained: RunResult): Pick<RunResult, 'stopReason'> {
  if (trained.stopReason !== undefined || trained.status === 'done') return {};
  if (trained.status === 'stopped') return { stopReason: { type: 'interrupted' } };
  // The trainer fails a run only on divergence, in the epoch after its last metrics line.
  return { stopReason: { type: 'diverged', epoch: trained.metrics.length + 1, message: trained.error ?? 'diverged' } };
}

/** The data a run reads, checked against the published checksums (generated data: nothing to check). */
async function verifyRunData(spec: DataSpec, dataDir: string | undefined): Promise<Record<string, string> | undefined> {
  const { verifyDataSource } = await import('../data/verify');
  const { DEFAULT_DATA_DIR } = await import('../data/dataDir');
  return verifyDataSource(spec.source, dataDir ?? DEFAULT_DATA_DIR);
}

/**
 * Where to continue: the checkpoint and the metrics of epochs 1..checkpoint.epoch. Lines past the
 * checkpoint are dropped (they will be trained again); a store whose metrics do not cover the
 * checkpoint (lost by a machine crash) starts over.
 */
function prepareResume(run: StoredRun): RunTrainHooks['resumeFrom'] {
  const lines = run.readMetrics();
  const checkpoint = run.readCheckpoint();
  if (checkpoint && checkpoint.epoch > 0 && contiguousEpochs(lines) >= checkpoint.epoch) {
    const kept = lines.slice(0, checkpoint.epoch);
    if (kept.length !== lines.length) run.rewriteMetrics(kept);
    return { checkpoint, metrics: kept };
  }
  if (lines.length > 0 || checkpoint) run.clearResults();
  return undefined;
}

// Runs of one figure in one worker often share their data (same spec and seed, another weight):
// keep the last one rather than loading CIFAR again.
let lastData: { key: string; data: Promise<FigureData> } | undefined;

function cachedData(loadData: LoadDataFunction, spec: DataSpec, options: { dataDir?: string; seed: number }): Promise<FigureData> {
  const key = stableStringify({ spec, options, loader: loadData.name });
  if (lastData?.key !== key) {
    const data = loadData(spec, options);
    lastData = { key, data };
    data.catch(() => {
      if (lastData?.key === key) lastData = undefined;
    });
  }
  return lastData.data;
}

// ---- Worker thread side: the pool sends one 'run' at a time and may send 'abort'. ----

/** What the pool sends to a worker. */
export type ToWorkerMessage = { type: 'run'; config: RunConfig; storeRoot: string; staleLockMs: number; settings: RunSettings } | { type: 'abort' };

/** What a worker sends back. */
export type FromWorkerMessage =
  | { type: 'ready' }
  | { type: 'progress'; event: Parameters<ProgressListener>[0] }
  | { type: 'outcome'; runId: string; outcome: RunOutcome }
  | { type: 'error'; runId: string; name: string; message: string };

/** workerData of a pool worker. */
export interface RunWorkerData {
  iwlabRunWorker: true;
  backend?: string;
}

async function workerMain(port: NonNullable<typeof parentPort>, data: RunWorkerData): Promise<void> {
  const { initEngine } = await import('../engine/index');
  await initEngine({ ...(data.backend === undefined ? {} : { requested: data.backend }), log: () => undefined });
  let controller = new AbortController();
  const post = (message: FromWorkerMessage) => port.postMessage(message);
  port.on('message', (message: ToWorkerMessage) => {
    if (message.type === 'abort') {
      controller.abort();
      return;
    }
    if (controller.signal.aborted) controller = new AbortController();
    const { config } = message;
    const id = runId(config);
    executeRun(config, {
      ...message.settings,
      store: new ResultStore(message.storeRoot, { staleLockMs: message.staleLockMs }),
      signal: controller.signal,
      onProgress: (event) => post({ type: 'progress', event }),
    }).then(
      (outcome) => post({ type: 'outcome', runId: id, outcome }),
      (error: unknown) => post({ type: 'error', runId: id, name: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) }),
    );
  });
  post({ type: 'ready' });
}

if (!isMainThread && parentPort && (workerData as RunWorkerData | undefined)?.iwlabRunWorker === true) {
  const port = parentPort;
  workerMain(port, workerData as RunWorkerData).catch((error: unknown) => {
    // Engine start-up failed: let the pool see it as a worker error with the reason.
    setImmediate(() => {
      throw error;
    });
  });
}
