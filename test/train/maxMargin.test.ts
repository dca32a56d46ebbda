import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateToyGaussian } from '../../src/data/toyGaussian';
import { NotSeparableError, angleBetween, maxMarginSvm } from '../../src/train/maxMargin';
import { Rng } from '../../src/rng';

test('four points: the SVM is the perpendicular bisector of the closest pair', () => {
  // Base class at (2, 0) and (3, 1); other class at (0, 0) and (-1, 5). Closest hull points: (2,0) and (0,0).
  const svm = maxMarginSvm([2, 0, 3, 1, 0, 0, -1, 5], [1, 1, 0, 0], 2);
  assert.ok(Math.abs(svm.direction[0]! - 1) < 1e-9 && Math.abs(svm.direction[1]!) < 1e-9, `direction ${svm.direction}`);
  assert.ok(Math.abs(svm.margin - 1) < 1e-9);
  assert.ok(Math.abs(svm.bias + 1) < 1e-9); // boundary x = 1
});

test('on the toy data every example is at least the margin away, and support vectors exactly at it', () => {
  const data = generateToyGaussian(256, new Rng(5));
  const svm = maxMarginSvm(data.points, data.labels, 2);
  assert.ok(svm.gap <= 1e-12, `gap ${svm.gap}`);
  let smallest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < data.labels.length; i++) {
    const signed = (data.labels[i] === 1 ? 1 : -1) * (svm.direction[0]! * data.points[2 * i]! + svm.direction[1]! * data.points[2 * i + 1]! + svm.bias);
    smallest = Math.min(smallest, signed);
  }
  assert.ok(Math.abs(smallest - svm.margin) < 1e-6, `smallest functional margin ${smallest} vs ${svm.margin}`);
  // Brute force over directions: none separates with a larger margin.
  for (let k = 0; k < 3600; k++) {
    const theta = (2 * Math.PI * k) / 3600;
    const [c, s] = [Math.cos(theta), Math.sin(theta)];
    let lowBase = Number.POSITIVE_INFINITY;
    let highOther = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < data.labels.length; i++) {
      const projection = c * data.points[2 * i]! + s * data.points[2 * i + 1]!;
      if (data.labels[i] === 1) lowBase = Math.min(lowBase, projection);
      else highOther = Math.max(highOther, projection);
    }
    assert.ok((lowBase - highOther) / 2 <= svm.margin + 1e-9);
  }
});

test('overlapping classes are reported as not separable', () => {
  assert.throws(() => maxMarginSvm([0, 0, 2, 0, 1, 0, 1, 1], [1, 1, 0, 0], 2), NotSeparableError);
});

test('angle between vectors in degrees', () => {
  assert.ok(Math.abs(angleBetween([1, 0], [1, 1]) - 45) < 1e-9);
  assert.equal(angleBetween([2, 0], [3, 0]), 0);
});
