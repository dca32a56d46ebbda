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
