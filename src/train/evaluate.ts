import * as tf from '@tensorflow/tfjs';
import type { ExampleSource } from '../data/types';
import type { Model } from '../models/types';
import { perExampleLoss } from './losses';
import { NotSeparableError, angleBetween, maxMarginSvm } from './maxMargin';
import type { EvaluationCadence, LossSpec } from './types';

const EVAL_BATCH = 500;

/** Predicted label (argmax of the two logits) for every example of a source, in eval mode. */
export function predictLabels(model: Model, source: ExampleSource): Uint8Array {
  const predictions = new Uint8Array(source.count);
  for (let start = 0; start < source.count; start += EVAL_BATCH) {
    const end = Math.min(source.count, start + EVAL_BATCH);
    const indices = Array.from({ length: end - start }, (_, i) => start + i);
    const labels = tf.tidy(() => tf.argMax(model.apply(source.batch(indices), { training: false }), 1).dataSync());
    predictions.set(labels, start);
  }
  return predictions;
}

/** What one pass of a model over a test set gives, per example. */
export interface Predictions {
  /** Predicted label: argmax of the two logits (ties go to label 0, as tf.argMax). */
  labels: Uint8Array;
  /** Softmax probability of the base class (label 1). */
  baseProbability: Float32Array;
  /** The loss of each example against its label, unweighted; present when a loss was given. */
  loss?: Float32Array;
}

/**
 * Labels, base-class probabilities and (given `loss`) each example's unweighted loss for every example
 * of a source, in eval mode, in one pass: the fractions and the metrics they are read against come from
 * the same forward passes.
 */
export function predict(model: Model, source: ExampleSource, loss?: LossSpec): Predictions {
  const labels = new Uint8Array(source.count);
  const baseProbability = new Float32Array(source.count);
  const losses = loss === undefined ? undefined : new Float32Array(source.count);
  for (let start = 0; start < source.count; start += EVAL_BATCH) {
    const end = Math.min(source.count, start + EVAL_BATCH);
    const indices = Array.from({ length: end - start }, (_, i) => start + i);
    const [batchLabels, probabilities, batchLosses] = tf.tidy(() => {
      const logits = model.apply(source.batch(indices), { training: false }) as tf.Tensor2D; // [batch, 2]
      const base = tf.reshape(tf.slice(tf.softmax(logits), [0, 1], [-1, 1]), [-1]);
      const perExample = loss === undefined ? undefined : perExampleLoss(logits, tf.tensor1d(source.labels.subarray(start, end), 'int32'), loss);
      return [tf.argMax(logits, 1).dataSync(), base.dataSync() as Float32Array, perExample?.dataSync() as Float32Array | undefined];
    });
    labels.set(batchLabels, start);
    baseProbability.set(probabilities, start);
    if (losses && batchLosses) losses.set(batchLosses, start);
  }
  return { labels, baseProbability, ...(losses === undefined ? {} : { loss: losses }) };
}

/** Recall of one class: of the examples labelled `label`, the fraction predicted as `label`; NaN without any. */
export function classRecall(predictions: Uint8Array, labels: Uint8Array, label: 0 | 1): number {
  let total = 0;
  let right = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== label) continue;
    total += 1;
    if (predictions[i] === label) right += 1;
  }
  return total === 0 ? Number.NaN : right / total;
}

/** Mean of a list of numbers; NaN for none. */
export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return values.length === 0 ? Number.NaN : sum / values.length;
}

/** Fraction of a source's examples predicted as the base class (label 1): the papers' headline metric. */
export function baseClassFraction(predictions: Uint8Array): number {
  let base = 0;
  for (const p of predictions) base += p;
  return predictions.length === 0 ? Number.NaN : base / predictions.length;
}

export function accuracy(predictions: Uint8Array, labels: Uint8Array): number {
  let right = 0;
  for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) right += 1;
  return right / labels.length;
}

/** Where the decision boundary of a 2-D model sits, seen from the class means. */
export interface BoundaryCrossing {
  /** Degrees between the boundary's normal and the axis from the other class's mean to the base class's. */
  angle: number;
  /** Signed distance of the crossing from the midpoint of the means, positive towards the base class. */
  offset: number;
}

/**
 * Finds where the model's score f = logit_1 - logit_0 changes sign along the axis through both class
 * means (extended to three times their half-distance on each side), and the normal there. This is exact
 * for the linear model and the natural summary for the MLP. Undefined when the boundary misses the axis.
 *   baseMean, otherMean: [2] in the model's input coordinates.
 */
