import * as tf from '@tensorflow/tfjs';
import { constantVariable } from './init';

/** PyTorch BatchNorm2d defaults (what the NYU runs used). */
export const BATCH_NORM_MOMENTUM = 0.1;
export const BATCH_NORM_EPSILON = 1e-5;

/**
 * Batch normalisation over [batch, height, width] per channel, with PyTorch's semantics: training
 * normalises by the batch's biased variance and moves the running statistics by momentum 0.1,
 * storing the unbiased variance (n / (n - 1)); evaluation normalises by the running statistics.
 * gamma starts at 1, beta at 0, running mean at 0 and running variance at 1.
 */
export class BatchNorm {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVariance: tf.Variable;

  constructor(channels: number, name: string) {
    this.gamma = constantVariable([channels], 1, `${name}/gamma`, true);
    this.beta = constantVariable([channels], 0, `${name}/beta`, true);
    this.runningMean = constantVariable([channels], 0, `${name}/runningMean`, false);
    this.runningVariance = constantVariable([channels], 1, `${name}/runningVariance`, false);
  }

  get params(): tf.Variable[] {
    return [this.gamma, this.beta];
  }

  get buffers(): tf.Variable[] {
    return [this.runningMean, this.runningVariance];
  }

  /** x: [batch, height, width, channels]. Updates the running statistics when training. */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    if (!training) {
      return tf.batchNorm4d(x, this.runningMean as tf.Tensor1D, this.runningVariance as tf.Tensor1D, this.beta as tf.Tensor1D, this.gamma as tf.Tensor1D, BATCH_NORM_EPSILON);
    }
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    const count = x.shape[0] * x.shape[1] * x.shape[2];
    // The running statistics are state, not part of the loss; the tape prunes these ops from
    // backpropagation because their results never reach the loss.
    const unbiased = tf.mul(variance, count > 1 ? count / (count - 1) : 1);
    this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - BATCH_NORM_MOMENTUM), tf.mul(mean, BATCH_NORM_MOMENTUM)));
    this.runningVariance.assign(tf.add(tf.mul(this.runningVariance, 1 - BATCH_NORM_MOMENTUM), tf.mul(unbiased, BATCH_NORM_MOMENTUM)));
    const scale = tf.mul(tf.rsqrt(tf.add(variance, BATCH_NORM_EPSILON)), this.gamma);
    return tf.add(tf.mul(tf.sub(x, mean), scale), this.beta) as tf.Tensor4D;
  }
}
