/**
 * The result store: one directory per run, results/<figure>/<run-id>/, holding
 *   config.json    the resolved RunConfig (written once; the run id is its hash)
 *   metrics.jsonl  one EpochMetrics line per finished epoch, appended as training goes
 *   checkpoint.bin the latest checkpoint: a JSON header, then the tensors as raw float32
 *   done           the end marker: {"status":"done"|"failed", ...}; present = never train again
 *   lock           who is training the run now (pid, host, thread), refreshed as a heartbeat
 * Every file except the append-only metrics is replaced atomically (temp file + rename), so a process
 * killed at any moment leaves either the old or the new version, never a torn one. Metrics lines past
 * the checkpoint's epoch are dropped on resume (training them again gives the same numbers).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { REPO_ROOT } from '../paths';
import type { Checkpoint, SavedTensor } from '../train/trainer';
import type { EpochMetrics, RunConfig, Snapshot } from './types';

/** The store every caller gets unless it passes its own: <repo>/results, found from this file. */
export function defaultResultStore(): ResultStore {
  return new ResultStore(path.join(REPO_ROOT, 'results'));
}

/** What is on disk for one run. */
export type StoredRunState =
  | { kind: 'new' }
  /** Metrics for `epochs` epochs; the checkpoint (if any) is at `checkpointEpoch`. */
  | { kind: 'partial'; epochs: number; checkpointEpoch: number }
  | { kind: 'done'; marker: RunMarker }
  | { kind: 'failed'; marker: RunMarker };

/** Contents of the `done` file. A failed run (divergence) is final too: it would fail again the same way. */
export interface RunMarker {
  status: 'done' | 'failed';
  /** Epochs with metrics when the run ended. */
  epochs: number;
  error?: string;
  finishedAt: string;
}

export interface LockOwner {
  pid: number;
  host: string;
  threadId: number;
  startedAt: string;
  /** Random, so a lock can be told apart from a later one by the same process. */
  token: string;
}

export class RunLockedError extends Error {
  override name = 'RunLockedError';
  constructor(
    readonly lockPath: string,
    readonly owner: LockOwner | undefined,
  ) {
    const who = owner ? `process ${owner.pid} on ${owner.host} (since ${owner.startedAt})` : 'another process';
    super(
      `The run at ${path.dirname(lockPath)} is being trained by ${who}. Wait for it to finish and rerun; ` +
        `if that process is gone (a machine that died), delete ${lockPath}.`,
    );
  }
}

export class StoreFormatError extends Error {
  override name = 'StoreFormatError';
}

const CHECKPOINT_MAGIC = 'IWCK';
const CHECKPOINT_VERSION = 1;

interface TensorEntry {
  shape: number[];
  /** Offset into the float32 data, in elements. */
  offset: number;
  length: number;
}

interface CheckpointHeader {
  version: number;
  epoch: number;
  rng: Checkpoint['rng'];
  wallTime: number;
  snapshots: Snapshot[];
  params: TensorEntry[];
  buffers: TensorEntry[];
  optimizer: TensorEntry[];
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
    return path.join(this.root, figure);
  }

  run(figure: string, id: string): StoredRun {
    return new StoredRun(this, path.join(this.figureDir(figure), id), id);
  }

  /** Run ids with a directory under the figure (any scale, any state). */
  listRunIds(figure: string): string[] {
    const dir = this.figureDir(figure);
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(dir, entry.name, 'config.json')))
      .map((entry) => entry.name)
      .sort();
  }
}

/** One run's directory. Cheap to create; touches the disk only when asked. */
export class StoredRun {
  constructor(
    readonly store: ResultStore,
    readonly dir: string,
    readonly id: string,
  ) {}

  get configPath(): string {
    return path.join(this.dir, 'config.json');
  }
  get metricsPath(): string {
    return path.join(this.dir, 'metrics.jsonl');
  }
  get checkpointPath(): string {
    return path.join(this.dir, 'checkpoint.bin');
  }
  get markerPath(): string {
    return path.join(this.dir, 'done');
  }
  get lockPath(): string {
    return path.join(this.dir, 'lock');
  }

  state(): StoredRunState {
    const marker = this.readMarker();
    if (marker) return marker.status === 'done' ? { kind: 'done', marker } : { kind: 'failed', marker };
    const epochs = contiguousEpochs(this.readMetrics());
    const checkpointEpoch = this.readCheckpointHeader()?.epoch ?? 0;
    if (epochs === 0 && checkpointEpoch === 0) return { kind: 'new' };
    return { kind: 'partial', epochs, checkpointEpoch };
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
    fs.mkdirSync(this.dir, { recursive: true });
    writeFileAtomic(this.configPath, stableText + '\n');
  }

