import * as tf from '@tensorflow/tfjs';
import type { LossSpec, OptimizerSpec } from './types';
import type { Model } from '../models/types';
import { weightedLoss } from './losses';

export interface Batch {
  /** [batch, ...exampleShape], float32, normalised. */
  inputs: tf.Tensor;
  /** [batch], int32 in {0, 1}; 1 is the base class. */
  labels: tf.Tensor1D;
}

/**
 * One step of plain SGD (no momentum, as the sources) on the weighted loss, with L2 as weight decay:
 * theta -= lr * (grad + weightDecay * theta). Returns the batch loss before the update.
 */
export function trainStep(
  model: Model,
  batch: Batch,
  classWeights: readonly [number, number],
  loss: LossSpec,
  optimizer: OptimizerSpec,
  dropoutSeed?: number,
): number {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(
      () => weightedLoss(model.apply(batch.inputs, { training: true, dropoutSeed }), batch.labels, classWeights, loss),
      model.params as tf.Variable[],
    );
    const { learningRate, weightDecay } = optimizer;
    for (const param of model.params) {
      const grad = grads[param.name];
      if (grad === undefined) throw new Error(`No gradient for parameter ${param.name}`);
      const direction = weightDecay > 0 ? tf.add(grad, tf.mul(param, weightDecay)) : grad;
      param.assign(tf.sub(param, tf.mul(direction, learningRate)));
    }
    return value.dataSync()[0]!;
  });
}
