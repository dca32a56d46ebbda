import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { ResultStore, RunLockedError, StoreFormatError, decodeCheckpoint, encodeCheckpoint, writeFileAtomic } from '../../src/experiments/resultStore';
import type { EpochMetrics } from '../../src/experiments/types';
import type { Checkpoint } from '../../src/train/trainer';

function tempStore(options: { staleLockMs?: number } = {}): ResultStore {
  return new ResultStore(fs.mkdtempSync(path.join(os.tmpdir(), 'iwlab-store-')), options);
}

function line(epoch: number): EpochMetrics {
  return { epoch, classWeight: 4, seed: 0, variant: 'v', trainLoss: 1 / epoch, trainAccuracy: 0.5, wallTime: epoch / 10 };
}

function checkpoint(epoch: number): Checkpoint {
  const backing = new Float32Array([9, 1.5, -2.25, 3e-8, 7]);
  return {
    epoch,
    // A view with a byte offset, as dataSync() may hand out.
    params: [{ shape: [2, 2], values: backing.subarray(1) }, { shape: [1], values: new Float32Array([Math.fround(0.1)]) }],
    buffers: [{ shape: [3], values: new Float32Array([1, 2, 3]) }],
    optimizer: [],
    rng: [1, 2, 3, 4294967295],
    wallTime: 12.5,
    snapshots: [{ epoch: 1, params: [{ shape: [1], values: [0.5] }] }],
  };
}

test('a checkpoint round-trips through its binary form bit for bit', () => {
  const original = checkpoint(3);
  const decoded = decodeCheckpoint(encodeCheckpoint(original), 'memory');
  assert.equal(decoded.epoch, 3);
  assert.deepEqual(decoded.rng, original.rng);
  assert.deepEqual(decoded.snapshots, original.snapshots);
  assert.deepEqual(decoded.params.map((t) => [t.shape, Array.from(t.values)]), [[[2, 2], [1.5, -2.25, Math.fround(3e-8), 7]], [[1], [Math.fround(0.1)]]]);
  assert.deepEqual(Array.from(decoded.buffers[0]!.values), [1, 2, 3]);
  assert.deepEqual(decoded.optimizer, []);
});

test('a truncated or foreign checkpoint is refused with the fix named', () => {
  const bytes = encodeCheckpoint(checkpoint(1));
  assert.throws(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 4), 'ck'), (error: Error) => error instanceof StoreFormatError && /truncated.*Delete it/.test(error.message));
  assert.throws(() => decodeCheckpoint(Buffer.from('not a checkpoint'), 'ck'), /not an iwlab checkpoint/);
});

test('the store writes checkpoints atomically and reads the header alone', () => {
  const run = tempStore().run('fig', 'abc');
  run.writeCheckpoint(checkpoint(1));
  run.writeCheckpoint(checkpoint(2));
  assert.deepEqual(fs.readdirSync(run.dir), ['checkpoint.bin'], 'no temp files are left behind');
  assert.equal(run.readCheckpoint()?.epoch, 2);
  const header = run.readCheckpointHeader();
  assert.equal(header?.epoch, 2);
  assert.deepEqual(header?.snapshots, checkpoint(2).snapshots);
});

test('writeFileAtomic replaces a file and leaves no temp file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iwlab-atomic-'));
  const file = path.join(dir, 'f.json');
  writeFileAtomic(file, 'one');
  writeFileAtomic(file, 'two');
  assert.equal(fs.readFileSync(file, 'utf8'), 'two');
  assert.deepEqual(fs.readdirSync(dir), ['f.json']);
});

