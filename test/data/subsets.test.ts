import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classIndices, mergeSorted, sampleWithoutReplacement, subsampledCount } from '../../src/data/subsets';
import { Rng } from '../../src/rng';

test('classIndices lists the images of the given classes in file order', () => {
  assert.deepEqual([...classIndices(Uint8Array.of(3, 5, 1, 5, 3, 0), [5, 3])], [0, 1, 3, 4]);
  assert.deepEqual([...classIndices(Uint8Array.of(1, 2), [7])], []);
});

test('sampling without replacement: distinct, ascending, from the pool, reproducible by seed', () => {
  const pool = Uint32Array.from({ length: 100 }, (_, i) => 3 * i);
  const a = sampleWithoutReplacement(pool, 30, new Rng(5));
  assert.equal(a.length, 30);
  assert.equal(new Set(a).size, 30);
  assert.ok(a.every((value, i) => value % 3 === 0 && (i === 0 || value > a[i - 1]!)));
  assert.deepEqual(a, sampleWithoutReplacement(pool, 30, new Rng(5)));
  assert.notDeepEqual(a, sampleWithoutReplacement(pool, 30, new Rng(6)));
});

test('"all" keeps the whole pool and draws nothing from the RNG', () => {
  const pool = Uint32Array.of(4, 8, 9);
  const rng = new Rng(1);
  const before = rng.state();
  assert.deepEqual(sampleWithoutReplacement(pool, undefined, rng), pool);
  assert.deepEqual(rng.state(), before);
  assert.throws(() => sampleWithoutReplacement(pool, 4, rng), RangeError);
});

test('a subset is uniform: every item is drawn about equally often', () => {
  const pool = Uint32Array.from({ length: 10 }, (_, i) => i);
  const counts = new Array<number>(10).fill(0);
  const rng = new Rng(11);
  for (let trial = 0; trial < 2000; trial++) for (const i of sampleWithoutReplacement(pool, 3, rng)) counts[i]!++;
  // Expected 600 each; binomial sd ~ 20, so 100 is five sd.
  assert.ok(counts.every((count) => Math.abs(count - 600) < 100), counts.join(','));
});

test('mergeSorted interleaves two ascending lists', () => {
  assert.deepEqual([...mergeSorted(Uint32Array.of(1, 4, 9), Uint32Array.of(0, 5, 6, 10))], [0, 1, 4, 5, 6, 9, 10]);
  assert.deepEqual([...mergeSorted(new Uint32Array(0), Uint32Array.of(2))], [2]);
});

test('sub-sampling keeps round(fraction * n), at least one, and refuses fractions outside (0, 1]', () => {
  assert.equal(subsampledCount(5000, 1 / 16), 313);
  assert.equal(subsampledCount(5000, 1), 5000);
  assert.equal(subsampledCount(10, 0.01), 1);
  assert.throws(() => subsampledCount(10, 0), RangeError);
  assert.throws(() => subsampledCount(10, 1.5), RangeError);
});
