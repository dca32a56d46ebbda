/**
 * Where the store keeps what: results/<figure>/<run-id>/, holding
 *   config.json    the resolved RunConfig (written once; the run id is its hash)
 *   metrics.jsonl  one EpochMetrics line per finished epoch, appended as training goes
 *   checkpoint.bin the latest checkpoint: a JSON header, then the tensors as raw float32
 *   done           the end marker: {"status":"done"|"failed", ...}; present = never train again
 *   data.json      checksums of the dataset files the run trained on (absent for generated data)
 *   engine.json    the engines that trained it (backend, TensorFlow version, threads), one per session
 *   lock           who is training the run now (pid, host, thread), refreshed as a heartbeat
 * Every file except the append-only metrics is replaced atomically (temp file + rename).
 */
import path from 'node:path';

export const RUN_FILES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  checkpoint: 'checkpoint.bin',
  marker: 'done',
  data: 'data.json',
  engine: 'engine.json',
  lock: 'lock',
} as const;

export function figureDirectory(root: string, figure: string): string {
  return path.join(root, figure);
}

export function runDirectory(root: string, figure: string, id: string): string {
  return path.join(figureDirectory(root, figure), id);
}
