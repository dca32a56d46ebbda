import * as tf from '@tensorflow/tfjs';
import type { ForwardOptions, Model, ModelSpec } from './types';
import type { Rng } from '../rng';
import { MissingDropoutSeedError, seededDropout } from './dropout';
import { convFilter, denseLayer } from './init';

export type CnnSpec = Extract<ModelSpec, { kind: 'cnn' }>;

/** The papers' conv widths (NYU CustomCNN): two 64s, pool, three 128s, pool. */
const CONV_WIDTHS = [64, 64, 128, 128, 128] as const;
/** Max-pool 2x2 after these conv layers (0-based). */
const POOL_AFTER = new Set([1, 4]);
const DENSE_WIDTHS = [512, 128] as const;
/** 32x32 input through five unpadded 3x3 convs and two pools leaves 4x4 maps (NYU: 2048-d flatten). */
const FINAL_MAP = 4;

/** Scales a paper width by the spec's multiplier, keeping at least one unit. */
export function scaledWidth(width: number, multiplier: number): number {
  return Math.max(1, Math.round(width * multiplier));
}

/**
 * The simple CNN as the NYU code ran it: 3x3 convs, stride 1, no padding, no bias, each followed by
 * ReLU; 2x2 max pools after the 2nd and 5th; flatten; dense 512, dense 128 (ReLU, with dropout
 * before each ReLU when spec.dropout > 0, as NYU's notebook); a 2-way linear head.
 * inputs: [batch, 32, 32, inChannels] (NHWC) -> logits [batch, 2].
 */
export function buildCnn(spec: CnnSpec, rng: Rng): Model {
  const convs: tf.Variable[] = [];
  let channels = spec.inChannels;
  for (const [index, width] of CONV_WIDTHS.entries()) {
    const out = scaledWidth(width, spec.width);
    convs.push(convFilter(rng, 3, channels, out, `cnn/conv${index + 1}`));
    channels = out;
  }
  const dense1 = denseLayer(rng, FINAL_MAP * FINAL_MAP * channels, scaledWidth(DENSE_WIDTHS[0], spec.width), 'cnn/dense1');
  const dense2 = denseLayer(rng, scaledWidth(DENSE_WIDTHS[0], spec.width), scaledWidth(DENSE_WIDTHS[1], spec.width), 'cnn/dense2');
  const head = denseLayer(rng, scaledWidth(DENSE_WIDTHS[1], spec.width), 2, 'cnn/head');
  const params = [...convs, dense1.kernel, dense1.bias, dense2.kernel, dense2.bias, head.kernel, head.bias];

  const hidden = (x: tf.Tensor2D, layer: { kernel: tf.Variable; bias: tf.Variable }, index: number, options: ForwardOptions): tf.Tensor2D => {
    let z = tf.add(tf.matMul(x, layer.kernel as tf.Tensor2D), layer.bias) as tf.Tensor2D;
    if (options.training && spec.dropout > 0) {
      if (options.dropoutSeed === undefined) throw new MissingDropoutSeedError();
      z = seededDropout(z, spec.dropout, options.dropoutSeed, index);
    }
    return tf.relu(z);
  };

  return {
    kind: 'cnn',
    params,
    buffers: [],
    apply: (inputs, options) =>
      tf.tidy(() => {
        checkImageInput(inputs, spec.inChannels, 'cnn');
        let x = inputs as tf.Tensor4D;
        for (const [index, filter] of convs.entries()) {
          x = tf.relu(tf.conv2d(x, filter as tf.Tensor4D, 1, 'valid'));
          if (POOL_AFTER.has(index)) x = tf.maxPool(x, 2, 2, 'valid');
        }
        // NHWC flatten; PyTorch flattens NCHW, which only permutes dense1's rows (same function class, same init law).
        let h = tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D;
        h = hidden(h, dense1, 0, options);
        h = hidden(h, dense2, 1, options);
        return tf.add(tf.matMul(h, head.kernel as tf.Tensor2D), head.bias) as tf.Tensor2D;
      }),
    dispose: () => params.forEach((p) => p.dispose()),
  };
}

export class ModelInputError extends Error {
  override name = 'ModelInputError';
}

/** The CNN's flatten and the ResNet's pooling assume 32x32 NHWC images (MNIST is resized to 32x32). */
export function checkImageInput(inputs: tf.Tensor, inChannels: number, kind: string): void {
  const [, height, width, channels] = inputs.shape;
  if (inputs.rank !== 4 || height !== 32 || width !== 32 || channels !== inChannels) {
    throw new ModelInputError(
      `The ${kind} takes images [batch, 32, 32, ${inChannels}] (NHWC), got [${inputs.shape.join(', ')}]; ` +
        `resize the images to 32x32 or set the model spec's inChannels to match the data.`,
    );
  }
}