  /** Every complete metrics line, in file order. A torn last line (a kill mid-append) is ignored. */
  readMetrics(): EpochMetrics[] {
    let text: string;
    try {
      text = fs.readFileSync(this.metricsPath, 'utf8');
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
    // What follows the last newline is empty, or a line torn by a kill mid-append: drop it.
    const complete = text.split('\n').slice(0, -1);
    return complete.filter((line) => line.trim() !== '').map((line, index) => parseMetricsLine(line, index + 1, this.metricsPath));
  }

  /** Replaces metrics.jsonl with these lines (atomically): used to drop epochs past the checkpoint. */
  rewriteMetrics(lines: readonly EpochMetrics[]): void {
    fs.mkdirSync(this.dir, { recursive: true });
    writeFileAtomic(this.metricsPath, lines.map((line) => JSON.stringify(line) + '\n').join(''));
  }

  openMetricsAppender(): MetricsAppender {
    fs.mkdirSync(this.dir, { recursive: true });
    return new MetricsAppender(this.metricsPath);
  }

  writeCheckpoint(checkpoint: Checkpoint): void {
    fs.mkdirSync(this.dir, { recursive: true });
    writeFileAtomic(this.checkpointPath, encodeCheckpoint(checkpoint));
  }

  readCheckpoint(): Checkpoint | undefined {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(this.checkpointPath);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    return decodeCheckpoint(bytes, this.checkpointPath);
  }

  /** The checkpoint without its tensors (epoch, snapshots): reads only the header's bytes. */
  readCheckpointHeader(): Omit<Checkpoint, 'params' | 'buffers' | 'optimizer'> | undefined {
    let fd: number;
    try {
      fd = fs.openSync(this.checkpointPath, 'r');
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    try {
      const prefix = Buffer.alloc(8);
      fs.readSync(fd, prefix, 0, 8, 0);
      const headerLength = checkPrefix(prefix, this.checkpointPath);
      const header = Buffer.alloc(headerLength);
      fs.readSync(fd, header, 0, headerLength, 8);
      const parsed = JSON.parse(header.toString('utf8')) as CheckpointHeader;
      return { epoch: parsed.epoch, rng: parsed.rng, wallTime: parsed.wallTime, snapshots: parsed.snapshots };
    } finally {
      fs.closeSync(fd);
    }
  }

  readMarker(): RunMarker | undefined {
    return readJson<RunMarker>(this.markerPath);
  }

  writeMarker(marker: RunMarker): void {
    writeFileAtomic(this.markerPath, JSON.stringify(marker) + '\n');
  }

  /** Forgets everything but the config (for --retrain); call it while holding the lock. */
  clearResults(): void {
    for (const file of [this.markerPath, this.checkpointPath, this.metricsPath]) fs.rmSync(file, { force: true });
  }

  /** True while a lock file exists (a process trains the run, or died doing so: lock() tells which). */
  hasLockFile(): boolean {
    return fs.existsSync(this.lockPath);
  }

  /** Takes the run's lock or throws RunLockedError; a stale lock (dead process) is taken over. */
  lock(): RunLock {
    fs.mkdirSync(this.dir, { recursive: true });
    return RunLock.acquire(this.lockPath, this.store.staleLockMs);
  }
}

/** Appends metrics lines; `sync()` makes them durable (called before each checkpoint). */
export class MetricsAppender {
  private fd: number | undefined;

  constructor(readonly filePath: string) {
    this.fd = fs.openSync(filePath, 'a');
  }

  append(line: EpochMetrics): void {
    // One write() per line: a kill lands before or after it; the reader drops a torn tail anyway.
    fs.writeSync(this.openFd(), JSON.stringify(line) + '\n');
  }

  sync(): void {
    fs.fsyncSync(this.openFd());
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private openFd(): number {
    if (this.fd === undefined) throw new Error(`The metrics file ${this.filePath} was closed; open a new appender.`);
    return this.fd;
  }
}

/** Locks held by this thread, so a lock file naming this thread can be told live from left-over. */
const heldHere = new Set<string>();

export class RunLock {
  private timer: ReturnType<typeof setInterval> | undefined;
  private released = false;

  private constructor(
    readonly lockPath: string,
    readonly owner: LockOwner,
    heartbeatMs: number,
  ) {
    heldHere.add(lockPath);
    this.timer = setInterval(() => this.heartbeat(), heartbeatMs);
    this.timer.unref();
  }

  static acquire(lockPath: string, staleLockMs: number): RunLock {
    const owner: LockOwner = { pid: process.pid, host: os.hostname(), threadId, startedAt: new Date().toISOString(), token: randomBytes(8).toString('hex') };
    const heartbeatMs = Math.max(1000, Math.floor(staleLockMs / 5));
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = fs.openSync(lockPath, 'wx');
        try {
          fs.writeSync(fd, JSON.stringify(owner));
        } finally {
          fs.closeSync(fd);
        }
        return new RunLock(lockPath, owner, heartbeatMs);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const existing = readLockOwner(lockPath);
      if (existing === 'missing') continue; // released between our open and our read: try again
      if (!isStale(lockPath, existing, staleLockMs)) throw new RunLockedError(lockPath, existing);
      takeOverStale(lockPath, existing);
    }
    throw new RunLockedError(lockPath, undefined);
  }

  /** Refreshes the lock's mtime, which other hosts read as "still alive". */
  heartbeat(): void {
    if (this.released) return;
    try {
      const now = new Date();
      fs.utimesSync(this.lockPath, now, now);
    } catch {
      // A lock deleted by hand: keep training; the next acquire by anyone will see no lock.
    }
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    heldHere.delete(this.lockPath);
    const current = readLockOwner(this.lockPath);
    if (current !== 'missing' && current !== undefined && current.token === this.owner.token) fs.rmSync(this.lockPath, { force: true });
  }
}

/**
 * Removes a lock left by a worker thread of this process that died (the pool calls this): locks of
 * other live threads in this process cannot be judged from the pid alone.
 */
export function releaseLocksOfThread(dir: string, deadThreadId: number): void {
  const lockPath = path.join(dir, 'lock');
  const owner = readLockOwner(lockPath);
  if (owner !== 'missing' && owner !== undefined && owner.pid === process.pid && owner.threadId === deadThreadId) {
    fs.rmSync(lockPath, { force: true });
  }
}

function readLockOwner(lockPath: string): LockOwner | undefined | 'missing' {
  try {
    return JSON.parse(fs.readFileSync(lockPath, 'utf8')) as LockOwner;
  } catch (error) {
    if (isNotFound(error)) return 'missing';
    return undefined; // empty or torn: its writer is between open and write, or died there
  }
}

function isStale(lockPath: string, owner: LockOwner | undefined, staleLockMs: number): boolean {
  if (owner === undefined) {
    // Unreadable: fresh means a writer is mid-write; old means it died there.
    return ageMs(lockPath) > 5000;
  }
  if (owner.host !== os.hostname()) return ageMs(lockPath) > staleLockMs;
  if (owner.pid !== process.pid) return !isProcessAlive(owner.pid);
  // This process: live if this thread holds it; another thread's lock is live (the pool clears dead ones).
  if (owner.threadId === threadId) return !heldHere.has(lockPath);
  return false;
}

/**
 * Moves the stale lock aside, then checks that what moved is the stale lock and not a fresh one
 * another process took in between (two processes judging one stale lock at once).
 */
function takeOverStale(lockPath: string, stale: LockOwner | undefined): void {
  const aside = `${lockPath}.stale-${randomBytes(6).toString('hex')}`;
  try {
    fs.renameSync(lockPath, aside);
  } catch (error) {
    if (isNotFound(error)) return;
    throw error;
  }
  const moved = readLockOwner(aside);
  const isSame = moved !== 'missing' && (stale === undefined ? moved === undefined : moved !== undefined && moved.token === stale.token);
  if (!isSame) {
    // We moved someone's live lock: put it back unless a third process already locked again.
    try {
      fs.linkSync(aside, lockPath);
    } catch {
      // lockPath exists again: whoever holds it wins; fall through and report locked.
    }
    fs.rmSync(aside, { force: true });
    throw new RunLockedError(lockPath, moved === 'missing' ? undefined : moved);
  }
  fs.rmSync(aside, { force: true });
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return Infinity;
  }
}

/** Writes to a temp file in the same directory, flushes it, then renames over the target. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const temp = `${file}.tmp-${process.pid}-${threadId}-${randomBytes(4).toString('hex')}`;
  const fd = fs.openSync(temp, 'w');
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw error;
  }
  fs.closeSync(fd);
  fs.renameSync(temp, file);
}

/** Number of epochs 1..n present in order at the start of the lines. */
export function contiguousEpochs(lines: readonly EpochMetrics[]): number {
  let n = 0;
  while (n < lines.length && lines[n]!.epoch === n + 1) n++;
  return n;
}

// Checkpoint file: "IWCK", uint32 LE header length, header JSON (space-padded to 4 bytes), float32 LE data.
export function encodeCheckpoint(checkpoint: Checkpoint): Buffer {
  let offset = 0;
  const layout = (tensors: SavedTensor[]): TensorEntry[] =>
    tensors.map((tensor) => {
      const entry = { shape: tensor.shape.slice(), offset, length: tensor.values.length };
      offset += tensor.values.length;
      return entry;
    });
  const header: CheckpointHeader = {
    version: CHECKPOINT_VERSION,
    epoch: checkpoint.epoch,
    rng: checkpoint.rng,
    wallTime: checkpoint.wallTime,
    snapshots: checkpoint.snapshots,
    params: layout(checkpoint.params),
    buffers: layout(checkpoint.buffers),
    optimizer: layout(checkpoint.optimizer ?? []),
  };
  let headerText = JSON.stringify(header);
  headerText += ' '.repeat((4 - ((8 + Buffer.byteLength(headerText)) % 4)) % 4);
  const headerBytes = Buffer.from(headerText, 'utf8');
  const data = new Float32Array(offset);
  let at = 0;
  for (const tensor of [...checkpoint.params, ...checkpoint.buffers, ...(checkpoint.optimizer ?? [])]) {
    data.set(tensor.values, at);
    at += tensor.values.length;
  }
  const prefix = Buffer.alloc(8);
  prefix.write(CHECKPOINT_MAGIC, 0, 'ascii');
  prefix.writeUInt32LE(headerBytes.length, 4);
  return Buffer.concat([prefix, headerBytes, toLittleEndianBytes(data)]);
}

export function decodeCheckpoint(bytes: Buffer, source: string): Checkpoint {
  const headerLength = checkPrefix(bytes, source);
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as CheckpointHeader;
  if (header.version !== CHECKPOINT_VERSION) {
    throw new StoreFormatError(`${source} is checkpoint format ${header.version}; this code reads ${CHECKPOINT_VERSION}. Rerun the figure with --retrain.`);
  }
  const dataStart = 8 + headerLength;
  const floats = (bytes.length - dataStart) / 4;
  const all = [...header.params, ...header.buffers, ...header.optimizer];
  const needed = all.reduce((sum, entry) => Math.max(sum, entry.offset + entry.length), 0);
  if (!Number.isInteger(floats) || floats < needed) {
    throw new StoreFormatError(`${source} is truncated (${floats} of ${needed} values). Delete it to restart the run from its first epoch.`);
  }
  const data = fromLittleEndianBytes(bytes.subarray(dataStart, dataStart + needed * 4));
  const tensors = (entries: TensorEntry[]): SavedTensor[] => entries.map((entry) => ({ shape: entry.shape, values: data.slice(entry.offset, entry.offset + entry.length) }));
  return {
    epoch: header.epoch,
    params: tensors(header.params),
    buffers: tensors(header.buffers),
    optimizer: tensors(header.optimizer),
    rng: header.rng,
    wallTime: header.wallTime,
    snapshots: header.snapshots,
  };
}

function checkPrefix(bytes: Buffer, source: string): number {
  if (bytes.length < 8 || bytes.toString('ascii', 0, 4) !== CHECKPOINT_MAGIC) {
    throw new StoreFormatError(`${source} is not an iwlab checkpoint. Delete it to restart the run from its first epoch.`);
  }
  return bytes.readUInt32LE(4);
}

const IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function toLittleEndianBytes(data: Float32Array): Buffer {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (!IS_LITTLE_ENDIAN) bytes.swap32();
  return bytes;
}

function fromLittleEndianBytes(bytes: Buffer): Float32Array {
  const copy = Buffer.from(bytes); // own, aligned memory
  if (!IS_LITTLE_ENDIAN) copy.swap32();
  return new Float32Array(copy.buffer, copy.byteOffset, copy.byteLength / 4);
}

function parseMetricsLine(line: string, lineNumber: number, file: string): EpochMetrics {
  try {
    return JSON.parse(line) as EpochMetrics;
  } catch {
    throw new StoreFormatError(`${file} line ${lineNumber} is not JSON. Fix or delete that line (later epochs are retrained), or rerun with --retrain.`);
  }
}

function readJson<T>(file: string): T | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new StoreFormatError(`${file} is not valid JSON. Delete it (the run is then trained again) or rerun with --retrain.`);
  }
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}
