import * as tf from '@tensorflow/tfjs';
import type { LossSpec } from './types';

/** log(1 + e^-1): scales Wang et al.'s softplus piece so both pieces equal 1 where they meet. */
const POLY_SCALE = Math.log1p(Math.exp(-1));

/** A loss spec the trainer cannot use; the message names the field and the fix. */
export class LossSpecError extends Error {
  override name = 'LossSpecError';
}

/** Throws LossSpecError for parameters outside a loss's domain (checked before any step is taken). */
export function checkLossSpec(loss: LossSpec): void {
  if (loss.kind !== 'polynomial') return;
  if (!(Number.isFinite(loss.alpha) && loss.alpha > 0)) {
    throw new LossSpecError(
      `The polynomial loss needs a finite alpha > 0 (the tail decays like margin^-alpha), got ${loss.alpha}; ` +
        'set loss.alpha in the figure spec (Wang et al. use 1 and 2).',
    );
  }
  if (!Number.isFinite(loss.beta)) {
    throw new LossSpecError(`The polynomial loss needs a finite beta (the margin where the tail starts), got ${loss.beta}; set loss.beta in the figure spec (Wang et al.'s code: 1).`);
  }
}

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
  checkLossSpec(loss);
  return tf.tidy(() => {
    const v = margins(logits, labels);
    switch (loss.kind) {
      case 'cross-entropy':
        return tf.softplus(tf.neg(v)) as tf.Tensor1D;
      case 'exponential':
        return tf.exp(tf.neg(v)) as tf.Tensor1D;
      case 'polynomial':
        return polynomialTailLoss(v, loss.alpha, loss.beta);
    }
  });
}

/**
 * Wang, Chatterji, Haque & Hashimoto (ICLR 2022): l_{alpha,beta}(v) = l_left(v) for v < beta and
 * (v - (beta - 1))^-alpha for v >= beta, where the paper leaves l_left open (a decreasing loss that meets
 * the tail). Their experiments' code (src/loss_fns.py, type "logit") takes the logistic loss scaled to
 * equal 1 at the joint, with beta fixed at 1; for other beta we shift the whole loss,
 * l_{alpha,beta}(v) = l_{alpha,1}(v - (beta - 1)), so the pieces still meet at value 1. As in their code
 * the joint is a kink: slope -0.859 on the left, -alpha on the right.
 *   v: [batch] margins.
 */
export function polynomialTailLoss(v: tf.Tensor1D, alpha: number, beta: number): tf.Tensor1D {
  return tf.tidy(() => {
    const u = beta === 1 ? v : tf.sub(v, beta - 1); // the tail starts at u = 1 (one kernel less at beta = 1)
    // softplus(-min(u, 1))/c + max(u, 1)^-alpha - 1 is the left piece for u <= 1 (the tail term is 1 - 1)
    // and u^-alpha above (the left term is then exactly 1); each branch gets its own gradient.
    const leftPiece = tf.div(tf.softplus(tf.neg(tf.minimum(u, 1))), POLY_SCALE);
    const tailPiece = tf.pow(tf.maximum(u, 1), -alpha);
    return tf.sub(tf.add(leftPiece, tailPiece), 1) as tf.Tensor1D;
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
