/**
 * Picks the TensorFlow.js backend once per process: tfjs-node-gpu if it loads, then tfjs-node,
 * then wasm, then cpu. `IWLAB_BACKEND` (read only at the edges and passed in as `requested`)
 * overrides the order. The choice is reported once.
 */
import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from './wasmTraining';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

export interface EngineInfo {
  backend: BackendName;
  /** Why earlier candidates were skipped, e.g. "tensorflow-gpu: module not installed". */
  skipped: string[];
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

/** Selects (once) and returns the backend; later calls return the first choice. */
export function initEngine(options: { requested?: string; log?: (line: string) => void } = {}): Promise<EngineInfo> {
  selected ??= select(options.requested, options.log ?? ((line) => console.error(line)));
  return selected;
}

async function select(requested: string | undefined, log: (line: string) => void): Promise<EngineInfo> {
  if (requested !== undefined && requested !== '' && !BACKEND_ORDER.includes(requested as BackendName)) {
    throw new BackendUnavailableError(requested, 'unknown name');
  }
  const candidates = requested ? [requested as BackendName] : BACKEND_ORDER;
  const skipped: string[] = [];
  for (const name of candidates) {
    const reason = await tryBackend(name);
    if (reason === undefined) {
      const info = { backend: name, skipped };
      log(`[iwlab] tfjs backend: ${name}${skipped.length ? ` (skipped ${skipped.join('; ')})` : ''}`);
      return info;
    }
    if (requested) throw new BackendUnavailableError(name, reason);
    skipped.push(`${name}: ${reason}`);
  }
  throw new Error('No tfjs backend could be initialised; reinstall dependencies with `npm ci`.');
}

/** Returns undefined on success, else a one-line reason. */
async function tryBackend(name: BackendName): Promise<string | undefined> {
  try {
    switch (name) {
      case 'tensorflow-gpu':
      case 'tensorflow': {
        const moduleName = name === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require(moduleName);
        // danfojs-node's override aliases '@tensorflow/tfjs-node' to plain tfjs, so a successful
        // require proves nothing: the native addon registers a backend called 'tensorflow'.
        if (tf.findBackendFactory('tensorflow') === null) return 'native addon not installed';
        return (await tf.setBackend('tensorflow')) ? undefined : 'native backend failed to initialise';
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
