/**
 * Gradient kernels the native ('tensorflow') backend needs for the figures' models.
 *
 * tfjs-node 4.22's Conv2DBackpropInput and Conv2DBackpropFilter refuse explicit padding ("TF Backend
 * supports only 'valid' and 'same' padding while padding was EXPLICIT"), while its forward Conv2D
 * passes `explicit_paddings` to TensorFlow. The ResNet pads its convolutions by 1 as PyTorch does,
 * so without these it cannot train. TensorFlow's own ops accept padding EXPLICIT with
 * `explicit_paddings`; these kernels pass it, and are otherwise the same calls tfjs-node makes.
 */
import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_TRAINING } from '../fusedKernels';

/** The parts of tfjs-node's NodeJSKernelBackend these kernels use. */
interface NativeBackend {
  binding: { TF_ATTR_INT: number; TF_ATTR_STRING: number; TF_ATTR_BOOL: number; TF_ATTR_TYPE: number; TF_ATTR_FLOAT: number; TF_FLOAT: number };
  executeSingleOutput(name: string, attrs: NativeAttr[], inputs: tf.Tensor[]): tf.Tensor;
  executeMultipleOutputs(name: string, attrs: NativeAttr[], inputs: tf.Tensor[], count: number): tf.Tensor[];
}
interface NativeAttr {
  name: string;
  type: number;
  value: unknown;
}

interface ConvAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

let registered = false;

/**
 * Replaces tfjs-node's two kernels, once per process (tfjs's kernel registry is global). Call it after
 * tfjs-node has loaded: its own registrations run at load and would otherwise replace these.
 */
export function registerNativeTrainingKernels(): void {
  if (registered) return;
  registered = true;
  registerReluGradient();
  registerFusedBatchNorm();
  // Unregister first: registering over an existing kernel prints a warning on stderr.
  for (const name of [tf.Conv2DBackpropInput, tf.Conv2DBackpropFilter]) if (tf.getKernel(name, 'tensorflow') !== undefined) tf.unregisterKernel(name, 'tensorflow');
  tf.registerKernel({
    kernelName: tf.Conv2DBackpropInput,
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, filter } = inputs as { dy: tf.Tensor4D; filter: tf.Tensor4D };
      const { inputShape, ...conv } = attrs as unknown as ConvAttrs & { inputShape: [number, number, number, number] };
      const info = convInfo(inputShape, filter.shape, conv);
      const native = backend as unknown as NativeBackend;
      const padding = explicitPadding(info);
      if (padding === undefined) {
        const inputSizes = tf.tensor1d(info.inShape, 'int32');
        try {
          return native.executeSingleOutput(tf.Conv2DBackpropInput, convAttrs(native, info), [inputSizes, filter, dy]) as unknown as tf.TensorInfo;
        } finally {
          inputSizes.dispose();
        }
      }
      // The gradient of the padded input under VALID padding, cut back to the input: the same numbers,
      // and TensorFlow's fast VALID path (its EXPLICIT path for this op measured 1.1-2.3x slower here).
      return tf.tidy(() => {
        const padded = paddedShape(info.inShape, padding);
        const inputSizes = tf.tensor1d(padded, 'int32');
        const gradient = native.executeSingleOutput(tf.Conv2DBackpropInput, convAttrs(native, validInfo(padded, filter.shape, conv)), [inputSizes, filter, dy]);
        return tf.slice(gradient, cropStart(padding), info.inShape);
      }) as unknown as tf.TensorInfo;
    },
  });
  tf.registerKernel({
    kernelName: tf.Conv2DBackpropFilter,
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: tf.Tensor4D; dy: tf.Tensor4D };
      const { filterShape, ...conv } = attrs as unknown as ConvAttrs & { filterShape: [number, number, number, number] };
      const info = convInfo(x.shape, filterShape, conv);
      const native = backend as unknown as NativeBackend;
      const padding = explicitPadding(info);
      const filterSizes = tf.tensor1d(info.filterShape, 'int32');
      try {
        if (padding === undefined) return native.executeSingleOutput(tf.Conv2DBackpropFilter, convAttrs(native, info), [x, filterSizes, dy]) as unknown as tf.TensorInfo;
        // The filter gradient over the explicitly padded input under VALID padding: the same sums, and
        // TensorFlow's fast VALID path (its EXPLICIT path for this op measured 1.2-2.9x slower here).
        return tf.tidy(() => {
          const padded = tf.pad(x, padding);
          return native.executeSingleOutput(tf.Conv2DBackpropFilter, convAttrs(native, validInfo(padded.shape as [number, number, number, number], filterShape, conv)), [padded, filterSizes, dy]);
        }) as unknown as tf.TensorInfo;
      } finally {
        filterSizes.dispose();
      }
    },
  });
}

