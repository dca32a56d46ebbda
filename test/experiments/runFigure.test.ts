import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { RunFigureOptionsError, UnknownRunError, runFigure } from '../../src/experiments/runFigure';
import { runId } from '../../src/experiments/runId';
import { expandRuns } from '../../src/experiments/expand';
import type { TrainFunction } from '../../src/experiments/runWorker';
import type { EpochMetrics, ProgressEvent, RunConfig, RunResult } from '../../src/experiments/types';
import { figureNumbers, tempStore, tinyFigure, withoutTime } from './tinyFigure';

/**
 * A deterministic stand-in for the trainer that honours the same hooks: its loss depends only on the
 * run and the epoch, its "weights" are the epoch number, and weight 64 diverges at epoch 3.
 */
function fakeTrainer() {
  const calls: { config: RunConfig; startEpoch: number }[] = [];
  const train: TrainFunction = async (config, _data, hooks) => {
    const startEpoch = hooks.resumeFrom?.checkpoint.epoch ?? 0;
    calls.push({ config, startEpoch });
    const metrics: EpochMetrics[] = [...(hooks.resumeFrom?.metrics ?? [])];
    const result = (status: RunResult['status'], error?: string): RunResult => ({ runId: '', config, status, metrics, snapshots: [], ...(error ? { error } : {}) });
    for (let epoch = startEpoch + 1; epoch <= config.epochs; epoch++) {
      if (hooks.signal?.aborted) return result('stopped');
      await new Promise((resolve) => setImmediate(resolve));
      if (config.classWeight === 64 && epoch === 3) return result('failed', 'Training diverged at epoch 3 (loss NaN).');
      const line: EpochMetrics = { epoch, classWeight: config.classWeight, seed: config.seed, variant: config.variant, trainLoss: config.classWeight / epoch + config.seed, trainAccuracy: epoch / config.epochs, wallTime: 0 };
      metrics.push(line);
      await hooks.onEpoch?.(line);
      await hooks.onCheckpoint?.({ epoch, params: [{ shape: [1], values: new Float32Array([epoch]) }], buffers: [], optimizer: [], rng: [epoch, 0, 0, 0], wallTime: 0, snapshots: [] });
    }
    return result('done');
  };
  return { train, calls };
}

const spec = tinyFigure();

test('a figure trains every run once, then reuses them all without training', async () => {
  const store = tempStore();
  const { train, calls } = fakeTrainer();
  const events: ProgressEvent[] = [];
  const first = await runFigure(spec, { scale: 'smoke', store, train, workers: 1, onProgress: (event) => events.push(event) });
  assert.equal(calls.length, 4);
  assert.deepEqual(first.runs.map((run) => run.status), ['done', 'done', 'done', 'done']);
  assert.deepEqual(first.runs.map((run) => run.runId), expandRuns(spec, 'smoke').map(runId), 'runs come back in expansion order, keyed by id');
  assert.deepEqual(events[0], { type: 'figureStart', figure: 'tiny', scale: 'smoke', runs: 4, reused: 0, epochs: 24 });
  assert.equal(events.filter((event) => event.type === 'epochEnd').length, 24);
  assert.equal(events.at(-1)?.type, 'figureEnd');

  const again: ProgressEvent[] = [];
  const second = await runFigure(spec, { scale: 'smoke', store, train, workers: 1, onProgress: (event) => again.push(event) });
  assert.equal(calls.length, 4, 'nothing is trained twice');
  assert.deepEqual(again[0], { type: 'figureStart', figure: 'tiny', scale: 'smoke', runs: 4, reused: 4, epochs: 0 });
  assert.deepEqual(figureNumbers(second), figureNumbers(first));

  await runFigure(spec, { scale: 'smoke', store, train, workers: 1, retrain: true });
  assert.equal(calls.length, 8, '--retrain trains every run again');
  assert.ok(calls.slice(4).every((call) => call.startEpoch === 0));
});

