/** One run's directory in the store (layout: storeLayout.ts). Cheap to create; touches the disk only when asked. */
import fs from 'node:fs';
import path from 'node:path';
import type { EngineProvenance } from '../engine/provenance';
import type { Checkpoint } from '../train/trainer';
import { isNotFound, isTempFile, readJson, removeLeftovers, writeFileAtomic } from './atomicFiles';
import { type CheckpointHeaderInfo, encodeCheckpoint, readCheckpointFile, readCheckpointHeaderFile } from './checkpointFile';
import { contiguousEpochs, MetricsAppender, readMetricsFile } from './metricsFile';
import { RunLock, STALE_LOCK_MARK } from './runLock';
import { StoreAccessError, StoreFormatError } from './storeErrors';
import { RUN_FILES } from './storeLayout';
import type { EngineSession, EpochMetrics, RunConfig } from './types';

/** What is on disk for one run. */
export type StoredRunState =
  | { kind: 'new' }
  /** Metrics for `epochs` epochs; the checkpoint (if any) is at `checkpointEpoch`. */
  | { kind: 'partial'; epochs: number; checkpointEpoch: number }
  | { kind: 'done'; marker: RunMarker }
  | { kind: 'failed'; marker: RunMarker }
  /** A file of the run is unreadable; `message` names it and the fix. */
  | { kind: 'damaged'; message: string };

/** Contents of the `done` file. A failed run (divergence) is final too: it would fail again the same way. */
export interface RunMarker {
  status: 'done' | 'failed';
  /** Epochs with metrics when the run ended. */
  epochs: number;
  error?: string;
  finishedAt: string;
}

/** data.json: the dataset files a run trained on, by path under the data dir, with their md5s. */
export interface RunDataRecord {
  files: Record<string, string>;
}

/** The part of the store a run needs to know: where it is, and how old a remote lock may be. */
export interface RunStoreInfo {
  readonly root: string;
  readonly staleLockMs: number;
}

/** A moved-aside lock younger than this may still be in the middle of another process's take-over. */
const STALE_LOCK_LEFTOVER_MS = 60_000;

export class StoredRun {
  constructor(
    readonly store: RunStoreInfo,
    readonly dir: string,
    readonly id: string,
  ) {}

  get configPath(): string {
    return path.join(this.dir, RUN_FILES.config);
  }
  get metricsPath(): string {
    return path.join(this.dir, RUN_FILES.metrics);
  }
  get checkpointPath(): string {
    return path.join(this.dir, RUN_FILES.checkpoint);
  }
  get markerPath(): string {
    return path.join(this.dir, RUN_FILES.marker);
  }
  get dataRecordPath(): string {
    return path.join(this.dir, RUN_FILES.data);
  }
  get engineRecordPath(): string {
    return path.join(this.dir, RUN_FILES.engine);
  }
  get lockPath(): string {
    return path.join(this.dir, RUN_FILES.lock);
  }

  /** What the store holds; a damaged file gives kind 'damaged' instead of throwing, so listings still work. */
  state(): StoredRunState {
    try {
      const marker = this.readMarker();
      if (marker) return marker.status === 'done' ? { kind: 'done', marker } : { kind: 'failed', marker };
      const epochs = contiguousEpochs(this.readMetrics());
      const checkpointEpoch = this.readCheckpointHeader()?.epoch ?? 0;
      if (epochs === 0 && checkpointEpoch === 0) return { kind: 'new' };
      return { kind: 'partial', epochs, checkpointEpoch };
    } catch (error) {
      if (error instanceof StoreFormatError) return { kind: 'damaged', message: error.message };
      throw error;
    }
  }

  readConfig(): RunConfig | undefined {
    return readJson<RunConfig>(this.configPath);
  }

  /** Writes config.json, or checks that the one there is the same run. */
  ensureConfig(stableText: string): void {
    if (fs.existsSync(this.configPath)) {
      const existing = fs.readFileSync(this.configPath, 'utf8');
      if (existing.trim() !== stableText) {
        throw new StoreFormatError(
          `${this.configPath} holds a different config than run ${this.id} hashes to (a hash collision, or an edited file). ` +
            `Move that directory away and rerun.`,
        );
      }
      return;
    }
    this.makeDir();
    writeFileAtomic(this.configPath, stableText + '\n');
  }

