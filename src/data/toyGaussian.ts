import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../train/rng';
import type { ExampleSource } from './types';

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
