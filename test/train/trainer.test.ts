import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { loadFigureData } from '../../src/data/index';
import { type Checkpoint, DivergenceError, train } from '../../src/train/trainer';
import type { TrainConfig, TrainEpochMetrics } from '../../src/train/types';

const TOY_DATA = { source: 'toy-gaussian', perClass: 32 } as const;

function toyConfig(overrides: Partial<TrainConfig> = {}): TrainConfig {
  return {
    seed: 0,
    model: { kind: 'linear', inputSize: 2 },
    loss: { kind: 'cross-entropy', reduction: 'weights' },
    lossWeights: [1, 4],
    optimizer: { kind: 'sgd', learningRate: 1, batchSize: 0, weightDecay: 0 },
    epochs: 30,
    evaluations: ['boundary'],
    evaluationCadence: 'log-spaced',
    snapshotEpochs: [0, 30],
    ...overrides,
  };
}

// Wall time and peak memory: the two fields measured from the machine, which differ between identical runs.
const withoutTime = (lines: TrainEpochMetrics[]) => lines.map(({ wallTime: _wallTime, peakMemoryMiB: _peakMemoryMiB, ...rest }) => rest);

test('trains a linear model to separate the toy data', async () => {
  const config = toyConfig();
  const result = await train(config, await loadFigureData(TOY_DATA, { seed: 0 }));
  assert.equal(result.status, 'done');
  assert.equal(result.metrics.length, 30);
  assert.equal(result.metrics.at(-1)!.trainAccuracy, 1);
  assert.ok(result.metrics.at(-1)!.trainLoss < result.metrics[0]!.trainLoss);
  assert.deepEqual(result.snapshots.map((s) => s.epoch), [0, 30]);
  assert.ok(Number.isFinite(result.metrics.at(-1)!.boundaryOffset));
});

test('up-weighting the base class moves the boundary towards the other class', async () => {
  const offsets = [];
  for (const classWeight of [1 / 16, 16]) {
    const config = toyConfig({ lossWeights: [1, classWeight], epochs: 10 });
    const result = await train(config, await loadFigureData(TOY_DATA, { seed: 0 }));
    offsets.push(result.metrics.at(-1)!.boundaryOffset!);
  }
  assert.ok(offsets[0]! > 0 && offsets[1]! < 0, `offsets ${offsets}`);
});

test('a run resumed from a checkpoint gives the metrics of an uninterrupted run', async () => {
  // Mini-batches and an MLP, so shuffling and initialisation both go through the checkpointed RNG.
  const config = toyConfig({ model: { kind: 'mlp', inputSize: 2, hidden: 8 }, optimizer: { kind: 'sgd', learningRate: 0.5, batchSize: 16, weightDecay: 1e-3 }, epochs: 6 });
  const data = await loadFigureData(TOY_DATA, { seed: 0 });
  const checkpoints: Checkpoint[] = [];
  const full = await train(config, data, { onCheckpoint: (c) => void checkpoints.push(c) });
  assert.equal(checkpoints.length, 6);
  const atThree = checkpoints[2]!;
  const resumed = await train(config, data, { resumeFrom: { checkpoint: atThree, metrics: full.metrics.slice(0, 3) } });
  assert.deepEqual(withoutTime(resumed.metrics), withoutTime(full.metrics));
  assert.deepEqual(resumed.snapshots, full.snapshots);
});

test('a diverging loss fails the run and keeps the finished epochs', async () => {
  // Weight decay with learningRate * weightDecay = 1000 multiplies the weights by about -999 per step:
  // they overflow float32 within two epochs of 8 steps.
  const config = toyConfig({ optimizer: { kind: 'sgd', learningRate: 10, batchSize: 8, weightDecay: 100 }, epochs: 50 });
  const seen: TrainEpochMetrics[] = [];
  const result = await train(config, await loadFigureData(TOY_DATA, { seed: 0 }), { onEpoch: (line) => void seen.push(line) });
  assert.equal(result.status, 'failed');
  assert.match(result.error ?? '', /diverged at epoch (\d+)/);
  const epoch = Number(/epoch (\d+)/.exec(result.error!)![1]);
  assert.ok(epoch >= 2, 'the first epoch should finish');
  assert.equal(result.metrics.length, epoch - 1);
  assert.deepEqual(seen, result.metrics);
});

test('an aborted run stops with the epochs it finished', async () => {
  const controller = new AbortController();
  const config = toyConfig({ epochs: 1000 });
  const result = await train(config, await loadFigureData(TOY_DATA, { seed: 0 }), {
    signal: controller.signal,
    onEpoch: (line) => {
      if (line.epoch === 3) controller.abort();
    },
  });
  assert.equal(result.status, 'stopped');
  assert.equal(result.metrics.length, 3);
});

