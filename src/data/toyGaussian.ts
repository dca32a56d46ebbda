import * as tf from '@tensorflow/tfjs';
import { Rng, dataSubstream, streamSeed } from '../rng';
import { sampleWithoutReplacement, subsampledCount } from './subsets';
import type { ExampleSource, ToyDataSpec } from './types';

/**
 * Xu, Ye & Ruan's linearly separable 2-D data ("lin_sep"), which is Byrd & Lipton's "second class
 * rotated and translated": base-class points (label 1) ~ N((3, -3), I) truncated to distance < 4 from
 * their centre; the other class is the same points rotated by 180 degrees (centre (-3, 3)); then each
 * feature is standardised over all points.
 */
export const TOY_CENTRE: readonly [number, number] = [3, -3];
export const TOY_TRUNCATION_RADIUS = 4;

export interface ToyData {
  /** [count * 2], row-major (x1, x2) per point, standardised. */
  points: Float32Array;
  labels: Uint8Array;
  /** Per-feature mean and std used to standardise, to map plots back to raw units if wanted. */
  mean: [number, number];
  std: [number, number];
}

export function generateToyGaussian(perClass: number, rng: Rng): ToyData {
  if (!Number.isInteger(perClass) || perClass < 1) throw new RangeError(`perClass must be a positive integer, got ${perClass}`);
  const raw = new Float64Array(perClass * 4);
  for (let i = 0; i < perClass; i++) {
    let dx: number;
    let dy: number;
    do {
      dx = rng.normal();
      dy = rng.normal();
    } while (dx * dx + dy * dy >= TOY_TRUNCATION_RADIUS * TOY_TRUNCATION_RADIUS);
    const x = TOY_CENTRE[0] + dx;
    const y = TOY_CENTRE[1] + dy;
    raw.set([x, y], 2 * i); // base class first
    raw.set([-x, -y], 2 * (perClass + i)); // its mirror image
  }
  const count = 2 * perClass;
  const mean: [number, number] = [0, 0];
  const std: [number, number] = [0, 0];
  for (const f of [0, 1] as const) {
    let sum = 0;
    for (let i = 0; i < count; i++) sum += raw[2 * i + f]!;
    mean[f] = sum / count;
    let squares = 0;
    for (let i = 0; i < count; i++) squares += (raw[2 * i + f]! - mean[f]) ** 2;
    std[f] = Math.sqrt(squares / count);
  }
  const points = new Float32Array(count * 2);
  for (let i = 0; i < count; i++) {
    for (const f of [0, 1] as const) points[2 * i + f] = (raw[2 * i + f]! - mean[f]) / std[f];
  }
  const labels = new Uint8Array(count);
  labels.fill(1, 0, perClass);
  return { points, labels, mean, std };
}

/**
 * What a toy run trains on: Xu et al.'s points from the run's seed and, for a sub-sampling run
 * (baseClassFraction < 1), only part of the base class (subsampleBaseClass). `full` is the whole set
 * the points were drawn from; it is `data` itself when nothing was sub-sampled.
 */
export function toyTrainingData(spec: ToyDataSpec, seed: number): { data: ToyData; full: ToyData } {
  const full = generateToyGaussian(spec.perClass, new Rng(streamSeed(seed, 'data')));
  if (spec.baseClassFraction === undefined || spec.baseClassFraction === 1) return { data: full, full };
  // Its own stream (the image loader's sub-sample stream too), so the points never depend on the fraction.
  return { data: subsampleBaseClass(full, spec.baseClassFraction, dataSubstream(seed, SUBSAMPLE_STREAM)), full };
}

const SUBSAMPLE_STREAM = 1;

/**
 * Keeps round(fraction * base-class count) base-class points (at least one), drawn uniformly without
 * replacement, and every point of the other class; base class first, each in its original order. The
 * points keep the full set's standardisation (mean, std), so a sub-sampled run and a weighted run of
 * the same seed live in one plane and their boundaries compare directly. With one rng seed a smaller
 * fraction keeps a subset of what a larger one keeps (the first entries of one permutation).
 */
export function subsampleBaseClass(data: ToyData, fraction: number, rng: Rng): ToyData {
  const base: number[] = [];
  const other: number[] = [];
  data.labels.forEach((label, i) => (label === 1 ? base : other).push(i));
  const kept = sampleWithoutReplacement(Uint32Array.from(base), subsampledCount(base.length, fraction), rng);
  const order = [...kept, ...other];
  const points = new Float32Array(order.length * 2);
  order.forEach((index, i) => points.set([data.points[2 * index]!, data.points[2 * index + 1]!], 2 * i));
  const labels = new Uint8Array(order.length);
  labels.fill(1, 0, kept.length);
  return { points, labels, mean: data.mean, std: data.std };
}

/** [base class mean, other class mean] of the points, in their standardised coordinates. */
export function toyClassMeans(data: ToyData): [[number, number], [number, number]] {
  const sums = [
    [0, 0, 0],
    [0, 0, 0],
  ];
  data.labels.forEach((label, i) => {
    const row = sums[label]!;
    row[0]! += data.points[2 * i]!;
    row[1]! += data.points[2 * i + 1]!;
    row[2]! += 1;
  });
  const mean = (row: number[]): [number, number] => [row[0]! / row[2]!, row[1]! / row[2]!];
  return [mean(sums[1]!), mean(sums[0]!)];
}

/** The toy data as an ExampleSource of 2-vectors. */
export function toySource(data: ToyData, name = 'toy-gaussian'): ExampleSource {
  return {
    name,
    count: data.labels.length,
    exampleShape: [2],
    labels: data.labels,
    batch(indices) {
      const values = new Float32Array(indices.length * 2);
      for (let i = 0; i < indices.length; i++) {
        const j = indices[i]!;
        values[2 * i] = data.points[2 * j]!;
        values[2 * i + 1] = data.points[2 * j + 1]!;
      }
      return tf.tensor2d(values, [indices.length, 2]);
    },
  };
}
