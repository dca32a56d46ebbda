/**
 * The result store: one directory per run under <root>/<figure>/<run-id>/ (storeLayout.ts). This file
 * holds ResultStore, which finds runs; the parts live beside it, one concept each:
 *   storedRun.ts      one run's directory (state, readers and writers)
 *   runLock.ts        the run lock (who trains a run now; stale locks taken over)
 *   checkpointFile.ts the checkpoint's binary format
 *   metricsFile.ts    metrics.jsonl (append, read, cut a torn tail)
 *   atomicFiles.ts    temp file + rename, JSON reading, leftovers of killed writers
 *   storedResult.ts   a stored run read back as a RunResult
 * A process killed at any moment leaves either the old or the new version of a file, never a torn
 * one (metrics excepted: a torn last line is cut off before the next append).
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../paths';
import { StoreAccessError } from './storeErrors';
import { figureDirectory, runDirectory, RUN_FILES } from './storeLayout';
import { StoredRun } from './storedRun';

// The store's parts, importable from here as before the split.
export { writeFileAtomic } from './atomicFiles';
export { decodeCheckpoint, encodeCheckpoint } from './checkpointFile';
export { contiguousEpochs, MetricsAppender } from './metricsFile';
export { type LockOwner, releaseLocksOfThread, RunLock, RunLockedError } from './runLock';
export { StoreAccessError, StoreFormatError } from './storeErrors';
export { type RunDataRecord, type RunMarker, StoredRun, type StoredRunState } from './storedRun';

/** The store every caller gets unless it passes its own: <repo>/results, found from this file. */
export function defaultResultStore(): ResultStore {
  return new ResultStore(path.join(REPO_ROOT, 'results'));
}

export interface ResultStoreOptions {
  /**
   * A lock whose heartbeat is older than this, held by a process on another host, is stale. Locks
   * from this host are judged by whether their process is alive. Default 10 minutes.
   */
  staleLockMs?: number;
}

export class ResultStore {
  readonly staleLockMs: number;

  constructor(
    readonly root: string,
    options: ResultStoreOptions = {},
  ) {
    this.staleLockMs = options.staleLockMs ?? 10 * 60 * 1000;
  }

  figureDir(figure: string): string {
    return figureDirectory(this.root, figure);
  }

  run(figure: string, id: string): StoredRun {
    return new StoredRun(this, runDirectory(this.root, figure, id), id);
  }

  /** Run ids with a directory under the figure (any scale, any state). */
  listRunIds(figure: string): string[] {
    const dir = this.figureDir(figure);
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(dir, entry.name, RUN_FILES.config)))
      .map((entry) => entry.name)
      .sort();
  }

  /** Throws one StoreAccessError (naming the store and the fix) when the figure's folder cannot be written. */
  checkWritable(figure: string): void {
    const dir = this.figureDir(figure);
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.accessSync(dir, fs.constants.W_OK);
    } catch (error) {
      throw new StoreAccessError(this.root, error);
    }
  }
}