test('a stopped figure resumes each run from its checkpoint to the numbers of an uninterrupted one', async () => {
  const store = tempStore();
  const { train, calls } = fakeTrainer();
  const controller = new AbortController();
  let epochs = 0;
  const stopped = await runFigure(spec, {
    scale: 'smoke', store, train, workers: 1, signal: controller.signal,
    onProgress: (event) => {
      if (event.type === 'epochEnd' && ++epochs === 9) controller.abort();
    },
  });
  assert.deepEqual(stopped.runs.map((run) => [run.status, run.metrics.length]), [['done', 6], ['stopped', 3], ['stopped', 0], ['stopped', 0]]);
  const resumed = await runFigure(spec, { scale: 'smoke', store, train, workers: 1 });
  assert.deepEqual(calls.slice(2).map((call) => call.startEpoch), [3, 0, 0], 'the stopped run resumes after epoch 3, the finished one is reused');
  const reference = await runFigure(spec, { scale: 'smoke', store: tempStore(), train: fakeTrainer().train, workers: 1 });
  assert.deepEqual(figureNumbers(resumed), figureNumbers(reference));
});

test('metrics written past the last checkpoint are dropped and trained again', async () => {
  const store = tempStore();
  const { train, calls } = fakeTrainer();
  const [config] = expandRuns(spec, 'smoke');
  const only = [runId(config!)];
  await runFigure(spec, { scale: 'smoke', store, train, workers: 1, only });
  // Rewind the run to "checkpoint at 2, metrics up to 4, no done marker", as a kill can leave it.
  const run = store.run('tiny', only[0]!);
  const full = run.readMetrics();
  fs.rmSync(run.markerPath);
  run.rewriteMetrics(full.slice(0, 4));
  run.writeCheckpoint({ epoch: 2, params: [{ shape: [1], values: new Float32Array([2]) }], buffers: [], optimizer: [], rng: [2, 0, 0, 0], wallTime: 0, snapshots: [] });
  const resumed = await runFigure(spec, { scale: 'smoke', store, train, workers: 1, only });
  assert.equal(calls.at(-1)?.startEpoch, 2);
  assert.deepEqual(withoutTime(resumed.runs[0]!.metrics), withoutTime(full));
  assert.deepEqual(withoutTime(run.readMetrics()), withoutTime(full), 'the file holds each epoch once');
});

test('a diverged run keeps its earlier epochs, is final, and the figure still returns the others', async () => {
  const store = tempStore();
  const { train, calls } = fakeTrainer();
  const diverging = tinyFigure({ classWeights: [1, 64], seeds: 1 });
  const events: ProgressEvent[] = [];
  const result = await runFigure(diverging, { scale: 'smoke', store, train, workers: 1, onProgress: (event) => events.push(event) });
  assert.deepEqual(result.runs.map((run) => [run.status, run.metrics.length]), [['done', 6], ['failed', 2]]);
  assert.match(result.runs[1]!.error ?? '', /diverged at epoch 3/);
  assert.ok(events.some((event) => event.type === 'runEnd' && event.status === 'failed' && /diverged/.test(event.error ?? '')));
  const again = await runFigure(diverging, { scale: 'smoke', store, train, workers: 1 });
  assert.equal(calls.length, 2, 'divergence is deterministic: the failed run is not trained again');
  assert.deepEqual(figureNumbers(again), figureNumbers(result));
});

test('a run that throws fails alone with its reason, and is tried again next time', async () => {
  const store = tempStore();
  const { train: goodTrain } = fakeTrainer();
  let isBroken = true;
  const train: TrainFunction = (config, data, hooks) => {
    if (isBroken && config.seed === 1) throw new Error('no GPU memory');
    return goodTrain(config, data, hooks);
  };
  const result = await runFigure(spec, { scale: 'smoke', store, train, workers: 1 });
  assert.deepEqual(result.runs.map((run) => run.status), ['done', 'failed', 'done', 'failed']);
  assert.equal(result.runs[1]!.error, 'Error: no GPU memory');
  isBroken = false;
  const fixed = await runFigure(spec, { scale: 'smoke', store, train, workers: 1 });
  assert.deepEqual(fixed.runs.map((run) => run.status), ['done', 'done', 'done', 'done']);
});

test('`only` restricts the figure to named runs and rejects unknown ids with the way to list them', async () => {
  const store = tempStore();
  const { train, calls } = fakeTrainer();
  const ids = expandRuns(spec, 'smoke').map(runId);
  const result = await runFigure(spec, { scale: 'smoke', store, train, workers: 1, only: [ids[2]!] });
  assert.deepEqual(result.runs.map((run) => run.runId), [ids[2]]);
  assert.equal(calls.length, 1);
  await assert.rejects(runFigure(spec, { scale: 'smoke', store, train, only: ['0123456789ab'] }), (error: Error) => error instanceof UnknownRunError && /iwlab run tiny --scale smoke --list/.test(error.message));
  await assert.rejects(runFigure(spec, { scale: 'smoke', store, train, workers: 2 }), RunFigureOptionsError);
});

