import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meanInterval, tQuantile975 } from '../../src/experiments/stats';

test('95% interval of three values uses t with 2 degrees of freedom', () => {
  // mean 2, sample sd 1, half-width 4.303 / sqrt(3)
  const { mean, low, high, count } = meanInterval([1, 2, 3]);
  assert.equal(count, 3);
  assert.equal(mean, 2);
  assert.ok(Math.abs(high - 2 - 4.303 / Math.sqrt(3)) < 1e-9);
  assert.ok(Math.abs(2 - low - 4.303 / Math.sqrt(3)) < 1e-9);
});

test('one seed gives a zero-width interval; non-finite values are ignored', () => {
  assert.deepEqual(meanInterval([0.4, Number.NaN]), { mean: 0.4, low: 0.4, high: 0.4, count: 1 });
  assert.equal(meanInterval([]).count, 0);
});

test('t quantiles approach the normal one', () => {
  assert.equal(tQuantile975(1), 12.706);
  assert.equal(tQuantile975(1000), 1.96);
  assert.throws(() => tQuantile975(0), RangeError);
});
