// `iwlab run --until-epoch N` (runFigure's untilEpoch): train up to epoch N, stop resumable, resume later.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunFigureOptionsError, runFigure } from '../../src/experiments/runFigure';
import { figureNumbers, tempStore, tinyFigure } from './tinyFigure';

test('untilEpoch leaves every run unfinished at that epoch, and a later run resumes to the metrics of an uninterrupted one', async () => {
  const spec = tinyFigure({ epochs: 6, seeds: 1 });
  const reference = await runFigure(spec, { scale: 'smoke', store: tempStore(), workers: 1 });
  assert.ok(reference.runs.every((run) => run.status === 'done'));

  const store = tempStore();
  const partial = await runFigure(spec, { scale: 'smoke', store, workers: 1, untilEpoch: 4 });
  for (const run of partial.runs) {
    assert.equal(run.status, 'stopped');
    assert.equal(run.error, undefined);
    assert.deepEqual(run.metrics.map((line) => line.epoch), [1, 2, 3, 4]);
    const stored = store.run('tiny', run.runId);
    assert.equal(stored.readMarker(), undefined, 'not marked done');
    assert.equal(stored.readCheckpointHeader()!.epoch, 4, 'its checkpoint is at epoch 4');
  }
  const again = await runFigure(spec, { scale: 'smoke', store, workers: 1, untilEpoch: 2 });
  assert.ok(again.runs.every((run) => run.status === 'stopped' && run.metrics.length === 4), 'an earlier stop trains nothing and loses nothing');

  const resumed = await runFigure(spec, { scale: 'smoke', store, workers: 1 });
  assert.deepEqual(figureNumbers(resumed), figureNumbers(reference));
});

test('untilEpoch must be a positive whole number', async () => {
  await assert.rejects(runFigure(tinyFigure(), { scale: 'smoke', store: tempStore(), workers: 1, untilEpoch: 0 }), RunFigureOptionsError);
  await assert.rejects(runFigure(tinyFigure(), { scale: 'smoke', store: tempStore(), workers: 1, untilEpoch: 1.5 }), /positive whole number/);
});

test('untilEpoch travels to pool workers as plain settings: each worker stops its runs at that epoch', async () => {
  const spec = tinyFigure({ epochs: 6, seeds: 1 });
  const store = tempStore();
  const partial = await runFigure(spec, { scale: 'smoke', store, workers: 2, untilEpoch: 2 });
  for (const run of partial.runs) {
    assert.equal(run.status, 'stopped', run.error);
    assert.equal(store.run('tiny', run.runId).readCheckpointHeader()!.epoch, 2);
  }
});
