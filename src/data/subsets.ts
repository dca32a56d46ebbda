import type { Rng } from '../rng';

/**
 * Seeded subsets of a labelled split: which images of which classes a run sees. Everything works
 * on ascending index lists so readers can stream files once, in order.
 */

/** Ascending indices of the images whose class is in `classes`. */
export function classIndices(labels: Uint8Array, classes: readonly number[]): Uint32Array {
  const wanted = new Set(classes);
  let count = 0;
  for (const label of labels) if (wanted.has(label)) count++;
  const indices = new Uint32Array(count);
  let next = 0;
  labels.forEach((label, index) => {
    if (wanted.has(label)) indices[next++] = index;
  });
  return indices;
}

/**
 * `size` distinct entries of `pool` drawn uniformly without replacement, returned ascending.
 * size undefined (or the whole pool) keeps every entry and draws nothing, so "all" never depends
 * on the seed.
 */
export function sampleWithoutReplacement(pool: Uint32Array, size: number | undefined, rng: Rng): Uint32Array {
  if (size === undefined || size === pool.length) return pool.slice();
  if (!Number.isInteger(size) || size < 0 || size > pool.length) {
    throw new RangeError(`Cannot draw ${size} of ${pool.length} items without replacement.`);
  }
  const order = rng.permutation(pool.length);
  const chosen = new Uint32Array(size);
  for (let i = 0; i < size; i++) chosen[i] = pool[order[i]!]!;
  return chosen.sort();
}

/** The union of two disjoint ascending index lists, ascending. */
export function mergeSorted(a: Uint32Array, b: Uint32Array): Uint32Array {
  const merged = new Uint32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! < b[j]!)) merged[k++] = a[i++]!;
    else merged[k++] = b[j++]!;
  }
  return merged;
}

/** How many images of the base class sub-sampling keeps: round(fraction * available), at least 1. */
export function subsampledCount(available: number, fraction: number): number {
  if (!(fraction > 0 && fraction <= 1)) {
    throw new RangeError(`baseClassFraction must be in (0, 1], got ${fraction}.`);
  }
  return Math.max(1, Math.round(fraction * available));
}