  /** Every complete metrics line, in file order. A torn last line (a kill mid-append) is ignored. */
  readMetrics(): EpochMetrics[] {
    return readMetricsFile(this.metricsPath);
  }

  /** Replaces metrics.jsonl with these lines (atomically): used to drop epochs past the checkpoint. */
  rewriteMetrics(lines: readonly EpochMetrics[]): void {
    this.makeDir();
    writeFileAtomic(this.metricsPath, lines.map((line) => JSON.stringify(line) + '\n').join(''));
  }

  /** Opens metrics.jsonl for appending, first cutting a torn last line off. */
  openMetricsAppender(): MetricsAppender {
    this.makeDir();
    return new MetricsAppender(this.metricsPath);
  }

  writeCheckpoint(checkpoint: Checkpoint): void {
    this.makeDir();
    writeFileAtomic(this.checkpointPath, encodeCheckpoint(checkpoint));
  }

  readCheckpoint(): Checkpoint | undefined {
    return readCheckpointFile(this.checkpointPath);
  }

  /** The checkpoint without its tensors (epoch, snapshots): reads only the header's bytes. */
  readCheckpointHeader(): CheckpointHeaderInfo | undefined {
    return readCheckpointHeaderFile(this.checkpointPath);
  }

  readMarker(): RunMarker | undefined {
    return readJson<RunMarker>(this.markerPath);
  }

  writeMarker(marker: RunMarker): void {
    writeFileAtomic(this.markerPath, JSON.stringify(marker) + '\n');
  }

  readDataRecord(): RunDataRecord | undefined {
    return readJson<RunDataRecord>(this.dataRecordPath);
  }

  writeDataRecord(record: RunDataRecord): void {
    this.makeDir();
    writeFileAtomic(this.dataRecordPath, JSON.stringify(record) + '\n');
  }

  /**
   * engine.json: which backend, TensorFlow version and threads trained the run, one entry per training
   * session (a resumed run may have several). Outside config.json, so the run id does not depend on it.
   * Provenance only: a damaged record reads as none rather than failing the run.
   */
  readEngineSessions(): EngineSession[] | undefined {
    try {
      return readJson<EngineSession[]>(this.engineRecordPath);
    } catch {
      return undefined;
    }
  }

  /** Records the engine of a session starting at `startEpoch`, dropping sessions it replaces (a resume from an earlier checkpoint). */
  recordEngineSession(engine: EngineProvenance, startEpoch: number): void {
    const sessions = [...(this.readEngineSessions() ?? []).filter((session) => session.startEpoch < startEpoch), { ...engine, startEpoch }];
    this.makeDir();
    writeFileAtomic(this.engineRecordPath, JSON.stringify(sessions) + '\n');
  }

  /** Forgets everything but the config (for --retrain); call it while holding the lock. */
  clearResults(): void {
    for (const file of [this.markerPath, this.checkpointPath, this.metricsPath, this.dataRecordPath, this.engineRecordPath]) fs.rmSync(file, { force: true });
  }

  /** True while a lock file exists (a process trains the run, or died doing so: lock() tells which). */
  hasLockFile(): boolean {
    return fs.existsSync(this.lockPath);
  }

  /**
   * Takes the run's lock or throws RunLockedError; a stale lock (dead process, reused pid) is taken
   * over. Then removes what killed writers left in the directory: only the lock holder writes there.
   */
  lock(): RunLock {
    this.makeDir();
    const lock = RunLock.acquire(this.lockPath, this.store.staleLockMs);
    try {
      removeLeftovers(this.dir, (name) => isTempFile(name) || (name.startsWith(`${RUN_FILES.lock}${STALE_LOCK_MARK}`) && ageMs(path.join(this.dir, name)) > STALE_LOCK_LEFTOVER_MS));
    } catch {
      // A leftover that cannot be removed harms nothing; training goes on.
    }
    return lock;
  }

  private makeDir(): void {
    try {
      fs.mkdirSync(this.dir, { recursive: true });
    } catch (error) {
      throw new StoreAccessError(this.store.root, error);
    }
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch (error) {
    if (isNotFound(error)) return 0;
    throw error;
  }
}
