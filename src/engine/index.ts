/**
 * Picks the TensorFlow.js backend once per process: tfjs-node-gpu if it loads, then the native
 * engine (tfjs-node, see nativeEngine.ts), then wasm, then cpu. `IWLAB_BACKEND` or `--backend` (read
 * only at the edges and passed in as `requested`) overrides the order. The choice is reported once.
 * The engine's own settings (its folder, the native intra-op threads) come from the environment,
 * because every worker thread starts an engine and TensorFlow itself reads the environment.
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_ENGINE_DIR, applyNativeEnvironment, locateNativeEngine, requireTfjsNode } from './nativeEngine';
import { registerNativeTrainingKernels } from './nativeTraining';
import { type BackendName, type EngineProvenance, setEngineProvenance } from './provenance';
import { registerWasmTrainingKernels } from './wasmTraining';

export type { BackendName, EngineProvenance } from './provenance';
export { engineLabel, engineProvenance } from './provenance';
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

export interface EngineInfo extends EngineProvenance {
  /** Why earlier candidates were skipped, e.g. "tensorflow-gpu: module not installed". */
  skipped: string[];
}

export interface EngineSettings {
  /** Folder holding the installed native engine (default .iwlab/engine; IWLAB_ENGINE_DIR). */
  engineDir: string;
  /** Intra-op threads for the native backends (IWLAB_THREADS, default DEFAULT_INTRA_OP_THREADS). */
  intraOpThreads?: number;
}

/**
 * One intra-op thread per engine, and one worker per core (runFigure's defaultWorkers): cifar-cnn at
 * quick trained in 67.9 s as 2 workers x 1 thread against 154.1 s as 1 worker x 2 threads (idle
 * 2-core machine, best of 2 each, `scripts/bench-sweep.ts --figure cifar-cnn --scale quick`):
 * the figures' small nets gain little from a second intra-op thread (1.2-1.4x in `bench --threads 2`).
 */
export const DEFAULT_INTRA_OP_THREADS = 1;

/** The engine's settings from the environment: IWLAB_ENGINE_DIR and IWLAB_THREADS. */
export function engineSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): EngineSettings {
  const threads = env.IWLAB_THREADS;
  if (threads !== undefined && threads !== '' && !(Number.isInteger(Number(threads)) && Number(threads) > 0)) {
    throw new EngineSettingsError(`IWLAB_THREADS must be a positive integer (the native engine's intra-op threads), got '${threads}'; unset it for the default (${DEFAULT_INTRA_OP_THREADS} per worker).`);
  }
  return {
    engineDir: env.IWLAB_ENGINE_DIR || DEFAULT_ENGINE_DIR,
    intraOpThreads: threads ? Number(threads) : DEFAULT_INTRA_OP_THREADS,
  };
}

export class EngineSettingsError extends Error {
  override name = 'EngineSettingsError';
}

export class BackendUnavailableError extends Error {
  constructor(name: string, reason: string) {
    super(
      `The requested tfjs backend '${name}' is not available here (${reason}). ` +
        `Unset IWLAB_BACKEND to pick the fastest available one, or choose one of: ${BACKEND_ORDER.join(', ')}.`,
    );
    this.name = 'BackendUnavailableError';
  }
}

let selected: Promise<EngineInfo> | undefined;

/**
 * Whether the selected engine may run in several worker threads of one process. False for the native
 * engines iwlab did not build, tfjs-node from node_modules and tfjs-node-gpu: their addon interns op
 * attribute names in a process-wide set without a lock, and parallel workers crash it (bindingPatch.ts).
 */
let parallelSafe = true;

export function parallelWorkersSafe(): boolean {
  return parallelSafe;
}

/** Selects (once) and returns the backend; later calls return the first choice. */
export function initEngine(options: { requested?: string; log?: (line: string) => void; settings?: EngineSettings } = {}): Promise<EngineInfo> {
  selected ??= select(options.requested, options.log ?? noticeOnTerminal, options.settings ?? engineSettingsFromEnv());
  return selected;
}

/**
 * The default notice: only on an interactive terminal. In a notebook or a report a stderr line reads as
 * an error; there the choice is in each run's stored provenance, its tables and the report index.
 */
function noticeOnTerminal(line: string): void {
  if (process.stderr.isTTY) console.error(line);
}

