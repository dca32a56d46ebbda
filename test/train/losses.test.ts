import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { LossSpec } from '../../src/experiments/types';
import { polyLossCifar } from '../../src/experiments/figures';
import { LossSpecError, checkLossSpec, margins, perExampleLoss, weightedLoss } from '../../src/train/losses';

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

// Wang et al.'s l_{alpha,beta}, written out in plain numbers: the reference the tensors must match.
const C = Math.log1p(Math.exp(-1));
const softplus = (x: number) => Math.log1p(Math.exp(x));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const reference = (v: number, alpha: number, beta: number) => (v < beta ? softplus(-(v - beta + 1)) / C : (v - (beta - 1)) ** -alpha);
const referenceSlope = (v: number, alpha: number, beta: number) => (v < beta ? -sigmoid(-(v - beta + 1)) / C : -alpha * (v - (beta - 1)) ** (-alpha - 1));
const poly = (alpha: number, beta: number): LossSpec => ({ kind: 'polynomial', alpha, beta, reduction: 'count' });

/** Loss of one base-class example (label 1) whose margin is v: logits [0, v]. */
function polyAt(vs: number[], loss: LossSpec): number[] {
  return Array.from(perExampleLoss(tf.tensor2d(vs.map((v) => [0, v])), tf.tensor1d(vs.map(() => 1), 'int32'), loss).dataSync());
}

const close = (a: number, b: number, relative = 1e-5) => Math.abs(a - b) <= relative * Math.max(1, Math.abs(b));

for (const [alpha, beta] of [[1, 1], [2, 1], [0.5, 2.5], [3, -0.5]] as const) {
  test(`polynomial loss (alpha ${alpha}, beta ${beta}) matches the definition on both sides of beta`, () => {
    const vs = [beta - 6, beta - 1.5, beta - 0.25, beta, beta + 0.25, beta + 3, beta + 40];
    polyAt(vs, poly(alpha, beta)).forEach((value, i) => assert.ok(close(value, reference(vs[i]!, alpha, beta)), `v = ${vs[i]}: ${value} vs ${reference(vs[i]!, alpha, beta)}`));
  });

  test(`polynomial loss (alpha ${alpha}, beta ${beta}) is continuous at beta, where both pieces equal 1`, () => {
    const [below, at, above] = polyAt([beta - 1e-3, beta, beta + 1e-3], poly(alpha, beta));
    assert.ok(close(at!, 1), `at beta: ${at}`);
    // Each side is within its own slope times the step of 1.
    assert.ok(Math.abs(below! - 1) < 1e-3 && Math.abs(above! - 1) < 1e-3 * alpha + 1e-5, `${below}, ${above}`);
  });

  test(`polynomial loss (alpha ${alpha}, beta ${beta}) has the definition's slope on both sides, through either logit and label`, () => {
    const vs = [beta - 2, beta - 0.5, beta + 0.5, beta + 4];
    // Base-class examples (label 1, margin = logit_1 - logit_0) and other-class ones (label 0, margin = logit_0 - logit_1).
    const logits = tf.tensor2d([...vs.map((v) => [0, v]), ...vs.map((v) => [v, 0])]);
    const labels = tf.tensor1d([...vs.map(() => 1), ...vs.map(() => 0)], 'int32');
    const grad = tf.grad((z: tf.Tensor) => tf.sum(perExampleLoss(z as tf.Tensor2D, labels, poly(alpha, beta))))(logits).arraySync() as number[][];
    vs.forEach((v, i) => {
      const slope = referenceSlope(v, alpha, beta);
      assert.ok(close(grad[i]![1]!, slope, 1e-4) && close(grad[i]![0]!, -slope, 1e-4), `label 1, v = ${v}: ${grad[i]} vs slope ${slope}`);
      assert.ok(close(grad[vs.length + i]![0]!, slope, 1e-4) && close(grad[vs.length + i]![1]!, -slope, 1e-4), `label 0, v = ${v}: ${grad[vs.length + i]}`);
    });
  });
}

test('polynomial tail decays polynomially: doubling the shifted margin divides the loss by 2^alpha, where cross entropy falls exponentially', () => {
  const [alpha, beta] = [2, 1.5];
  const [near, far] = polyAt([beta - 1 + 10, beta - 1 + 20], poly(alpha, beta));
  assert.ok(close(near! / far!, 2 ** alpha, 1e-4), `${near} / ${far}`);
  const ce = perExampleLoss(tf.tensor2d([[0, 10], [0, 20]]), tf.tensor1d([1, 1], 'int32'), { kind: 'cross-entropy', reduction: 'count' }).dataSync();
  assert.ok(ce[0]! / ce[1]! > 1e4, 'cross entropy shrinks by e^10 over the same step');
});

test('polynomial loss is importance-weighted like the others', () => {
  const loss = { kind: 'polynomial', alpha: 1, beta: 1, reduction: 'weights' } as const;
  // Label 0 with margin -2 (logits [0, 2]) and label 1 with margin 4 (logits [0, 4]).
  const value = weightedLoss(tf.tensor2d([[0, 2], [0, 4]]), tf.tensor1d([0, 1], 'int32'), [3, 1], loss).dataSync()[0]!;
  const expected = (3 * reference(-2, 1, 1) + 1 * reference(4, 1, 1)) / 4;
  assert.ok(close(value, expected), `${value} vs ${expected}`);
});

test('a polynomial loss with alpha <= 0 or a non-finite beta is refused with the field to fix', () => {
  for (const alpha of [0, -1, Number.NaN]) {
    assert.throws(() => checkLossSpec(poly(alpha, 1)), (error: unknown) => error instanceof LossSpecError && /alpha > 0/.test(error.message) && /loss\.alpha/.test(error.message));
    assert.throws(() => polyAt([1], poly(alpha, 1)), LossSpecError);
  }
  assert.throws(() => checkLossSpec(poly(1, Number.POSITIVE_INFINITY)), (error: unknown) => error instanceof LossSpecError && /loss\.beta/.test(error.message));
  assert.doesNotThrow(() => checkLossSpec(poly(0.25, -3)));
  assert.doesNotThrow(() => checkLossSpec({ kind: 'cross-entropy', reduction: 'weights' }));
});

test("below the joint the polynomial loss is cross entropy over softplus(-1), so poly-loss-cifar's learning rate steps exactly as cross entropy's at lr 0.1", () => {
  const polynomialVariants = polyLossCifar.variants.filter((variant) => variant.loss?.kind === 'polynomial');
  assert.ok(polynomialVariants.length > 0);
  // Margins below 1, both labels: the weighted batch gradient of each loss with respect to the logits.
  const logits = tf.tensor2d([[0, -3], [0, -0.5], [0, 0.9], [0.5, 0], [-2, 0]]); // margins -3, -0.5, 0.9, 0.5, -2
  const labels = tf.tensor1d([1, 1, 1, 0, 0], 'int32');
  const stepOf = (loss: LossSpec, learningRate: number) =>
    (tf.grad((z: tf.Tensor) => weightedLoss(z as tf.Tensor2D, labels, [1, 4], loss))(logits).mul(learningRate).arraySync() as number[][]).flat();
  const crossEntropyStep = stepOf(polyLossCifar.loss, polyLossCifar.optimizer.learningRate);
  for (const variant of polynomialVariants) {
    const step = stepOf(variant.loss!, variant.optimizer!.learningRate!);
    step.forEach((value, i) => assert.ok(close(value, crossEntropyStep[i]!, 1e-4), `${variant.id}, entry ${i}: ${value} vs ${crossEntropyStep[i]}`));
  }
});
