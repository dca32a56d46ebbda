import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { ModelSpec } from '../../src/experiments/types';
import { registerWasmTrainingKernels } from '../../src/engine/wasmTraining';
import type { Model } from '../../src/models/types';
import { Rng } from '../../src/rng';
import { trainStep } from '../../src/train/step';

/** Shared by the CNN and ResNet tests: a seeded image batch and one SGD step on a chosen backend. */

export async function useWasm(): Promise<void> {
  registerWasmTrainingKernels();
  if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend failed to initialise');
}

export function imageBatch(seed: number, batch: number, channels: number): { inputs: tf.Tensor4D; labels: tf.Tensor1D } {
  const rng = new Rng(seed);
  const values = new Float32Array(batch * 32 * 32 * channels);
  for (let i = 0; i < values.length; i++) values[i] = rng.normal();
  const labels = Int32Array.from({ length: batch }, (_, i) => i % 2);
  return { inputs: tf.tensor4d(values, [batch, 32, 32, channels]), labels: tf.tensor1d(labels, 'int32') };
}

export function paramCount(model: Model): number {
  return model.params.reduce((total, p) => total + p.size, 0);
}

/**
 * Builds the model from `seed` on `backend`, takes `steps` SGD steps (lr 0.1, weight decay 1e-3,
 * class weights 1:4), and returns every parameter and buffer before and after, plus the losses.
 */
export async function weightsAfterSteps(
  backend: string,
  build: (rng: Rng) => Model,
  channels: number,
  steps = 1,
): Promise<{ initial: Float32Array[]; values: Float32Array[]; losses: number[] }> {
  const previous = tf.getBackend();
  await tf.setBackend(backend);
  try {
    const model = build(new Rng(42));
    const initial = [...model.params, ...model.buffers].map((v) => v.dataSync() as Float32Array);
    const batch = imageBatch(7, 4, channels);
    const losses: number[] = [];
    for (let i = 0; i < steps; i++) {
      losses.push(
        trainStep(model, batch, [1, 4], { kind: 'cross-entropy', reduction: 'weights' }, { kind: 'sgd', learningRate: 0.1, batchSize: 4, weightDecay: 1e-3 }, 1000 + i),
      );
    }
    const values = [...model.params, ...model.buffers].map((v) => v.dataSync() as Float32Array);
    model.dispose();
    tf.dispose([batch.inputs, batch.labels]);
    return { initial, values, losses };
  } finally {
    await tf.setBackend(previous);
  }
}

export function maxAbsDifference(a: Float32Array[], b: Float32Array[]): number {
  let max = 0;
  a.forEach((values, i) => values.forEach((v, j) => (max = Math.max(max, Math.abs(v - b[i]![j]!)))));
  return max;
}

export type { ModelSpec };
