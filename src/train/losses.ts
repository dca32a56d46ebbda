import * as tf from '@tensorflow/tfjs';
import type { LossSpec } from '../experiments/types';

/** log(1 + e^-1): scales Wang et al.'s softplus piece so both pieces equal 1 at margin 1. */
const POLY_SCALE = Math.log1p(Math.exp(-1));

/**
 * The importance-weighted loss of one batch. Weights scale each example's loss term by its class
 * (classWeights[label]); they never change the sampler (sub-sampling is its own figure).
 *   logits: [batch, 2], labels: [batch] int32 in {0, 1}, classWeights: [other class, base class].
 */
export function weightedLoss(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  classWeights: readonly [number, number],
  loss: LossSpec,
): tf.Scalar {
  return tf.tidy(() => {
    const perExample = perExampleLoss(logits, labels, loss);
    const weights = tf.gather(tf.tensor1d([...classWeights]), labels);
    const total = tf.sum(tf.mul(perExample, weights));
    const denominator = loss.reduction === 'weights' ? tf.sum(weights) : tf.scalar(labels.shape[0]);
    return tf.div(total, denominator) as tf.Scalar;
  });
}

/**
 * Unweighted loss per example: [batch]. All three are functions of the margin v: with two classes,
 * cross entropy -log softmax(z)_y is exactly softplus(-v), which also takes a third of the kernels
 * of logSoftmax + oneHot (per-kernel overhead dominates the small models' steps).
 */
export function perExampleLoss(logits: tf.Tensor2D, labels: tf.Tensor1D, loss: LossSpec): tf.Tensor1D {
  return tf.tidy(() => {
    const v = margins(logits, labels);
    switch (loss.kind) {
      case 'cross-entropy':
        return tf.softplus(tf.neg(v)) as tf.Tensor1D;
      case 'exponential':
        return tf.exp(tf.neg(v)) as tf.Tensor1D;
      case 'polynomial': {
        // softplus(-min(v, 1))/c + max(v, 1)^-alpha - 1 equals the low piece for v <= 1 (the tail term
        // is 1 - 1) and v^-alpha above (the low term is then exactly 1), with gradients on both sides.
        const lowPiece = tf.div(tf.softplus(tf.neg(tf.minimum(v, 1))), POLY_SCALE);
        const tailPiece = tf.pow(tf.maximum(v, 1), -loss.alpha);
        return tf.sub(tf.add(lowPiece, tailPiece), 1) as tf.Tensor1D;
      }
    }
  });
}

/** Signed margin of each example: (logit_1 - logit_0) * (2y - 1); positive when classified right. */
export function margins(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    // logits @ [-1, 1]^T = logit_1 - logit_0, one kernel instead of a split and a subtraction.
    const difference = tf.reshape(tf.matMul(logits, tf.tensor2d([-1, 1], [2, 1])), [-1]);
    const sign = tf.sub(tf.mul(tf.cast(labels, 'float32'), 2), 1);
    return tf.mul(difference, sign) as tf.Tensor1D;
  });
}