/** TensorFlow's fused ReLU gradient, dy * (x > 0), as a kernel of the native backend only. */
const RELU_GRAD = 'IwlabReluGrad';

/**
 * tfjs differentiates ReLU as dy * cast(step(x)), and tfjs-node's Step is six ops over full-size
 * tensors (isNaN, greater, ones, fill, where, select): on the ResNet about 70 ms of a 355 ms step,
 * against one fused op in TensorFlow. The gradient registry is global, so on every other backend
 * this keeps tfjs's own formula, unchanged. One difference on the native backend: a NaN input gives
 * gradient 0 instead of NaN; a diverging run is still caught by its loss.
 */
function registerReluGradient(): void {
  tf.registerKernel({
    kernelName: RELU_GRAD,
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, backend }) => {
      const { dy, x } = inputs as { dy: tf.Tensor; x: tf.Tensor };
      const native = backend as unknown as NativeBackend;
      return native.executeSingleOutput('ReluGrad', [{ name: 'T', type: native.binding.TF_ATTR_TYPE, value: native.binding.TF_FLOAT }], [dy, x]) as unknown as tf.TensorInfo;
    },
  });
  tf.registerGradient({
    kernelName: tf.Relu,
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved as [tf.Tensor];
      const gradient = dy as tf.Tensor;
      if (tf.getBackend() === 'tensorflow' && x.dtype === 'float32') return { x: () => tf.engine().runKernel(RELU_GRAD, { dy: gradient, x }) as tf.Tensor };
      return { x: () => tf.mul(gradient, tf.cast(tf.step(x), 'float32')) };
    },
  });
}

const BATCH_NORM_TRAINING_GRAD = 'IwlabBatchNormTrainingGrad';

/**
 * Training-mode batch norm as TensorFlow's fused ops (FusedBatchNorm and FusedBatchNormGrad with
 * is_training): the models' own closed form is about ten tfjs ops a layer, which took a quarter of a
 * ResNet step here. TensorFlow's CPU kernel returns the batch variance Bessel-corrected (what PyTorch
 * moves its running variance by) and keeps the biased one for the gradient.
 */
function registerFusedBatchNorm(): void {
  const batchNormAttrs = (native: NativeBackend, epsilon: number): NativeAttr[] => [
    { name: 'T', type: native.binding.TF_ATTR_TYPE, value: native.binding.TF_FLOAT },
    { name: 'epsilon', type: native.binding.TF_ATTR_FLOAT, value: epsilon },
    { name: 'data_format', type: native.binding.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'is_training', type: native.binding.TF_ATTR_BOOL, value: true },
  ];
  tf.registerKernel({
    kernelName: BATCH_NORM_TRAINING,
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { epsilon } = attrs as unknown as { epsilon: number };
      const { x, scale, offset } = inputs as { x: tf.Tensor4D; scale: tf.Tensor1D; offset: tf.Tensor1D };
      const native = backend as unknown as NativeBackend;
      const empty = tf.tensor1d([]); // population statistics: inputs of inference only, empty when training
      try {
        return native.executeMultipleOutputs('FusedBatchNorm', batchNormAttrs(native, epsilon), [x, scale, offset, empty, empty], 5) as unknown as tf.TensorInfo[];
      } finally {
        empty.dispose();
      }
    },
  });
  tf.registerKernel({
    kernelName: BATCH_NORM_TRAINING_GRAD,
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { epsilon } = attrs as unknown as { epsilon: number };
      const { dy, x, scale, savedMean, savedVariance } = inputs as Record<string, tf.Tensor>;
      const native = backend as unknown as NativeBackend;
      const [dx, dScale, dOffset, ...unused] = native.executeMultipleOutputs('FusedBatchNormGrad', batchNormAttrs(native, epsilon), [dy!, x!, scale!, savedMean!, savedVariance!], 5);
      tf.dispose(unused);
      return [dx, dScale, dOffset] as unknown as tf.TensorInfo[];
    },
  });
  tf.registerGradient({
    kernelName: BATCH_NORM_TRAINING,
    inputsToSave: ['x', 'scale'],
    outputsToSave: [false, false, false, true, true],
    gradFunc: (dy, saved, attrs) => {
      const [x, scale, savedMean, savedVariance] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const dyOfY = (Array.isArray(dy) ? dy[0] : dy) as tf.Tensor;
      // One fused call gives all three, but tfjs asks for each inside its own tidy: the ones not yet asked
      // for are kept past the first tidy, and each is handed over as a clone (the same data) whose kept
      // original is disposed, so every gradient ends up owned by the scope that asked for it.
      let pending: tf.Tensor[] | undefined;
      const get = (i: number) => () => {
        pending ??= (tf.engine().runKernel(BATCH_NORM_TRAINING_GRAD, { dy: dyOfY, x, scale, savedMean, savedVariance }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[]).map((t) => tf.keep(t));
        const kept = pending[i]!;
        const handed = tf.clone(kept);
        kept.dispose();
        return handed;
      };
      return { x: get(0), scale: get(1), offset: get(2) };
    },
  });
}

