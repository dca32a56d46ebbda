import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type KernelArgs, KernelScope, stockKernel } from './kernelScope';

/**
 * Max-pool gradient for non-overlapping windows (filter = stride, no padding: the CNN's 2x2 pools),
 * written as one pass over the input that routes each dy value to the first maximum of its window
 * (row-major order, as the cpu backend and PyTorch do). The stock wasm kernel took about 28 ms per
 * CNN step for this (about 5% of the step); other pool shapes still use it.
 */
export function maxPoolGrad(args: KernelArgs): tf.TensorInfo {
  const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo; output: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const { padInfo, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const disjoint = filterHeight === strideHeight && filterWidth === strideWidth;
  const unpadded = padInfo.top === 0 && padInfo.left === 0 && padInfo.bottom === 0 && padInfo.right === 0;
  if (!disjoint || !unpadded || input.dtype !== 'float32') return stockKernel(tf.MaxPoolGrad).kernelFunc(args) as tf.TensorInfo;
  const scope = new KernelScope(args.backend as BackendWasm);
  try {
    const dx = scope.alloc(input.shape);
    routeToMaxima(scope.view(input), scope.view(dy), scope.view(dx), info);
    return scope.keep(dx);
  } finally {
    scope.dispose();
  }
}

function routeToMaxima(x: Float32Array, dy: Float32Array, dx: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, filterHeight, filterWidth } = info;
  dx.fill(0);
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const outBase = ((n * outHeight + oh) * outWidth + ow) * channels;
        const inBase = ((n * inHeight + oh * filterHeight) * inWidth + ow * filterWidth) * channels;
        for (let c = 0; c < channels; c++) {
          let best = inBase + c;
          let bestValue = x[best]!;
          for (let fh = 0; fh < filterHeight; fh++) {
            for (let fw = 0; fw < filterWidth; fw++) {
              const at = inBase + (fh * inWidth + fw) * channels + c;
              if (x[at]! > bestValue) {
                bestValue = x[at]!;
                best = at;
              }
            }
          }
          dx[best] = dy[outBase + c]!;
        }
      }
    }
  }
}

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as tf.KernelFunc,
};