test('training leaves no tensors behind', async () => {
  const config = toyConfig({ model: { kind: 'mlp', inputSize: 2, hidden: 8 }, epochs: 3 });
  const data = await loadFigureData(TOY_DATA, { seed: 0 });
  const before = tf.memory().numTensors;
  await train(config, data, { onCheckpoint: () => undefined });
  assert.equal(tf.memory().numTensors, before);
});

test('a run diverging at its first epoch says nothing is kept, not "Epochs 1-0 are kept"', () => {
  assert.match(new DivergenceError(1, Number.NaN).message, /^Training diverged at epoch 1 \(loss NaN\)\. No epoch finished before it, so nothing is kept; lower the learning rate/);
  assert.match(new DivergenceError(2, Number.POSITIVE_INFINITY).message, /Epoch 1 is kept;/);
  assert.match(new DivergenceError(7, Number.NaN).message, /Epochs 1-6 are kept;/);
});

test('untilEpoch stops after that epoch with status stopped and a checkpoint there; resuming gives the uninterrupted metrics', async () => {
  const config = toyConfig({ model: { kind: 'mlp', inputSize: 2, hidden: 8 }, optimizer: { kind: 'sgd', learningRate: 0.5, batchSize: 16, weightDecay: 1e-3 }, epochs: 25 });
  const data = await loadFigureData(TOY_DATA, { seed: 0 });
  const full = await train(config, data);
  const checkpoints: Checkpoint[] = [];
  const partial = await train(config, data, { untilEpoch: 22, onCheckpoint: (c) => void checkpoints.push(c) });
  assert.equal(partial.status, 'stopped');
  assert.equal(partial.metrics.length, 22);
  assert.equal(checkpoints.at(-1)!.epoch, 22);
  // Epochs 21 and 22 are not log-spaced evaluations; the partial run must not evaluate its stopping epoch either.
  assert.deepEqual(withoutTime(partial.metrics), withoutTime(full.metrics.slice(0, 22)));
  const resumed = await train(config, data, { resumeFrom: { checkpoint: checkpoints.at(-1)!, metrics: partial.metrics } });
  assert.equal(resumed.status, 'done');
  assert.deepEqual(withoutTime(resumed.metrics), withoutTime(full.metrics));
  const again = await train(config, data, { untilEpoch: 10, resumeFrom: { checkpoint: checkpoints.at(-1)!, metrics: partial.metrics } });
  assert.equal(again.status, 'stopped', 'a checkpoint past untilEpoch trains nothing more and stays unfinished');
  assert.equal(again.metrics.length, 22);
  assert.equal((await train(config, data, { untilEpoch: 99 })).status, 'done', 'untilEpoch past the end trains to the end');
});

test('the fractions evaluation records accuracy, recalls, base-class probabilities and the test loss on every evaluated epoch', async () => {
  const data = await loadFigureData(TOY_DATA, { seed: 0 });
  // The toy training set stands in for both test sets: in domain its accuracy is the training accuracy.
  const withTests = { ...data, inDomain: data.train, outOfDomain: data.train };
  const every = await train(toyConfig({ evaluations: ['fractions'], evaluationCadence: 'every-epoch', epochs: 25 }), withTests);
  assert.equal(every.metrics.filter((line) => line.inDomainAccuracy !== undefined).length, 25);
  const logSpaced = await train(toyConfig({ evaluations: ['fractions'], epochs: 25 }), withTests);
  assert.equal(logSpaced.metrics.filter((line) => line.inDomainAccuracy !== undefined).length, 22, 'epochs 1-20, 23 (floor(20 log10 e) steps there) and the last, 25');
  for (const line of every.metrics) {
    assert.equal(line.inDomainAccuracy, line.trainAccuracy);
    // Balanced classes: accuracy is the mean of the two recalls.
    assert.ok(Math.abs(line.inDomainAccuracy! - (line.baseClassRecall! + line.otherClassRecall!) / 2) < 1e-12);
    assert.equal(line.inDomainBaseProbability, line.outOfDomainBaseProbability);
    assert.ok(line.inDomainLoss! > 0 && line.inDomainBaseProbability! > 0 && line.inDomainBaseProbability! < 1);
    assert.ok(line.peakMemoryMiB! > 10, `peak memory ${line.peakMemoryMiB} MiB`);
  }
  assert.ok(every.metrics.at(-1)!.inDomainLoss! < every.metrics[0]!.inDomainLoss!, 'the unweighted test loss falls as the model learns');
});
