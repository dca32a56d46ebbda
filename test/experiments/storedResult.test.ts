import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { expandRuns } from '../../src/experiments/expand';
import { runId, stableStringify } from '../../src/experiments/runId';
import type { StoredRun } from '../../src/experiments/resultStore';
import { isReusable, readStoredResult, unfinishedResult } from '../../src/experiments/storedResult';
import type { EpochMetrics, RunConfig } from '../../src/experiments/types';
import { tempStore, tinyFigure } from './tinyFigure';

const [config] = expandRuns(tinyFigure(), 'smoke') as [RunConfig];

function line(epoch: number): EpochMetrics {
  return { epoch, classWeight: config.classWeight, seed: config.seed, variant: config.variant, trainLoss: 1 / epoch, wallTime: epoch };
}

function storedRun(epochs: number, marker?: 'done' | 'failed'): StoredRun {
  const run = tempStore().run(config.figure, runId(config));
  run.ensureConfig(stableStringify(config));
  run.rewriteMetrics(Array.from({ length: epochs }, (_, i) => line(i + 1)));
  if (marker) run.writeMarker({ status: marker, epochs, finishedAt: 'then', ...(marker === 'failed' ? { error: `Training diverged at epoch ${epochs + 1}.` } : {}) });
  return run;
}

test('a run with nothing stored reads back as undefined; a part-way one as stopped, unfinished', () => {
  assert.equal(readStoredResult(tempStore().run(config.figure, runId(config)), config), undefined);
  const partial = readStoredResult(storedRun(4), config)!;
  assert.equal(partial.status, 'stopped');
  assert.deepEqual(partial.stopReason, { type: 'unfinished', epochs: 4, of: 6 });
  assert.equal(partial.error, 'unfinished: 4 of 6 epochs stored');
  assert.equal(isReusable(partial), false);
});

test('a finished run reads back done and reusable; a diverged one failed with its epoch, reusable (final)', () => {
  const done = readStoredResult(storedRun(6, 'done'), config)!;
  assert.equal(done.status, 'done');
  assert.equal(done.stopReason, undefined);
  assert.deepEqual(done.metrics.map((l) => l.epoch), [1, 2, 3, 4, 5, 6]);
  assert.ok(isReusable(done));
  const diverged = readStoredResult(storedRun(2, 'failed'), config)!;
  assert.deepEqual(diverged.stopReason, { type: 'diverged', epoch: 3, message: 'Training diverged at epoch 3.' });
  assert.equal(diverged.status, 'failed');
  assert.ok(isReusable(diverged));
});

test('a done marker with metrics short of its epochs is stale, not reusable, and says how many are held', () => {
  const run = storedRun(6, 'done');
  run.rewriteMetrics([line(1), line(2), line(4), line(5), line(6)]);
  const stale = readStoredResult(run, config)!;
  assert.equal(stale.status, 'stopped');
  assert.equal(stale.stopReason?.type, 'stale');
  assert.match(stale.error!, /metrics\.jsonl holds 5 of the 6 epochs its done marker records/);
  assert.equal(isReusable(stale), false);
});

test('a finished run trained on other data than the current is stale; one without a record (older) is kept', () => {
  const run = storedRun(6, 'done');
  const current = { 'mnist/a.gz': 'aa', 'mnist/b.gz': 'bb' };
  assert.ok(isReusable(readStoredResult(run, config, { currentData: current })!), 'no record: trained before records existed');
  run.writeDataRecord({ files: current });
  assert.ok(isReusable(readStoredResult(run, config, { currentData: current })!));
  run.writeDataRecord({ files: { ...current, 'mnist/b.gz': 'cc' } });
  const other = readStoredResult(run, config, { currentData: current })!;
  assert.equal(isReusable(other), false);
  assert.match(other.error!, /trained on other data \(mnist\/b\.gz differ/);
});

test('a damaged checkpoint or metrics line reads back as failed, damaged, naming the file, without throwing', () => {
  const run = storedRun(6, 'done');
  fs.writeFileSync(run.checkpointPath, Buffer.concat([Buffer.from('IWCK'), Buffer.from([200, 0, 0, 0]), Buffer.from('{"version":1')]));
  const damaged = readStoredResult(run, config)!;
  assert.equal(damaged.status, 'failed');
  assert.equal(damaged.stopReason?.type, 'damaged');
  assert.ok(damaged.error!.includes(run.checkpointPath));
  assert.match(damaged.error!, /header is cut at byte 20 of 208/);
  fs.rmSync(run.checkpointPath);
  fs.appendFileSync(run.metricsPath, 'not json\n');
  assert.match(readStoredResult(run, config)!.error!, /line 7 is not JSON/);
});

test('an unfinished result keeps the stored epochs and the given reason, even when the store is damaged', () => {
  const run = storedRun(3);
  const locked = unfinishedResult(run, config, { type: 'locked', message: 'held by process 7' });
  assert.equal(locked.status, 'stopped');
  assert.equal(locked.metrics.length, 3);
  assert.equal(locked.error, 'RunLockedError: held by process 7');
  fs.appendFileSync(run.metricsPath, 'torn\n');
  const failed = unfinishedResult(run, config, { type: 'failed', message: 'Error: boom' });
  assert.equal(failed.status, 'failed');
  assert.equal(failed.error, 'Error: boom');
});
