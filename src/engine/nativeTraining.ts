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

/** The parts of tfjs-node's NodeJSKernelBackend these kernels use. */
interface NativeBackend {
  binding: { TF_ATTR_INT: number; TF_ATTR_STRING: number; TF_ATTR_BOOL: number; TF_ATTR_TYPE: number; TF_FLOAT: number };
  executeSingleOutput(name: string, attrs: NativeAttr[], inputs: tf.Tensor[]): tf.Tensor;
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
      const inputSizes = tf.tensor1d(info.inShape, 'int32');
      try {
        return native.executeSingleOutput(tf.Conv2DBackpropInput, convAttrs(native, info), [inputSizes, filter, dy]) as unknown as tf.TensorInfo;
      } finally {
        inputSizes.dispose();
      }
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
      const filterSizes = tf.tensor1d(info.filterShape, 'int32');
      try {
        return native.executeSingleOutput(tf.Conv2DBackpropFilter, convAttrs(native, info), [x, filterSizes, dy]) as unknown as tf.TensorInfo;
      } finally {
        filterSizes.dispose();
      }
    },
  });
}

function convInfo(inShape: [number, number, number, number], filterShape: [number, number, number, number], attrs: ConvAttrs): tf.backend_util.Conv2DInfo {
  const dataFormat = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat);
  return tf.backend_util.computeConv2DInfo(inShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, dataFormat);
}

/** TensorFlow's attributes for Conv2DBackpropInput/Filter, with explicit_paddings when padding is EXPLICIT. */
export function convAttrs(native: NativeBackend, info: tf.backend_util.Conv2DInfo): NativeAttr[] {
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
