import * as tf from '@tensorflow/tfjs';
import type { Model, ModelSpec } from './types';
import type { Rng } from '../rng';
import { denseLayer } from './init';

/** Logistic regression with a 2-way softmax head: logits = x W + b. inputs: [batch, inputSize]. */
export function buildLinear(spec: Extract<ModelSpec, { kind: 'linear' }>, rng: Rng): Model {
  const out = denseLayer(rng, spec.inputSize, 2, 'linear');
  const params = [out.kernel, out.bias];
  return {
    kind: 'linear',
    params,
    buffers: [],
    apply: (inputs) => tf.tidy(() => tf.add(tf.matMul(inputs as tf.Tensor2D, out.kernel as tf.Tensor2D), out.bias)) as tf.Tensor2D,
    lastLayer: { features: (inputs) => tf.clone(inputs) as tf.Tensor2D, ...out },
    dispose: () => params.forEach((p) => p.dispose()),
  };
}

/** One hidden ReLU layer (Byrd & Lipton's synthetic MLP). inputs: [batch, inputSize]. */
export function buildMlp(spec: Extract<ModelSpec, { kind: 'mlp' }>, rng: Rng): Model {
  const hidden = denseLayer(rng, spec.inputSize, spec.hidden, 'mlp/hidden');
  const out = denseLayer(rng, spec.hidden, 2, 'mlp/out');
  const params = [hidden.kernel, hidden.bias, out.kernel, out.bias];
  const features = (inputs: tf.Tensor) =>
    tf.tidy(() => tf.relu(tf.add(tf.matMul(inputs as tf.Tensor2D, hidden.kernel as tf.Tensor2D), hidden.bias))) as tf.Tensor2D;
  return {
    kind: 'mlp',
    params,
    buffers: [],
    apply: (inputs) => tf.tidy(() => tf.add(tf.matMul(features(inputs), out.kernel as tf.Tensor2D), out.bias)) as tf.Tensor2D,
    lastLayer: { features, ...out },
    dispose: () => params.forEach((p) => p.dispose()),
  };
}