test('metrics are appended line by line; a torn last line is ignored, a corrupt one named', () => {
  const run = tempStore().run('fig', 'abc');
  const appender = run.openMetricsAppender();
  appender.append(line(1));
  appender.append(line(2));
  appender.sync();
  appender.close();
  fs.appendFileSync(run.metricsPath, '{"epoch":3,"classWe'); // a kill in the middle of an append
  assert.deepEqual(run.readMetrics(), [line(1), line(2)]);
  run.rewriteMetrics([line(1)]);
  assert.deepEqual(run.readMetrics(), [line(1)]);
  fs.writeFileSync(run.metricsPath, `${JSON.stringify(line(1))}\nnot json\n${JSON.stringify(line(3))}\n`);
  assert.throws(() => run.readMetrics(), /line 2 is not JSON/);
});

test('state goes new -> partial -> done', () => {
  const run = tempStore().run('fig', 'abc');
  assert.deepEqual(run.state(), { kind: 'new' });
  run.rewriteMetrics([line(1), line(2)]);
  run.writeCheckpoint(checkpoint(1));
  assert.deepEqual(run.state(), { kind: 'partial', epochs: 2, checkpointEpoch: 1 });
  run.writeMarker({ status: 'done', epochs: 2, finishedAt: 'now' });
  assert.equal(run.state().kind, 'done');
  run.clearResults();
  assert.deepEqual(run.state(), { kind: 'new' });
});

test('config.json is written once; a different config under the same id is refused', () => {
  const store = tempStore();
  const run = store.run('fig', 'abc');
  run.ensureConfig('{"a":1}');
  run.ensureConfig('{"a":1}');
  assert.throws(() => run.ensureConfig('{"a":2}'), (error: Error) => error instanceof StoreFormatError && /Move that directory away/.test(error.message));
  assert.deepEqual(store.listRunIds('fig'), ['abc']);
});

test('a lock keeps a second writer out until it is released', () => {
  const run = tempStore().run('fig', 'abc');
  const lock = run.lock();
  assert.throws(() => run.lock(), (error: Error) => error instanceof RunLockedError && error.message.includes(run.lockPath) && /process \d+/.test(error.message));
  lock.release();
  assert.equal(fs.existsSync(run.lockPath), false);
  run.lock().release();
});

test('a lock left by a dead process on this host is stale and taken over', () => {
  const run = tempStore().run('fig', 'abc');
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  const deadPid = Number(child.stdout.toString());
  fs.mkdirSync(run.dir, { recursive: true });
  fs.writeFileSync(run.lockPath, JSON.stringify({ pid: deadPid, host: os.hostname(), threadId: 0, startedAt: 'then', token: 'dead' }));
  const lock = run.lock();
  assert.equal(JSON.parse(fs.readFileSync(run.lockPath, 'utf8')).pid, process.pid);
  lock.release();
});

test('a lock held by a live process, or left by this thread, is judged correctly', () => {
  const run = tempStore().run('fig', 'abc');
  fs.mkdirSync(run.dir, { recursive: true });
  fs.writeFileSync(run.lockPath, JSON.stringify({ pid: process.ppid, host: os.hostname(), threadId: 0, startedAt: 'now', token: 'parent' }));
  assert.throws(() => run.lock(), RunLockedError);
  // Left over by this very thread (not held any more): stale.
  fs.writeFileSync(run.lockPath, JSON.stringify({ pid: process.pid, host: os.hostname(), threadId, startedAt: 'then', token: 'old' }));
  run.lock().release();
});

test('a lock from another host is live while its heartbeat is fresh, stale after', () => {
  const run = tempStore({ staleLockMs: 60_000 }).run('fig', 'abc');
  fs.mkdirSync(run.dir, { recursive: true });
  fs.writeFileSync(run.lockPath, JSON.stringify({ pid: 1, host: 'another-node', threadId: 0, startedAt: 'now', token: 'remote' }));
  assert.throws(() => run.lock(), /another-node/);
  const anHourAgo = new Date(Date.now() - 3600_000);
  fs.utimesSync(run.lockPath, anHourAgo, anHourAgo);
  const lock = run.lock();
  assert.equal(JSON.parse(fs.readFileSync(run.lockPath, 'utf8')).token, lock.owner.token);
  lock.release();
});
