/**
 * What made a run, as the engine chose it in this thread. Its own module, free of tfjs, so the result
 * store can record it without loading an engine (`iwlab run --list` stays fast).
 */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** Stored beside a run's metrics (not in its hashed config, so run ids do not change). */
export interface EngineProvenance {
  backend: BackendName;
  /** tfjs-core's version. */
  tfjs: string;
  /** TensorFlow's version, for the native backends. */
  tensorflow?: string;
  /** Threads one engine computes with: wasm's pool, the native intra-op setting (or all cores), 1 on cpu. */
  threads: number;
}

let chosen: EngineProvenance | undefined;

/** The engine this thread chose; undefined before initEngine has finished (or when none was started). */
export function engineProvenance(): EngineProvenance | undefined {
  return chosen;
}

export function setEngineProvenance(provenance: EngineProvenance): void {
  chosen = provenance;
}

/** One line for tables: "tensorflow 2.21.0, 1 thread", "wasm, 1 thread". */
export function engineLabel(engine: EngineProvenance): string {
  return `${engine.backend}${engine.tensorflow === undefined ? '' : ` ${engine.tensorflow}`}, ${engine.threads} thread${engine.threads === 1 ? '' : 's'}`;
}
