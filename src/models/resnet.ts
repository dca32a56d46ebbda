import * as tf from '@tensorflow/tfjs';
import type { Model, ModelSpec } from './types';
import type { Rng } from '../rng';
import { BatchNorm } from './batchNorm';
import { checkImageInput, scaledWidth } from './cnn';
import { convFilter, denseLayer } from './init';

export type ResnetSpec = Extract<ModelSpec, { kind: 'resnet' }>;

/** PyTorch's padding=1 on every side. tfjs 'same' would pad a stride-2 conv on 30x30 maps
 *  bottom/right instead of top/left and shift every output pixel. */
const PAD_ONE: [[0, 0], [1, 1], [1, 1], [0, 0]] = [[0, 0], [1, 1], [1, 1], [0, 0]];

/** NYU's ResNet [2, 2, 2]: (output channels, stride) of each basic block. */
const BLOCKS: readonly (readonly [number, number])[] = [
  [64, 1],
  [64, 1],
  [128, 2],
  [128, 1],
  [256, 2],
  [256, 1],
];

/** A conv (bias-free, padding 1) and its batch norm (absent without BN). */
interface ConvUnit {
  filter: tf.Variable;
  stride: number;
  norm?: BatchNorm;
}

interface Block {
  conv1: ConvUnit;
  conv2: ConvUnit;
  /** The 3x3 stride-2 conv shortcut of the first block of stages 2 and 3; identity elsewhere. */
  shortcut?: ConvUnit;
}

/**
 * The ResNet as the NYU code ran it: 5x5 stem (padding 1: 32x32 -> 30x30), [BN], ReLU; three
 * stages of two basic blocks at 64/128/256 channels (conv3x3 [BN] ReLU conv3x3 [BN] + shortcut,
 * ReLU), stride 2 with a 3x3 stride-2 conv shortcut [+BN] at the first block of stages 2 and 3
 * (30 -> 15 -> 8); 8x8 average pool; linear head to 2 logits. All convs bias-free.
 * inputs: [batch, 32, 32, inChannels] (NHWC) -> logits [batch, 2].
 */
export function buildResnet(spec: ResnetSpec, rng: Rng): Model {
  const params: tf.Variable[] = [];
  const buffers: tf.Variable[] = [];
  let unitCount = 0;
  const unit = (size: number, inChannels: number, outChannels: number, stride: number): ConvUnit => {
    unitCount += 1;
    const name = `resnet/conv${unitCount}`;
    const filter = convFilter(rng, size, inChannels, outChannels, name);
    params.push(filter);
    if (!spec.batchNorm) return { filter, stride };
    const norm = new BatchNorm(outChannels, `${name}/bn`);
    params.push(...norm.params);
    buffers.push(...norm.buffers);
    return { filter, stride, norm };
  };

  const stemWidth = scaledWidth(64, spec.width);
  const stem = unit(5, spec.inChannels, stemWidth, 1);
  const blocks: Block[] = [];
  let channels = stemWidth;
  for (const [width, stride] of BLOCKS) {
    const out = scaledWidth(width, spec.width);
    const conv1 = unit(3, channels, out, stride);
    const conv2 = unit(3, out, out, 1);
    const shortcut = stride !== 1 || channels !== out ? unit(3, channels, out, stride) : undefined;
    blocks.push(shortcut ? { conv1, conv2, shortcut } : { conv1, conv2 });
    channels = out;
  }
  const head = denseLayer(rng, channels, 2, 'resnet/head');
  params.push(head.kernel, head.bias);

  const convNorm = (x: tf.Tensor4D, u: ConvUnit, training: boolean): tf.Tensor4D => {
    const y = tf.conv2d(x, u.filter as tf.Tensor4D, u.stride, PAD_ONE);
    return u.norm ? u.norm.apply(y, training) : y;
  };

  return {
    kind: 'resnet',
    params,
    buffers,
    apply: (inputs, options) =>
      tf.tidy(() => {
        checkImageInput(inputs, spec.inChannels, 'resnet');
        const training = options.training;
        let x = tf.relu(convNorm(inputs as tf.Tensor4D, stem, training));
        for (const block of blocks) {
          const body = convNorm(tf.relu(convNorm(x, block.conv1, training)), block.conv2, training);
          const skip = block.shortcut ? convNorm(x, block.shortcut, training) : x;
          x = tf.relu(tf.add(body, skip)) as tf.Tensor4D;
        }
        // AvgPool2d(8) on the 8x8 maps of 32x32 inputs (checked above) is the mean over height and
        // width; written as a mean because the wasm AvgPoolGrad kernel is slow.
        const features = tf.mean(x, [1, 2]) as tf.Tensor2D;
        return tf.add(tf.matMul(features, head.kernel as tf.Tensor2D), head.bias) as tf.Tensor2D;
      }),
    dispose: () => [...params, ...buffers].forEach((v) => v.dispose()),
  };
}
