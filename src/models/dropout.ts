import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng';

export class MissingDropoutSeedError extends Error {
  override name = 'MissingDropoutSeedError';
  constructor() {
    super('A model with dropout was applied with training: true but no dropoutSeed; pass ForwardOptions.dropoutSeed (the trainer draws one per step from the run Rng) so runs are reproducible.');
  }
}

/**
 * Inverted dropout with a mask drawn in JS from the run's own PRNG (not tfjs's), so every backend
 * drops the same units for the same seed: kept units are scaled by 1 / (1 - rate), as PyTorch does.
 * `layer` separates the masks of a model's dropout layers within one step.
 */
export function seededDropout(x: tf.Tensor2D, rate: number, seed: number, layer: number): tf.Tensor2D {
  if (rate <= 0) return x;
  if (!(rate < 1)) throw new RangeError(`Dropout rate must be in [0, 1), got ${rate}; fix the model spec.`);
  const rng = new Rng((seed + Math.imul(layer + 1, 0x9e3779b1)) >>> 0);
  const mask = new Float32Array(x.size);
  const keptScale = 1 / (1 - rate);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.next() < rate ? 0 : keptScale;
  return tf.mul(x, tf.tensor2d(mask, x.shape));
}
