/**
 * Runs a figure's runs in parallel worker threads, one tfjs engine per worker. Each worker takes one
 * run at a time from a shared queue; outcomes come back keyed by run id. A run that throws, or a
 * worker that crashes, fails that run only (the crashed worker is replaced). An abort stops every
 * worker cleanly: queued runs are not started, running ones stop after their current step and keep
 * their finished epochs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SHARE_ENV, Worker } from 'node:worker_threads';
import { releaseLocksOfThread, type ResultStore } from './resultStore';
import { runId } from './runId';
import type { FromWorkerMessage, RunOutcome, RunSettings, RunWorkerData, ToWorkerMessage } from './runWorker';
import type { ProgressListener, RunConfig } from './types';

export interface PoolTask {
  config: RunConfig;
  settings: RunSettings;
}

export type PoolOutcome =
  | { kind: 'outcome'; outcome: RunOutcome }
  /** The run threw (a bad config, missing data, a crashed worker): which error, in words. */
  | { kind: 'error'; name: string; message: string }
  /** Aborted before it started. */
  | { kind: 'notStarted' };

export interface WorkerPoolOptions {
  /** Worker threads; more than there are tasks are never started. */
  size: number;
  store: ResultStore;
  /** The backend each worker asks initEngine for (pass the one the main thread chose). */
  backend?: string;
  onProgress?: ProgressListener;
  /** Called as each task's outcome is known (the progress display counts the run then). */
  onOutcome?: (task: PoolTask, outcome: PoolOutcome) => void;
  signal?: AbortSignal;
  /** After an abort, how long a running worker may take to stop before it is terminated (default 30 s). */
  stopGraceMs?: number;
  /** The worker script (a .ts source or compiled .js); default runWorker beside this file. */
  entry?: string;
}

