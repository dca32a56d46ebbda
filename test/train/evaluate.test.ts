import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { buildLinear } from '../../src/models/mlp';
import { accuracy, baseClassFraction, boundaryCrossing } from '../../src/train/evaluate';
import { Rng } from '../../src/train/rng';

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
