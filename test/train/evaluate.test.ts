import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { buildLinear } from '../../src/models/mlp';
import { accuracy, baseClassFraction, boundaryCrossing } from '../../src/train/evaluate';
import { Rng } from '../../src/rng';

/** A linear model whose score is f(x, y) = a x + b y + c (logit_0 is held at 0). */
function linearScore(a: number, b: number, c: number) {
  const model = buildLinear({ kind: 'linear', inputSize: 2 }, new Rng(0));
  model.params[0]!.assign(tf.tensor2d([[0, a], [0, b]]));
  model.params[1]!.assign(tf.tensor1d([0, c]));
  return model;
}

test('boundary crossing of a linear model: offset from the midpoint, angle of the normal', () => {
  const shifted = boundaryCrossing(linearScore(1, 0, -0.5), [1, 0], [-1, 0])!;
  assert.ok(Math.abs(shifted.offset - 0.5) < 1e-3, `offset ${shifted.offset}`);
  assert.ok(Math.abs(shifted.angle) < 1e-3, `angle ${shifted.angle}`);
  const tilted = boundaryCrossing(linearScore(1, 1, 0), [1, 0], [-1, 0])!;
  assert.ok(Math.abs(tilted.offset) < 1e-3);
  assert.ok(Math.abs(tilted.angle - 45) < 1e-2, `angle ${tilted.angle}`);
});

test('a boundary that misses the axis between the means gives no crossing', () => {
  assert.equal(boundaryCrossing(linearScore(1, 0, 10), [1, 0], [-1, 0]), undefined);
});

test('fractions and accuracy', () => {
  assert.equal(baseClassFraction(Uint8Array.from([1, 0, 1, 1])), 0.75);
  assert.equal(accuracy(Uint8Array.from([1, 0, 1, 1]), Uint8Array.from([1, 1, 1, 0])), 0.5);
});

test('implicit bias: a linear model set to the SVM direction has angle 0 and the SVM margin', async () => {
  const { generateToyGaussian, toySource } = await import('../../src/data/toyGaussian');
  const { maxMarginSvm } = await import('../../src/train/maxMargin');
  const { implicitBias } = await import('../../src/train/evaluate');
  const data = generateToyGaussian(64, new Rng(9));
  const svm = maxMarginSvm(data.points, data.labels, 2);
  const model = linearScore(svm.direction[0]! * 3, svm.direction[1]! * 3, svm.bias * 3);
  const bias = implicitBias(model, toySource(data))!;
  assert.ok(bias.angle < 1e-3, `angle ${bias.angle}`);
  assert.ok(Math.abs(bias.modelMargin - svm.margin) < 1e-5);
  assert.ok(Math.abs(bias.svmMargin - svm.margin) < 1e-9);
  const tilted = implicitBias(linearScore(svm.direction[0]! + 0.3, svm.direction[1]!, svm.bias), toySource(data))!;
  assert.ok(tilted.angle > 1 && tilted.modelMargin < svm.margin);
});

test('log-spaced epochs: every epoch to 20, then about twenty a decade', async () => {
  const { isLogSpacedEpoch } = await import('../../src/train/evaluate');
  const chosen = Array.from({ length: 10000 }, (_, i) => i + 1).filter(isLogSpacedEpoch);
  assert.ok(chosen.slice(0, 20).every((e, i) => e === i + 1));
  assert.ok(chosen.includes(100) && chosen.includes(1000) && chosen.includes(10000));
  assert.ok(chosen.length < 90, `${chosen.length} epochs`);
});

/** Four points on the x axis, two per class; with f = x the model gets one of each class wrong. */
function fourImages() {
  const points = [2, 0, -1, 0, -3, 0, 0.5, 0];
  const labels = Uint8Array.from([1, 1, 0, 0]);
  return {
    name: 'four',
    count: 4,
    exampleShape: [2],
    labels,
    batch: (indices: ArrayLike<number>) => tf.tensor2d(Array.from(indices).flatMap((i) => [points[2 * i]!, points[2 * i + 1]!]), [indices.length, 2]),
  };
}

test('recall of each class, base-class probability and unweighted loss of a 4-image example, worked by hand', async () => {
  const { classRecall, mean, predict } = await import('../../src/train/evaluate');
  const source = fourImages();
  // f = x: predictions 1, 0, 0, 1 against labels 1, 1, 0, 0.
  const predictions = predict(linearScore(1, 0, 0), source, { kind: 'cross-entropy', reduction: 'weights' });
  assert.deepEqual(Array.from(predictions.labels), [1, 0, 0, 1]);
  assert.equal(classRecall(predictions.labels, source.labels, 1), 0.5);
  assert.equal(classRecall(predictions.labels, source.labels, 0), 0.5);
  assert.equal(accuracy(predictions.labels, source.labels), 0.5);
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
  // p(base) = sigmoid(x): 0.8808, 0.2689, 0.0474, 0.6225; mean 0.4549.
  assert.ok(Math.abs(mean(predictions.baseProbability) - (sigmoid(2) + sigmoid(-1) + sigmoid(-3) + sigmoid(0.5)) / 4) < 1e-6);
  assert.ok(Math.abs(mean(predictions.baseProbability) - 0.4549) < 1e-4);
  // Cross entropy softplus(-margin): 0.1269 + 1.3133 + 0.0486 + 0.9741 = 2.4629, mean 0.6157.
  assert.ok(Math.abs(mean(predictions.loss!) - 0.6157) < 1e-4, `loss ${mean(predictions.loss!)}`);
  assert.equal(predict(linearScore(1, 0, 0), source).loss, undefined, 'no loss without a loss spec');
  // A class with no examples has no recall, not a recall of 0.
  assert.ok(Number.isNaN(classRecall(Uint8Array.from([1, 1]), Uint8Array.from([1, 1]), 0)));
});

test('the evaluated epochs of each cadence: log-spaced thins out after 20, every-epoch keeps all, the last always', async () => {
  const { isEvaluatedEpoch } = await import('../../src/train/evaluate');
  const evaluated = (cadence: 'log-spaced' | 'every-epoch', epochs: number) => Array.from({ length: epochs }, (_, i) => i + 1).filter((epoch) => isEvaluatedEpoch(cadence, epoch, epochs));
  assert.equal(evaluated('every-epoch', 100).length, 100);
  const logSpaced = evaluated('log-spaced', 100);
  assert.deepEqual(logSpaced.slice(0, 20), Array.from({ length: 20 }, (_, i) => i + 1));
  assert.ok(logSpaced.length < 50, `${logSpaced.length} of 100`);
  assert.ok(evaluated('log-spaced', 97).includes(97), 'the last epoch is evaluated');
});
