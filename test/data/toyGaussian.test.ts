import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TOY_TRUNCATION_RADIUS, generateToyGaussian, toySource } from '../../src/data/toyGaussian';
import { Rng } from '../../src/rng';

test('toy data: base class first, the other class its mirror image', () => {
  const data = generateToyGaussian(100, new Rng(0));
  assert.equal(data.labels.length, 200);
  assert.equal(data.labels.slice(0, 100).every((l) => l === 1), true);
  assert.equal(data.labels.slice(100).every((l) => l === 0), true);
  for (let i = 0; i < 100; i++) {
    assert.ok(Math.abs(data.points[2 * i]! + data.points[2 * (100 + i)]!) < 1e-6);
    assert.ok(Math.abs(data.points[2 * i + 1]! + data.points[2 * (100 + i) + 1]!) < 1e-6);
  }
});

test('toy data is standardised per feature', () => {
  const { points } = generateToyGaussian(256, new Rng(1));
  for (const f of [0, 1]) {
    const values = Array.from({ length: 512 }, (_, i) => points[2 * i + f]!);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    assert.ok(Math.abs(mean) < 1e-5);
    assert.ok(Math.abs(variance - 1) < 1e-4);
  }
});

test('raw base-class points lie within the truncation radius of (3, -3)', () => {
  const data = generateToyGaussian(300, new Rng(2));
  for (let i = 0; i < 300; i++) {
    const x = data.points[2 * i]! * data.std[0] + data.mean[0];
    const y = data.points[2 * i + 1]! * data.std[1] + data.mean[1];
    assert.ok(Math.hypot(x - 3, y + 3) < TOY_TRUNCATION_RADIUS + 1e-4);
  }
});

test('the classes are linearly separable by the anti-diagonal', () => {
  const data = generateToyGaussian(512, new Rng(3));
  // Raw base points have x - y > 6 - 2 * 4 * sqrt(2)/2 ... simpler: x - y > 0 always (centre distance 3*sqrt(2) > 4 / sqrt(2)... checked numerically).
  for (let i = 0; i < 1024; i++) {
    const x = data.points[2 * i]! * data.std[0] + data.mean[0];
    const y = data.points[2 * i + 1]! * data.std[1] + data.mean[1];
    assert.equal(x - y > 0, data.labels[i] === 1);
  }
});

test('toySource gathers rows in the order asked', () => {
  const data = generateToyGaussian(4, new Rng(4));
  const batch = toySource(data).batch([5, 0]);
  assert.deepEqual(batch.shape, [2, 2]);
  const values = batch.dataSync();
  assert.deepEqual(Array.from(values), [data.points[10], data.points[11], data.points[0], data.points[1]]);
});
