import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_EPSILON, BatchNorm } from '../../src/models/batchNorm';
import { useWasm } from './modelTestUtils';

before(useWasm);

test('batch norm follows PyTorch: biased variance to normalise, unbiased variance into the running stats', () => {
  // One channel, values 1 and 3: batch mean 2, biased variance 1, unbiased variance 2.
  const norm = new BatchNorm(1, 'test/bn');
  const x = tf.tensor4d([1, 3], [2, 1, 1, 1]);
  const y = tf.tidy(() => norm.apply(x, true).dataSync());
  const scale = 1 / Math.sqrt(1 + BATCH_NORM_EPSILON);
  assert.ok(Math.abs(y[0]! + scale) < 1e-6 && Math.abs(y[1]! - scale) < 1e-6);
  assert.ok(Math.abs(norm.runningMean.dataSync()[0]! - 0.2) < 1e-7); // 0.9 * 0 + 0.1 * 2
  assert.ok(Math.abs(norm.runningVariance.dataSync()[0]! - 1.1) < 1e-6); // 0.9 * 1 + 0.1 * 2
  // Evaluation uses the running statistics: (x - 0.2) / sqrt(1.1 + eps).
  const z = tf.tidy(() => norm.apply(x, false).dataSync());
  assert.ok(Math.abs(z[1]! - (3 - 0.2) / Math.sqrt(1.1 + BATCH_NORM_EPSILON)) < 1e-5);
  x.dispose();
  [...norm.params, ...norm.buffers].forEach((v) => v.dispose());
});

test('gradients reach gamma and beta but not the running statistics', () => {
  const norm = new BatchNorm(2, 'test/bn2');
  const x = tf.tensor4d([1, 2, 3, 5, 0, 1, 2, 2], [2, 2, 1, 2]);
  const { grads } = tf.variableGrads(() => tf.sum(tf.mul(norm.apply(x, true), tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 1, 2]))) as tf.Scalar, norm.params);
  assert.deepEqual(Object.keys(grads).sort(), norm.params.map((p) => p.name).sort());
  // d/d beta of sum(y * r) is sum of r per channel: 1+3+5+7 and 2+4+6+8.
  assert.deepEqual(Array.from(grads[norm.beta.name]!.dataSync()), [16, 20]);
  tf.dispose([x, ...Object.values(grads)]);
  [...norm.params, ...norm.buffers].forEach((v) => v.dispose());
});

test('the closed-form batch-norm gradient equals autodiff through moments()', () => {
  const norm = new BatchNorm(3, 'test/bn3');
  const values = Array.from({ length: 2 * 3 * 2 * 3 }, (_, i) => Math.sin(i * 1.7) * 2 + (i % 3));
  const x = tf.tensor4d(values, [2, 3, 2, 3]);
  const r = tf.tensor4d(values.map((v, i) => Math.cos(i + v)), [2, 3, 2, 3]);
  norm.gamma.assign(tf.tensor1d([0.5, -1.5, 2]));
  norm.beta.assign(tf.tensor1d([0.1, 0.2, -0.3]));
  const reference = (xi: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor) => {
    const { mean, variance } = tf.moments(xi, [0, 1, 2]);
    return tf.add(tf.mul(tf.div(tf.sub(xi, mean), tf.sqrt(tf.add(variance, BATCH_NORM_EPSILON))), gamma), beta);
  };
  const objective = (f: (xi: tf.Tensor4D, g: tf.Tensor, b: tf.Tensor) => tf.Tensor) => (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.mul(f(xi as tf.Tensor4D, g, b), r));
  const expected = tf.grads(objective(reference))([x, norm.gamma, norm.beta]);
  const actual = tf.grads(objective((xi) => norm.apply(xi, true)))([x, norm.gamma, norm.beta]);
  for (const [i, e] of expected.entries()) {
    const diff = tf.max(tf.abs(tf.sub(actual[i]!, e))).dataSync()[0]!;
    assert.ok(diff < 1e-4, `gradient ${i}: ${diff}`);
  }
  tf.dispose([x, r, ...expected, ...actual]);
  [...norm.params, ...norm.buffers].forEach((v) => v.dispose());
});
