import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_TRAINING } from '../fusedKernels';
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
      // y = x * scale + shift, scale = gamma / sqrt(runningVariance + eps), shift = beta - runningMean * scale.
      const scale = tf.mul(this.gamma, tf.rsqrt(tf.add(this.runningVariance, BATCH_NORM_EPSILON)));
      return tf.add(tf.mul(x, scale), tf.sub(this.beta, tf.mul(this.runningMean, scale))) as tf.Tensor4D;
    }
    if (tf.getKernel(BATCH_NORM_TRAINING, tf.getBackend()) !== undefined) return this.fusedNormalizeBatch(x);
    return this.normalizeBatch(x, this.gamma, this.beta) as tf.Tensor4D;
  }

  /** The same batch norm as one fused kernel of the engine (TensorFlow's FusedBatchNorm on the native backend). */
  private fusedNormalizeBatch(x: tf.Tensor4D): tf.Tensor4D {
    const [y, mean, unbiasedVariance] = tf.engine().runKernel(BATCH_NORM_TRAINING, { x, scale: this.gamma, offset: this.beta }, { epsilon: BATCH_NORM_EPSILON }) as tf.Tensor[];
    this.moveRunningStatistics(mean!, unbiasedVariance!);
    return y as tf.Tensor4D;
  }

  /**
   * Training-mode batch norm with its gradient written out (the standard closed form) instead of
   * differentiating through moments(): two reductions and a few elementwise passes per backward
   * pass instead of about six reductions, which took about 10% of a ResNet step on wasm.
   *   x̂ = (x - mean) / sqrt(var + eps), y = gamma * x̂ + beta (var biased, over n = batch*height*width)
   *   dbeta = Σ dy, dgamma = Σ dy * x̂, dx = gamma / sqrt(var + eps) * (dy - dbeta / n - x̂ * dgamma / n)
   */
  private readonly normalizeBatch = tf.customGrad(((x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, save: tf.GradSaveFunc) => {
    const axes = [0, 1, 2];
    const count = x.shape[0] * x.shape[1] * x.shape[2];
    const { mean, variance } = tf.moments(x, axes);
    this.updateRunningStatistics(mean, variance, count);
    const inverseStd = tf.rsqrt(tf.add(variance, BATCH_NORM_EPSILON));
    const normalized = tf.mul(tf.sub(x, mean), inverseStd);
    save([normalized, tf.mul(gamma, inverseStd)]);
    return {
      value: tf.add(tf.mul(normalized, gamma), beta),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xHat, gammaInverseStd] = saved as [tf.Tensor4D, tf.Tensor1D];
        const dBeta = tf.sum(dy, axes);
        const dGamma = tf.sum(tf.mul(dy, xHat), axes);
        const centred = tf.sub(tf.sub(dy, tf.div(dBeta, count)), tf.mul(xHat, tf.div(dGamma, count)));
        return [tf.mul(centred, gammaInverseStd), dGamma, dBeta];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);

  /** PyTorch: running = (1 - momentum) * running + momentum * batch statistic (variance unbiased). */
  private updateRunningStatistics(mean: tf.Tensor, variance: tf.Tensor, count: number): void {
    this.moveRunningStatistics(mean, tf.mul(variance, count > 1 ? count / (count - 1) : 1));
  }

  private moveRunningStatistics(mean: tf.Tensor, unbiased: tf.Tensor): void {
    this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - BATCH_NORM_MOMENTUM), tf.mul(mean, BATCH_NORM_MOMENTUM)));
    this.runningVariance.assign(tf.add(tf.mul(this.runningVariance, 1 - BATCH_NORM_MOMENTUM), tf.mul(unbiased, BATCH_NORM_MOMENTUM)));
  }
}
