import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { margins, perExampleLoss, weightedLoss } from '../../src/train/losses';

// Two examples, hand-computed. logits rows: [0, 0] (label 0) and [0, ln 3] (label 1).
// Cross entropy: example 0 has p = 1/2 -> ln 2; example 1 has p(base) = 3/4 -> ln(4/3).
const logits = () => tf.tensor2d([[0, 0], [0, Math.log(3)]]);
const labels = () => tf.tensor1d([0, 1], 'int32');

test('weighted cross entropy divides by the sum of the weights (PyTorch, NYU)', () => {
  const value = weightedLoss(logits(), labels(), [1, 4], { kind: 'cross-entropy', reduction: 'weights' }).dataSync()[0]!;
  const expected = (1 * Math.log(2) + 4 * Math.log(4 / 3)) / (1 + 4);
  assert.ok(Math.abs(value - expected) < 1e-6, `${value} vs ${expected}`);
});

test('weighted cross entropy with count reduction divides by the batch size', () => {
  const value = weightedLoss(logits(), labels(), [1, 4], { kind: 'cross-entropy', reduction: 'count' }).dataSync()[0]!;
  const expected = (Math.log(2) + 4 * Math.log(4 / 3)) / 2;
  assert.ok(Math.abs(value - expected) < 1e-6, `${value} vs ${expected}`);
});

test('equal class weights give the plain mean whatever their scale', () => {
  const plain = weightedLoss(logits(), labels(), [1, 1], { kind: 'cross-entropy', reduction: 'weights' }).dataSync()[0]!;
  const scaled = weightedLoss(logits(), labels(), [7, 7], { kind: 'cross-entropy', reduction: 'weights' }).dataSync()[0]!;
  assert.ok(Math.abs(plain - (Math.log(2) + Math.log(4 / 3)) / 2) < 1e-6);
  assert.ok(Math.abs(plain - scaled) < 1e-6);
});

test('margins are (logit_1 - logit_0) times the sign of the label', () => {
  assert.deepEqual(Array.from(margins(tf.tensor2d([[1, 3], [1, 3]]), tf.tensor1d([1, 0], 'int32')).dataSync()), [2, -2]);
});

test('exponential loss is exp(-margin), weighted', () => {
  const value = weightedLoss(logits(), labels(), [2, 1], { kind: 'exponential', reduction: 'weights' }).dataSync()[0]!;
  const expected = (2 * Math.exp(0) + 1 * Math.exp(-Math.log(3))) / 3;
  assert.ok(Math.abs(value - expected) < 1e-6, `${value} vs ${expected}`);
});

test('polynomial loss is continuous at margin 1 and decays as v^-alpha beyond', () => {
  const loss = { kind: 'polynomial', alpha: 2, reduction: 'count' } as const;
  const at = (v: number) => perExampleLoss(tf.tensor2d([[0, v]]), tf.tensor1d([1], 'int32'), loss).dataSync()[0]!;
  assert.ok(Math.abs(at(1) - 1) < 1e-6);
  assert.ok(Math.abs(at(1 - 1e-4) - 1) < 1e-3);
  assert.ok(Math.abs(at(4) - 1 / 16) < 1e-6);
  assert.ok(Math.abs(at(-2) - Math.log1p(Math.exp(2)) / Math.log1p(Math.exp(-1))) < 1e-5);
});

test('polynomial loss has finite gradients on both pieces', () => {
  const loss = { kind: 'polynomial', alpha: 1, reduction: 'count' } as const;
  const grad = tf.grad((z: tf.Tensor) => tf.sum(perExampleLoss(z as tf.Tensor2D, tf.tensor1d([1, 1], 'int32'), loss)));
  const g = grad(tf.tensor2d([[0, -3], [0, 5]])).dataSync();
  assert.ok(Array.from(g).every(Number.isFinite), `gradient ${g}`);
  // d/dv v^-1 = -1/25 at v = 5, and dv/dlogit_1 = +1.
  assert.ok(Math.abs(g[3]! + 1 / 25) < 1e-6);
});