async function select(requested: string | undefined, log: (line: string) => void, settings: EngineSettings): Promise<EngineInfo> {
  if (requested !== undefined && requested !== '' && !BACKEND_ORDER.includes(requested as BackendName)) {
    throw new BackendUnavailableError(requested, 'unknown name');
  }
  const candidates = requested ? [requested as BackendName] : BACKEND_ORDER;
  const skipped: string[] = [];
  for (const name of candidates) {
    const reason = await tryBackend(name, settings);
    if (reason === undefined) {
      const info: EngineInfo = { ...describeBackend(name, settings), skipped };
      const { skipped: _, ...provenance } = info;
      setEngineProvenance(provenance);
      const version = info.tensorflow === undefined ? '' : `, TensorFlow ${info.tensorflow}`;
      log(`[iwlab] tfjs backend: ${name}${version}, ${info.threads} thread${info.threads === 1 ? '' : 's'}${skipped.length ? ` (skipped ${skipped.join('; ')})` : ''}`);
      return info;
    }
    if (requested) throw new BackendUnavailableError(name, reason);
    skipped.push(`${name}: ${reason}`);
  }
  throw new Error('No tfjs backend could be initialised; reinstall dependencies with `npm ci`.');
}

/** Whether a backend loads here, its version and threads, or why not (for `iwlab engine status`). */
export async function probeBackend(name: BackendName, settings: EngineSettings): Promise<{ loads: true; tfjs: string; tensorflow?: string; threads: number } | { loads: false; reason: string }> {
  const reason = await tryBackend(name, settings);
  if (reason !== undefined) return { loads: false, reason };
  const { backend: _, ...rest } = describeBackend(name, settings);
  return { loads: true, ...rest };
}

function describeBackend(name: BackendName, settings: EngineSettings): EngineProvenance {
  const native = name === 'tensorflow' || name === 'tensorflow-gpu';
  const tensorflow = native ? (tf.backend() as unknown as { binding?: { TF_Version?: string } }).binding?.TF_Version : undefined;
  return { backend: name, tfjs: tf.version_core, ...(tensorflow === undefined ? {} : { tensorflow }), threads: backendThreads(name, settings) };
}

function backendThreads(name: BackendName, settings: EngineSettings): number {
  if (name === 'wasm') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm')).getThreadsCount();
  }
  if (name === 'cpu') return 1;
  return settings.intraOpThreads ?? os.availableParallelism();
}

/** Returns undefined on success, else a one-line reason. */
async function tryBackend(name: BackendName, settings: EngineSettings): Promise<string | undefined> {
  try {
    switch (name) {
      case 'tensorflow-gpu': {
        applyNativeEnvironment(settings);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require('@tensorflow/tfjs-node-gpu');
        if (tf.findBackendFactory('tensorflow') === null) return 'native addon not installed';
        registerNativeTrainingKernels();
        if (!(await tf.setBackend('tensorflow'))) return 'native backend failed to initialise';
        parallelSafe = false;
        return undefined;
      }
      case 'tensorflow': {
        const location = locateNativeEngine(settings.engineDir);
        if ('missing' in location) return location.missing;
        applyNativeEnvironment(settings);
        requireTfjsNode(location.packageDir, location.installed);
        if (tf.findBackendFactory('tensorflow') === null) return 'native addon did not register a backend';
        registerNativeTrainingKernels();
        if (!(await tf.setBackend('tensorflow'))) return 'native backend failed to initialise';
        parallelSafe = location.origin === 'engine folder';
        return undefined;
      }
      case 'wasm': {
        const restoreProcessHandlers = rememberProcessHandlers();
        // require, not import(): under tsx's CommonJS hook alone (bin/iwlab, workers) import() goes
        // through Node's ESM loader, and the backend module is large enough to load only when chosen.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require('@tensorflow/tfjs-backend-wasm');
        registerWasmTrainingKernels();
        const ready = await tf.setBackend('wasm');
        restoreProcessHandlers();
        return ready ? undefined : 'wasm backend failed to initialise';
      }
      case 'cpu':
        return (await tf.setBackend('cpu')) ? undefined : 'cpu backend failed to initialise';
    }
  } catch (error) {
    return firstLine(error);
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  if (/Cannot find module/.test(text)) return 'module not installed';
  return text.split('\n')[0] ?? text;
}

/**
 * Emscripten's Node glue (inside tfjs-backend-wasm) adds uncaughtException and unhandledRejection
 * handlers that rethrow from its minified bundle, so every later error prints a 30 kB line of it
 * instead of the error. Returns a function that removes whatever handlers appeared since the call.
 */
function rememberProcessHandlers(): () => void {
  type Listener = (...args: unknown[]) => void;
  const emitter = process as unknown as { listeners(event: string): Listener[]; removeListener(event: string, listener: Listener): void };
  const events = ['uncaughtException', 'unhandledRejection'];
  const before = events.map((event) => new Set(emitter.listeners(event)));
  return () =>
    events.forEach((event, i) => {
      for (const listener of emitter.listeners(event)) if (!before[i]!.has(listener)) emitter.removeListener(event, listener);
    });
}
