/**
 * Locks that cannot mislead (issue 16, item 4): no empty lock survives a failed write, a lock whose
 * pid now belongs to another program is taken over, leftovers of killed writers are cleaned, and a
 * store that cannot be written says so in one line.
 */
import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ResultStore, RunLockedError, StoreAccessError } from '../../src/experiments/resultStore';
import { runFigure } from '../../src/experiments/runFigure';
import { tinyFigure } from './tinyFigure';

function tempStore(): ResultStore {
  return new ResultStore(fs.mkdtempSync(path.join(os.tmpdir(), 'iwlab-lock-')));
}

function diskFull(): NodeJS.ErrnoException {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
}

test('a disk full before the lock is written leaves no lock file: the next attempt takes the run', () => {
  const run = tempStore().run('fig', 'abc');
  const writeSync = mock.method(fs, 'writeSync', () => {
    throw diskFull();
  });
  try {
    assert.throws(() => run.lock(), /ENOSPC/);
  } finally {
    writeSync.mock.restore();
  }
  assert.equal(fs.existsSync(run.lockPath), false, 'no empty lock file is left behind');
  run.lock().release(); // today: "being trained by another process"
});

test('a lock whose pid is alive but belongs to another program (a reused pid) is taken over', { skip: !fs.existsSync('/proc/self/stat') }, async () => {
  const run = tempStore().run('fig', 'abc');
  const other = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    await new Promise((resolve) => other.once('spawn', resolve));
    fs.mkdirSync(run.dir, { recursive: true });
    // Written by an iwlab process that had this pid before: its start time is not the sleeper's.
    fs.writeFileSync(run.lockPath, JSON.stringify({ pid: other.pid, host: os.hostname(), threadId: 0, startedAt: 'then', token: 'old', processStart: '1' }));
    const lock = run.lock();
    assert.equal(JSON.parse(fs.readFileSync(run.lockPath, 'utf8')).token, lock.owner.token);
    lock.release();
    // The same pid with its own start time recorded is that live process: the lock holds.
    const live = run.lock();
    const owner = { ...live.owner, pid: other.pid!, token: 'live' };
    live.release();
    owner.processStart = fs.readFileSync(`/proc/${other.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]!;
    fs.writeFileSync(run.lockPath, JSON.stringify(owner));
    assert.throws(() => run.lock(), RunLockedError);
  } finally {
    other.kill();
  }
});

test('a lock written without a start time (older code) whose pid now runs a program other than Node is taken over', { skip: !fs.existsSync('/proc/self/cmdline') }, async () => {
  const run = tempStore().run('fig', 'abc');
  const other = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    await new Promise((resolve) => other.once('spawn', resolve));
    fs.mkdirSync(run.dir, { recursive: true });
    fs.writeFileSync(run.lockPath, JSON.stringify({ pid: other.pid, host: os.hostname(), threadId: 0, startedAt: 'then', token: 'old' }));
    run.lock().release();
    // A live Node process under that pid may be the writer: the lock holds.
    fs.writeFileSync(run.lockPath, JSON.stringify({ pid: process.ppid, host: os.hostname(), threadId: 0, startedAt: 'then', token: 'node' }));
    assert.throws(() => run.lock(), RunLockedError);
  } finally {
    other.kill();
  }
});

test('a new lock records the start time of its process, so a later owner of the pid is told apart', { skip: !fs.existsSync('/proc/self/stat') }, () => {
  const run = tempStore().run('fig', 'abc');
  const lock = run.lock();
  const recorded = JSON.parse(fs.readFileSync(run.lockPath, 'utf8'));
  assert.equal(recorded.processStart, fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')[19]);
  lock.release();
});

test('temp files and moved-aside locks left by killed writers are removed when the run is next locked', () => {
  const run = tempStore().run('fig', 'abc');
  fs.mkdirSync(run.dir, { recursive: true });
  const leftovers = ['checkpoint.bin.tmp-999999-0-0a1b2c3d', 'done.tmp-999999-1-ffffffff', 'lock.stale-0123456789ab'];
  const anHourAgo = new Date(Date.now() - 3600_000);
  for (const name of leftovers) {
    fs.writeFileSync(path.join(run.dir, name), 'half');
    fs.utimesSync(path.join(run.dir, name), anHourAgo, anHourAgo); // a moved-aside lock counts as left over once it is old
  }
  run.lock().release();
  assert.deepEqual(fs.readdirSync(run.dir).filter((name) => leftovers.includes(name)), []);
});

test('a store that cannot be written is refused in one line naming the store and the fix', async () => {
  const store = tempStore();
  const mkdirSync = mock.method(fs, 'mkdirSync', (target: string) => {
    throw Object.assign(new Error(`EROFS: read-only file system, mkdir '${target}'`), { code: 'EROFS' });
  });
  try {
    await assert.rejects(
      runFigure(tinyFigure({ seeds: 1 }), { scale: 'smoke', store, workers: 1, stopOnSigint: false }),
      (error: Error) => error instanceof StoreAccessError && error.message.includes(store.root) && /--results/.test(error.message) && !error.message.includes('\n'),
    );
  } finally {
    mkdirSync.mock.restore();
  }
});
