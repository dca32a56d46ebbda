// A run resolved into the trainer's own config, and the trainer's lines labelled back as the run's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadFigureData } from '../../src/data/index';
import { expandRuns } from '../../src/experiments/expand';
import { subsamplingToy, toyGaussian } from '../../src/experiments/figures';
import { epochMetrics, lossClassWeights, runResult, trainRun, trainerConfig } from '../../src/experiments/trainRun';
import type { RunConfig } from '../../src/experiments/types';

const linearRun = (): RunConfig => ({ ...expandRuns(toyGaussian, 'smoke').find((run) => run.variant === 'linear' && run.classWeight !== 1)!, epochs: 3, snapshotEpochs: [3] });

test('the trainer config holds the loss weights, resolved, and nothing of the registry or the run id', () => {
  const run = linearRun();
  const config = trainerConfig(run);
  assert.deepEqual(Object.keys(config).sort(), ['epochs', 'evaluationCadence', 'evaluations', 'loss', 'lossWeights', 'model', 'optimizer', 'seed', 'snapshotEpochs']);
  assert.deepEqual(config.lossWeights, [1, run.classWeight]);
  assert.equal(config.evaluationCadence, 'log-spaced', 'a run without a cadence keeps the log-spaced one it always had');
  assert.equal(trainerConfig({ ...run, evaluationCadence: 'every-epoch' }).evaluationCadence, 'every-epoch');
  const subsampled = expandRuns(subsamplingToy, 'smoke').find((r) => r.weighting === 'subsample' && r.classWeight < 1)!;
  assert.deepEqual(trainerConfig(subsampled).lossWeights, [1, 1], 'sub-sampling realised the weight in the data');
  assert.deepEqual(lossClassWeights(subsampled), [1, 1]);
});

test('a labelled line keeps the key order metrics.jsonl has always had', () => {
  const line = epochMetrics(linearRun(), { epoch: 2, trainLoss: 0.5, wallTime: 1, trainAccuracy: 1, boundaryAngle: 3, boundaryOffset: 0.1 });
  assert.deepEqual(Object.keys(line), ['epoch', 'classWeight', 'seed', 'variant', 'trainLoss', 'wallTime', 'trainAccuracy', 'boundaryAngle', 'boundaryOffset']);
});

test('the metrics added with issue 13 come after every older key, in a fixed order', () => {
  const line = epochMetrics(linearRun(), {
    epoch: 2, trainLoss: 0.5, wallTime: 1, trainAccuracy: 1, inDomainFraction: 0.4, outOfDomainFraction: 0.3,
    inDomainAccuracy: 0.8, baseClassRecall: 0.7, otherClassRecall: 0.9, inDomainBaseProbability: 0.45, outOfDomainBaseProbability: 0.35, inDomainLoss: 0.6, peakMemoryMiB: 300,
  });
  assert.deepEqual(Object.keys(line), [
    'epoch', 'classWeight', 'seed', 'variant', 'trainLoss', 'wallTime', 'trainAccuracy', 'inDomainFraction', 'outOfDomainFraction',
    'inDomainAccuracy', 'baseClassRecall', 'otherClassRecall', 'inDomainBaseProbability', 'outOfDomainBaseProbability', 'inDomainLoss', 'peakMemoryMiB',
  ]);
});

test('the trainer returns its own result: no run id, no config, no placeholder fields; the run labels it', async () => {
  const run = linearRun();
  const trained = await trainRun(run, await loadFigureData(run.data, { seed: run.seed }));
  assert.deepEqual(Object.keys(trained).sort(), ['metrics', 'snapshots', 'status']);
  for (const line of trained.metrics) {
    assert.deepEqual(Object.keys(line).slice(0, 3), ['epoch', 'trainLoss', 'wallTime']);
    assert.equal('classWeight' in line || 'variant' in line || 'seed' in line, false);
    assert.ok(line.trainLoss > 0 && line.wallTime > 0, 'loss and time are measured, not zeros patched in later');
  }
  const result = runResult('abcdef012345', run, trained);
  assert.equal(result.runId, 'abcdef012345');
  assert.equal(result.config, run);
  assert.deepEqual(result.metrics.map((line) => [line.classWeight, line.seed, line.variant]), trained.metrics.map(() => [run.classWeight, run.seed, run.variant]));
  assert.deepEqual(result.snapshots, trained.snapshots);
});