test('a progress listener that throws does not stop training', async () => {
  const { train } = fakeTrainer();
  const originalError = console.error;
  const logged: string[] = [];
  console.error = (message: string) => void logged.push(message);
  try {
    const result = await runFigure(spec, { scale: 'smoke', store: tempStore(), train, workers: 1, onProgress: () => { throw new Error('display broke'); } });
    assert.ok(result.runs.every((run) => run.status === 'done'));
  } finally {
    console.error = originalError;
  }
  assert.equal(logged.length, 1);
  assert.match(logged[0]!, /display broke/);
});

test('the real trainer gives the same figure in this process and in two worker threads', async () => {
  const inProcess = await runFigure(spec, { scale: 'smoke', store: tempStore(), workers: 1 });
  const pooled = await runFigure(spec, { scale: 'smoke', store: tempStore(), workers: 2 });
  assert.ok(inProcess.runs.every((run) => run.status === 'done' && run.metrics.length === 6));
  assert.deepEqual(inProcess.runs[0]!.snapshots.map((s) => s.epoch), [0, 3, 6]);
  assert.deepEqual(figureNumbers(pooled), figureNumbers(inProcess));
});

test('Ctrl-C (SIGINT) stops the figure like an abort, and the handler is removed afterwards', async () => {
  const { train } = fakeTrainer();
  const listeners = process.listenerCount('SIGINT');
  let epochs = 0;
  const result = await runFigure(spec, {
    scale: 'smoke', store: tempStore(), train, workers: 1,
    onProgress: (event) => {
      if (event.type === 'epochEnd' && ++epochs === 2) process.emit('SIGINT', 'SIGINT');
    },
  });
  assert.deepEqual(result.runs.map((run) => [run.status, run.metrics.length]), [['stopped', 2], ['stopped', 0], ['stopped', 0], ['stopped', 0]]);
  assert.equal(process.listenerCount('SIGINT'), listeners);
});

test('a run that throws part-way keeps its checkpointed epochs and resumes from them', async () => {
  const store = tempStore();
  const { train: goodTrain, calls } = fakeTrainer();
  let isBroken = true;
  const train: TrainFunction = (config, data, hooks) =>
    goodTrain(config, data, {
      ...hooks,
      onEpoch: async (line) => {
        if (isBroken && line.epoch === 4) throw new Error('out of memory at epoch 4');
        await hooks.onEpoch?.(line);
      },
    });
  const [first] = expandRuns(spec, 'smoke');
  const only = [runId(first!)];
  const broken = await runFigure(spec, { scale: 'smoke', store, train, workers: 1, only });
  assert.equal(broken.runs[0]!.status, 'failed');
  assert.equal(broken.runs[0]!.metrics.length, 3, 'epochs 1-3 are kept');
  isBroken = false;
  const fixed = await runFigure(spec, { scale: 'smoke', store, train, workers: 1, only });
  assert.equal(calls.at(-1)?.startEpoch, 3, 'the checkpoint of epoch 3 was written although the default interval had not passed');
  assert.equal(fixed.runs[0]!.metrics.length, 6);
});

test('the seeds option runs seeds 0..k-1 and a larger k trains only the new seeds', async () => {
  const store = tempStore();
  const { train, calls } = fakeTrainer();
  const oneSeed = await runFigure(spec, { scale: 'smoke', seeds: 1, store, train, workers: 1 });
  assert.equal(oneSeed.runs.length, 2, 'two weights, one seed (the scale says two)');
  assert.deepEqual(oneSeed.runs.map((run) => run.config.seed), [0, 0]);
  const threeSeeds = await runFigure(spec, { scale: 'smoke', seeds: 3, store, train, workers: 1 });
  assert.equal(threeSeeds.runs.length, 6);
  assert.equal(calls.length, 6, 'seed 0 of each weight is reused, seeds 1 and 2 train');
  assert.deepEqual(calls.slice(2).map((call) => call.config.seed).sort(), [1, 1, 2, 2]);
  await assert.rejects(runFigure(spec, { scale: 'smoke', seeds: 0, store, train, workers: 1 }), /Seeds must be a positive integer/);
  assert.equal(calls.length, 6, 'a bad seed count trains nothing');
});
