import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng';

/**
 * PyTorch's default initialisation (what the NYU runs used): conv and linear weights are
 * kaiming_uniform(a = sqrt(5)), which is U(-1/sqrt(fanIn), 1/sqrt(fanIn)); biases the same bound.
 * Values are drawn from the run's Rng in JS so every backend starts from identical weights.
 */
export function uniformVariable(rng: Rng, shape: number[], bound: number, name: string): tf.Variable {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = rng.uniform(-bound, bound);
  return variableFrom(tf.tensor(values, shape), true, name);
}

/** Conv filter [kh, kw, inChannels, outChannels] (tfjs layout), PyTorch default init. */
export function convFilter(rng: Rng, size: number, inChannels: number, outChannels: number, name: string): tf.Variable {
  const fanIn = size * size * inChannels;
  return uniformVariable(rng, [size, size, inChannels, outChannels], 1 / Math.sqrt(fanIn), name);
}

/** Dense kernel [in, out] and bias [out], PyTorch nn.Linear default init. */
export function denseLayer(rng: Rng, inUnits: number, outUnits: number, name: string): { kernel: tf.Variable; bias: tf.Variable } {
  const bound = 1 / Math.sqrt(inUnits);
  return {
    kernel: uniformVariable(rng, [inUnits, outUnits], bound, `${name}/kernel`),
    bias: uniformVariable(rng, [outUnits], bound, `${name}/bias`),
  };
}

export function constantVariable(shape: number[], value: number, name: string, trainable: boolean): tf.Variable {
  return variableFrom(tf.fill(shape, value), trainable, name);
}

/** A variable shares its initial tensor's data; disposing the tensor keeps tf.memory() exact. */
function variableFrom(initial: tf.Tensor, trainable: boolean, name: string): tf.Variable {
  const variable = tf.variable(initial, trainable, uniqueName(name));
  initial.dispose();
  return variable;
}

// tfjs variable names are global to the engine; a counter keeps two models in one process apart.
let counter = 0;
function uniqueName(name: string): string {
  counter += 1;
  return `${name}_${counter}`;
}
