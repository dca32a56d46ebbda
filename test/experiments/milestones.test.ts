import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONSTANT_PREDICTOR_SHARE, FITTED_TRAIN_ACCURACY, isConstantPredictor, milestonesOf, runMilestones } from '../../src/experiments/milestones';
import { stepsPerEpoch, trainingExamples } from '../../src/experiments/steps';
import { expandRuns } from '../../src/experiments/expand';
import { cifarCnn, subsampling } from '../../src/experiments/figures';
import type { EpochMetrics, RunConfig } from '../../src/experiments/types';

const line = (epoch: number, fields: Partial<EpochMetrics>): EpochMetrics => ({ epoch, classWeight: 4, seed: 0, variant: 'cnn', trainLoss: 1, wallTime: 0, ...fields });

test('left = first evaluated epoch with no class above 99% of in-domain predictions; fitted = first with training accuracy >= 0.99', () => {
  assert.equal(CONSTANT_PREDICTOR_SHARE, 0.99);
  assert.equal(FITTED_TRAIN_ACCURACY, 0.99);
  const metrics = [
    line(1, { inDomainFraction: 1, trainAccuracy: 0.5 }),
    line(2, {}), // not evaluated
    line(3, { inDomainFraction: 0.996, trainAccuracy: 0.5 }), // 2 of 500 images flipped: still constant
    line(5, { inDomainFraction: 0.9, trainAccuracy: 0.7 }),
    line(8, { inDomainFraction: 0.003, trainAccuracy: 0.985 }), // back to constant: the first departure counts
    line(13, { inDomainFraction: 0.6, trainAccuracy: 0.99 }),
  ];
  // 25 steps an epoch: 200 images in batches of 16 take floor(200 / 16) = 12, so pass 25 to see the product.
  assert.deepEqual(milestonesOf(metrics, 25), { leftConstantEpoch: 5, leftConstantStep: 125, fittedEpoch: 13, fittedStep: 325, hasFitted: true });
  assert.deepEqual(milestonesOf(metrics.slice(0, 5), 25), { leftConstantEpoch: 5, leftConstantStep: 125, hasFitted: false }, 'did not fit');
  assert.deepEqual(milestonesOf(metrics.slice(0, 3), 25), { hasFitted: false }, 'never left the constant predictor');
  assert.ok(isConstantPredictor(0.995) && isConstantPredictor(0.005) && !isConstantPredictor(0.99) && !isConstantPredictor(0.5));
});

test('steps per epoch follow the trainer: floor(examples / batch), the sub-sampled base class counted as the data layer keeps it', () => {
  // On 500 + 500 images, whatever the registry's quick sizes are.
  const registryQuick = expandRuns(cifarCnn, 'quick')[0]!;
  const quick = { ...registryQuick, data: { ...registryQuick.data, perClass: 500 } };
  assert.equal(trainingExamples(quick.data), 1000);
  assert.equal(stepsPerEpoch(quick), 62); // floor(1000 / 16)
  const paper = expandRuns(cifarCnn, 'paper')[0]!;
  assert.equal(stepsPerEpoch(paper), 625); // 10000 / 16
  const registrySubsampled = expandRuns(subsampling, 'quick').find((run) => run.weighting === 'subsample' && run.classWeight === 1 / 4)!;
  const subsampled = { ...registrySubsampled, data: { ...registrySubsampled.data, perClass: 500 } };
  assert.equal(trainingExamples(subsampled.data), 625); // 125 of 500 dogs + 500 cats
  assert.equal(stepsPerEpoch(subsampled), 39); // floor(625 / 16)
  const fullBatch = { data: { source: 'toy-gaussian', perClass: 512 }, optimizer: { kind: 'sgd', learningRate: 1, batchSize: 0, weightDecay: 0 } } as Pick<RunConfig, 'data' | 'optimizer'>;
  assert.equal(stepsPerEpoch(fullBatch), 1);
  const mnistPaper = { data: { source: 'mnist', classes: ['0', '1'] }, optimizer: { kind: 'sgd', learningRate: 0.1, batchSize: 16, weightDecay: 0 } } as Pick<RunConfig, 'data' | 'optimizer'>;
  assert.equal(trainingExamples(mnistPaper.data), 5923 + 6742);
  assert.equal(runMilestones({ config: quick, metrics: [line(3, { inDomainFraction: 0.5, trainAccuracy: 1 })] }).fittedStep, 186); // epoch 3 x 62 steps
});