// A worker runs TypeScript sources whether its parent was started by tsx (the CLI), by Node's test
// runner with --import tsx, or by tslab (which compiles notebook code in memory and has no loader a
// worker could inherit). It registers tsx's CommonJS hook (for require) and its ESM hook (for the
// sources' dynamic import()) itself, then loads the entry. Measured on Node 20: `--import tsx` in a
// worker's execArgv leaves dynamic imports unhooked, and tsx's CommonJS build of the ESM API cannot
// find its own files, hence the import() of the ESM build. execArgv: [] makes all three start alike.
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
if (workerData.tsx === undefined) {
  require(workerData.entry);
} else {
  require(workerData.tsx.cjs).register();
  import(workerData.tsx.esm).then((api) => {
    api.register();
    require(workerData.entry);
  });
}
`;

/** Where tsx's CommonJS and ESM register APIs live (the ESM one through its "import" export). */
function tsxApis(): { cjs: string; esm: string } {
  const packageJson = require.resolve('tsx/package.json');
  const { exports } = JSON.parse(fs.readFileSync(packageJson, 'utf8')) as { exports: Record<string, { import?: { default?: string } }> };
  const esm = exports['./esm/api']?.import?.default;
  if (esm === undefined) throw new Error(`tsx at ${path.dirname(packageJson)} has no ./esm/api export; reinstall dependencies (npm ci).`);
  return { cjs: require.resolve('tsx/cjs/api'), esm: pathToFileURL(path.join(path.dirname(packageJson), esm)).href };
}

interface Slot {
  worker: Worker;
  isReady: boolean;
  task: PoolTask | undefined;
  exited: boolean;
}

export function runInWorkers(tasks: readonly PoolTask[], options: WorkerPoolOptions): Promise<Map<string, PoolOutcome>> {
  const outcomes = new Map<string, PoolOutcome>();
  const queue = tasks.slice();
  const slots: Slot[] = [];
  const entry = options.entry ?? workerEntry();
  const tsx = entry.endsWith('.ts') ? tsxApis() : undefined;
  let startupError: string | undefined;
  let isAborted = false;
  let graceTimer: ReturnType<typeof setTimeout> | undefined;

  return new Promise((resolve) => {
    const settle = () => {
      if (outcomes.size < tasks.length || slots.some((slot) => !slot.exited)) return;
      if (graceTimer !== undefined) clearTimeout(graceTimer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(outcomes);
    };

    const record = (task: PoolTask, outcome: PoolOutcome) => {
      outcomes.set(runId(task.config), outcome);
      options.onOutcome?.(task, outcome);
    };

    const dispatch = (slot: Slot) => {
      const task = isAborted ? undefined : queue.shift();
      if (task === undefined) {
        void slot.worker.terminate();
        return;
      }
      slot.task = task;
      const message: ToWorkerMessage = { type: 'run', config: task.config, settings: task.settings, storeRoot: options.store.root, staleLockMs: options.store.staleLockMs };
      slot.worker.postMessage(message);
    };

    const failQueued = (reason: string) => {
      for (const task of queue.splice(0)) record(task, { kind: 'error', name: 'WorkerStartError', message: reason });
    };

    const spawn = () => {
      const data: RunWorkerData & { entry: string; tsx?: { cjs: string; esm: string } } = { iwlabRunWorker: true, entry, ...(tsx ? { tsx } : {}), ...(options.backend === undefined ? {} : { backend: options.backend }) };
      // SHARE_ENV: the native engine sets TensorFlow's thread and log variables before it loads, and
      // TensorFlow reads the process environment, which a worker's private copy would not reach.
      const worker = new Worker(BOOTSTRAP, { eval: true, execArgv: [], workerData: data, env: SHARE_ENV });
      const threadId = worker.threadId; // reads -1 once the thread has exited
      const slot: Slot = { worker, isReady: false, task: undefined, exited: false };
      slots.push(slot);
      worker.on('message', (message: FromWorkerMessage) => {
        switch (message.type) {
          case 'ready':
            slot.isReady = true;
            dispatch(slot);
            break;
          case 'progress':
            options.onProgress?.(message.event);
            break;
          case 'outcome':
          case 'error': {
            const task = slot.task;
            slot.task = undefined;
            if (task) record(task, message.type === 'outcome' ? { kind: 'outcome', outcome: message.outcome } : { kind: 'error', name: message.name, message: message.message });
            dispatch(slot);
            break;
          }
        }
      });
      let crash: string | undefined;
      worker.on('error', (error) => {
        crash = `${error.name}: ${error.message}`;
      });
      worker.on('exit', (code) => {
        slot.exited = true;
        const task = slot.task;
        slot.task = undefined;
        if (task) {
          // The worker died under this run: fail it alone, free its lock, and carry on with a fresh worker.
          if (isAborted && crash === undefined) {
            record(task, { kind: 'error', name: 'WorkerStoppedError', message: 'The run did not stop within the grace period and its worker was terminated; its checkpointed epochs are kept, rerun to resume.' });
          } else {
            const reason = crash ?? `the worker thread exited with code ${code}`;
            record(task, { kind: 'error', name: 'WorkerCrashError', message: `Worker crashed while training this run (${reason}). Its finished epochs are kept; rerun the figure to resume it.` });
          }
          releaseLocksOfThread(options.store.run(task.config.figure, runId(task.config)).dir, threadId);
          if (!isAborted && queue.length > 0) spawn();
        } else if (!slot.isReady) {
          // Start-up failed (the engine did not load): a replacement would fail the same way.
          startupError = crash ?? `the worker thread exited with code ${code} before it was ready`;
          if (slots.every((other) => other.exited)) failQueued(`No worker could start (${startupError}). Run with workers: 1 to see the full error.`);
        }
        settle();
      });
    };

    const onAbort = () => {
      isAborted = true;
      for (const task of queue.splice(0)) record(task, { kind: 'notStarted' });
      const stop: ToWorkerMessage = { type: 'abort' };
      for (const slot of slots) {
        if (slot.exited) continue;
        if (slot.task) slot.worker.postMessage(stop);
        else void slot.worker.terminate();
      }
      graceTimer = setTimeout(() => {
        for (const slot of slots) if (!slot.exited) void slot.worker.terminate();
      }, options.stopGraceMs ?? 30_000);
      settle();
    };

    if (tasks.length === 0) return resolve(outcomes);
    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const size = Math.max(1, Math.min(options.size, tasks.length));
    for (let i = 0; i < size; i++) spawn();
  });
}

/**
 * The worker entry, beside this file. Under tsx it is runWorker.ts; tslab compiles this module in
 * memory and names it workerPool.js, but the worker must load the source from disk.
 */
function workerEntry(): string {
  const candidates = [`runWorker${path.extname(__filename)}`, 'runWorker.ts', 'runWorker.js'].map((name) => path.join(__dirname, name));
  const found = candidates.find((file) => fs.existsSync(file));
  if (found === undefined) throw new Error(`The worker entry is missing (looked for ${candidates.join(', ')}); reinstall iwlab or pass workers: 1.`);
  return found;
}
