import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type KernelArgs, stockKernel } from './kernelScope';

/**
 * Identity that shares the input's buffer (reference-counted), as the cpu backend's does. The
 * stock wasm Identity copies the whole tensor, and the engine calls Identity to keep every tensor a
 * gradient needs (tf.clone in saveTensorsForBackwardMode): one full copy per saved activation per
 * training step. Tensors are immutable, so sharing is safe; the wasm kernels' XNNPACK caches are
 * keyed by buffer and freed when its last reference goes.
 */
export function identity(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo };
  if (x.dtype === 'string') return stockKernel(tf.Identity).kernelFunc(args) as tf.TensorInfo;
  (args.backend as BackendWasm).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/**
 * Cast to the dtype the tensor already has shares the buffer too: every ReLU gradient is
 * dy * cast(step(x), 'float32'), and the stock wasm Cast copies even then.
 */
export function cast(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo };
  const { dtype } = args.attrs as unknown as tf.CastAttrs;
  if (dtype !== x.dtype) return stockKernel(tf.Cast).kernelFunc(args) as tf.TensorInfo;
  return identity(args);
}

export const castConfig: tf.KernelConfig = {
  kernelName: tf.Cast,
  backendName: 'wasm',
  kernelFunc: cast as tf.KernelFunc,
};

export const identityConfig: tf.KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  kernelFunc: identity as tf.KernelFunc,
};