export function boundaryCrossing(model: Model, baseMean: [number, number], otherMean: [number, number]): BoundaryCrossing | undefined {
  const mid = [(baseMean[0] + otherMean[0]) / 2, (baseMean[1] + otherMean[1]) / 2];
  const half = [baseMean[0] - mid[0]!, baseMean[1] - mid[1]!];
  const halfLength = Math.hypot(half[0]!, half[1]!);
  const steps = 600;
  const ts = Array.from({ length: steps + 1 }, (_, i) => -3 + (6 * i) / steps);
  const scores = score(model, ts.map((t) => [mid[0]! + t * half[0]!, mid[1]! + t * half[1]!] as [number, number]));
  // The sign change nearest the midpoint (an MLP can cross more than once).
  let best: number | undefined;
  for (let i = 0; i < steps; i++) {
    if (Math.sign(scores[i]!) !== Math.sign(scores[i + 1]!) && (best === undefined || Math.abs(ts[i]!) < Math.abs(ts[best]!))) best = i;
  }
  if (best === undefined) return undefined;
  const [s0, s1] = [scores[best]!, scores[best + 1]!];
  const t = ts[best]! + ((ts[best + 1]! - ts[best]!) * s0) / (s0 - s1);
  const point: [number, number] = [mid[0]! + t * half[0]!, mid[1]! + t * half[1]!];
  const h = 1e-3 * halfLength;
  const [fx1, fx0, fy1, fy0] = score(model, [
    [point[0] + h, point[1]],
    [point[0] - h, point[1]],
    [point[0], point[1] + h],
    [point[0], point[1] - h],
  ]);
  const gradient = [fx1! - fx0!, fy1! - fy0!];
  const axis = [half[0]! / halfLength, half[1]! / halfLength];
  const angle = (Math.atan2(axis[0]! * gradient[1]! - axis[1]! * gradient[0]!, axis[0]! * gradient[0]! + axis[1]! * gradient[1]!) * 180) / Math.PI;
  return { angle, offset: t * halfLength };
}

/** f = logit_1 - logit_0 at each point. */
export function score(model: Model, points: [number, number][]): Float32Array {
  return tf.tidy(() => {
    const logits = model.apply(tf.tensor2d(points.flat(), [points.length, 2]), { training: false });
    const [other, base] = tf.split(logits, 2, 1);
    return tf.sub(base!, other!).dataSync() as Float32Array;
  });
}

/** Mean of each class's examples: [base class mean, other class mean] (2-D sources). */
export function classMeans(source: ExampleSource): [[number, number], [number, number]] {
  const all = Array.from({ length: source.count }, (_, i) => i);
  const values = tf.tidy(() => source.batch(all).dataSync());
  const sums = [
    [0, 0, 0],
    [0, 0, 0],
  ];
  for (let i = 0; i < source.count; i++) {
    const row = sums[source.labels[i]!]!;
    row[0]! += values[2 * i]!;
    row[1]! += values[2 * i + 1]!;
    row[2]! += 1;
  }
  const mean = (row: number[]): [number, number] => [row[0]! / row[2]!, row[1]! / row[2]!];
  return [mean(sums[1]!), mean(sums[0]!)];
}

/** The implicit-bias check of one epoch: how close the last layer is to the max-margin separator. */
export interface ImplicitBias {
  /** Degrees between the head's direction (w_base - w_other) and the SVM normal on the same features. */
  angle: number;
  /** Smallest signed geometric margin of a training example under the model's own boundary. */
  modelMargin: number;
  svmMargin: number;
}

/**
 * Compares the model's last layer with the hard-margin SVM fitted to the features it sees now (the
 * inputs for the linear model, the hidden activations for the MLP). Undefined while the features are
 * not separable, or for models without an exposed last layer.
 */
export function implicitBias(model: Model, source: ExampleSource): ImplicitBias | undefined {
  const last = model.lastLayer;
  if (!last) return undefined;
  const all = Array.from({ length: source.count }, (_, i) => i);
  const { features, dim, direction, offset } = tf.tidy(() => {
    const h = last.features(source.batch(all));
    const [other, base] = tf.split(last.kernel, 2, 1);
    const [otherBias, baseBias] = tf.split(last.bias, 2);
    return {
      features: h.dataSync() as Float32Array,
      dim: h.shape[1],
      direction: tf.sub(base!, other!).dataSync() as Float32Array,
      offset: tf.sub(baseBias!, otherBias!).dataSync()[0]!,
    };
  });
  let svm;
  try {
    svm = maxMarginSvm(features, source.labels, dim, 1e-10, 20000);
  } catch (error) {
    if (error instanceof NotSeparableError) return undefined;
    throw error;
  }
  const norm = Math.hypot(...direction);
  let modelMargin = Number.POSITIVE_INFINITY;
  for (let i = 0; i < source.count; i++) {
    let f = offset;
    for (let d = 0; d < dim; d++) f += direction[d]! * features[i * dim + d]!;
    modelMargin = Math.min(modelMargin, ((source.labels[i] === 1 ? 1 : -1) * f) / norm);
  }
  return { angle: angleBetween(direction, svm.direction), modelMargin, svmMargin: svm.margin };
}

/** About twenty epochs per decade (every epoch up to 20): where costly evaluations run. */
export function isLogSpacedEpoch(epoch: number): boolean {
  return epoch <= 20 || Math.floor(20 * Math.log10(epoch)) !== Math.floor(20 * Math.log10(epoch - 1));
}

/** Whether a run with this cadence and `epochs` epochs evaluates after `epoch`: the cadence's epochs and the last. */
export function isEvaluatedEpoch(cadence: EvaluationCadence, epoch: number, epochs: number): boolean {
  return epoch === epochs || cadence === 'every-epoch' || isLogSpacedEpoch(epoch);
}
