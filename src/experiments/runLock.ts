/**
 * The run lock: a file naming who trains the run now (pid, host, thread, and the process's start
 * time), refreshed as a heartbeat. A lock is stale, and taken over, when its process is gone, when
 * its pid now belongs to a process started at another time (a reused pid), or, for a lock from
 * another host, when its heartbeat stopped. A lock file never stays empty: a failed first write
 * removes it.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { isNotFound } from './atomicFiles';
import { isProcessAlive } from '../processes';

export interface LockOwner {
  pid: number;
  host: string;
  threadId: number;
  startedAt: string;
  /** Random, so a lock can be told apart from a later one by the same process. */
  token: string;
  /**
   * When the owning process started, as the kernel counts it (/proc/<pid>/stat field 22); absent
   * where there is no /proc. A live pid with another start time is another program: the lock is stale.
   */
  processStart?: string;
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

/** Name prefix of a lock moved aside while being taken over; one left by a kill is removed with the run's leftovers. */
export const STALE_LOCK_MARK = '.stale-';

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
    const start = processStartTime(process.pid);
    const owner: LockOwner = { pid: process.pid, host: os.hostname(), threadId, startedAt: new Date().toISOString(), token: randomBytes(8).toString('hex'), ...(start === undefined ? {} : { processStart: start }) };
    const heartbeatMs = Math.max(1000, Math.floor(staleLockMs / 5));
    for (let attempt = 0; attempt < 3; attempt++) {
      let fd: number | undefined;
      try {
        fd = fs.openSync(lockPath, 'wx');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      if (fd !== undefined) {
        writeOwner(fd, lockPath, owner);
        return new RunLock(lockPath, owner, heartbeatMs);
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

/** Writes the owner into the just-created lock; if that fails (a full disk) the empty lock is removed, so no one reads it as held. */
function writeOwner(fd: number, lockPath: string, owner: LockOwner): void {
  try {
    fs.writeSync(fd, JSON.stringify(owner));
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(lockPath, { force: true });
    throw error;
  }
  fs.closeSync(fd);
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

/** The lock's owner; undefined when the file is empty or torn; 'missing' when there is no lock. */
export function readLockOwner(lockPath: string): LockOwner | undefined | 'missing' {
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
  if (owner.pid !== process.pid) return !isProcessAlive(owner.pid) || isPidReused(owner);
  // This process: live if this thread holds it; another thread's lock is live (the pool clears dead ones).
  if (owner.threadId === threadId) return !heldHere.has(lockPath);
  return false;
}

/**
 * True when the pid is alive but is not the lock's writer: it started at another time, or (a lock
 * written without a start time, by older code) the program running under that pid is not Node.
 */
function isPidReused(owner: LockOwner): boolean {
  if (owner.processStart !== undefined) {
    const now = processStartTime(owner.pid);
    return now !== undefined && now !== owner.processStart;
  }
  const program = processProgram(owner.pid);
  return program !== undefined && !isNodeProgram(program);
}

/** argv[0] of a process (Linux /proc), or undefined where unknown. */
function processProgram(pid: number): string | undefined {
  try {
    const argv0 = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
    return argv0 === '' ? undefined : argv0; // a zombie or kernel thread shows none
  } catch {
    return undefined;
  }
}

/** Every iwlab process (CLI, notebook kernel, test) is a Node process: `node`, `nodejs`, or this very binary. */
function isNodeProgram(argv0: string): boolean {
  const name = path.basename(argv0);
  return /^node/.test(name) || name === path.basename(process.execPath);
}

/** The process's start time in clock ticks since boot (Linux /proc), or undefined where unknown. */
export function processStartTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19]; // field 22 of the whole line
}

/**
 * Moves the stale lock aside, then checks that what moved is the stale lock and not a fresh one
 * another process took in between (two processes judging one stale lock at once).
 */
function takeOverStale(lockPath: string, stale: LockOwner | undefined): void {
  const aside = `${lockPath}${STALE_LOCK_MARK}${randomBytes(6).toString('hex')}`;
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

function ageMs(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return Infinity;
  }
}