type Padding4D = [[number, number], [number, number], [number, number], [number, number]];

/** The explicit padding of a convolution as tf.pad takes it (dimension order of the data format), or undefined for VALID/SAME. */
function explicitPadding(info: tf.backend_util.Conv2DInfo): Padding4D | undefined {
  if (info.padInfo.type !== 'EXPLICIT') return undefined;
  const { top, bottom, left, right } = info.padInfo;
  return info.dataFormat === 'channelsLast' ? [[0, 0], [top, bottom], [left, right], [0, 0]] : [[0, 0], [0, 0], [top, bottom], [left, right]];
}

function paddedShape(shape: readonly number[], padding: Padding4D): [number, number, number, number] {
  return shape.map((size, axis) => size + padding[axis]![0] + padding[axis]![1]) as [number, number, number, number];
}

function cropStart(padding: Padding4D): [number, number, number, number] {
  return padding.map(([before]) => before) as [number, number, number, number];
}

/** The same convolution on an already padded input: VALID. */
function validInfo(paddedInShape: [number, number, number, number], filterShape: [number, number, number, number], attrs: ConvAttrs): tf.backend_util.Conv2DInfo {
  return convInfo(paddedInShape, filterShape, { ...attrs, pad: 'valid' });
}

function convInfo(inShape: [number, number, number, number], filterShape: [number, number, number, number], attrs: ConvAttrs): tf.backend_util.Conv2DInfo {
  const dataFormat = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat);
  return tf.backend_util.computeConv2DInfo(inShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, dataFormat);
}

/** TensorFlow's attributes for Conv2DBackpropInput/Filter, with explicit_paddings when padding is EXPLICIT. */
export function convAttrs(native: { binding: Omit<NativeBackend['binding'], 'TF_ATTR_FLOAT'> }, info: tf.backend_util.Conv2DInfo): NativeAttr[] {
  const { binding } = native;
  const padding = info.padInfo.type;
  const nhwc = info.dataFormat === 'channelsLast';
  const attrs: NativeAttr[] = [
    { name: 'T', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT },
    { name: 'strides', type: binding.TF_ATTR_INT, value: nhwc ? [1, info.strideHeight, info.strideWidth, 1] : [1, 1, info.strideHeight, info.strideWidth] },
    { name: 'padding', type: binding.TF_ATTR_STRING, value: padding },
    { name: 'data_format', type: binding.TF_ATTR_STRING, value: nhwc ? 'NHWC' : 'NCHW' },
    { name: 'use_cudnn_on_gpu', type: binding.TF_ATTR_BOOL, value: true },
    { name: 'dilations', type: binding.TF_ATTR_INT, value: nhwc ? [1, info.dilationHeight, info.dilationWidth, 1] : [1, 1, info.dilationHeight, info.dilationWidth] },
  ];
  if (padding === 'EXPLICIT') {
    const { top, bottom, left, right } = info.padInfo;
    // Pairs per dimension in data-format order: batch and channels are never padded.
    attrs.push({ name: 'explicit_paddings', type: binding.TF_ATTR_INT, value: nhwc ? [0, 0, top, bottom, left, right, 0, 0] : [0, 0, 0, 0, top, bottom, left, right] });
  }
  return attrs;
}
