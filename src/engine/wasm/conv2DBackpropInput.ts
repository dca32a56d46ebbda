import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type KernelArgs, KernelScope, stockKernel } from './kernelScope';

/**
 * The input gradient of a 2-D convolution, re-expressed as a forward convolution so that it runs
 * on XNNPACK's SIMD kernel instead of the stock wasm kernel's scalar loop (about 10x slower):
 *   dx = conv2d(dyUp, flip(W)ᵀ, stride 1, pads kh-1-padTop before and the rest after),
 * where flip(W)ᵀ[a, b, co, ci] = W[kh-1-a, kw-1-b, ci, co] and dyUp is dy with s-1 zeros inserted
 * between neighbouring pixels for stride s (dyUp = dy for stride 1).
 */
export function conv2DBackpropInput(args: KernelArgs): tf.TensorInfo {
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const convInfo = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth } = convInfo;
  const padBefore = [filterHeight - 1 - convInfo.padInfo.top, filterWidth - 1 - convInfo.padInfo.left];
  const padAfter = [
    inHeight + convInfo.padInfo.top - (outHeight - 1) * strideHeight - 1,
    inWidth + convInfo.padInfo.left - (outWidth - 1) * strideWidth - 1,
  ];
  if (convInfo.dataFormat !== 'channelsLast' || Math.min(...padBefore, ...padAfter) < 0) {
    // NCHW, or padding wider than the filter: rare shapes the models never use; keep stock behaviour.
    return stockKernel(tf.Conv2DBackpropInput).kernelFunc(args) as tf.TensorInfo;
  }
  const scope = new KernelScope(args.backend as BackendWasm);
  try {
    const flipped = scope.alloc([filterHeight, filterWidth, outChannels, inChannels]);
    let source = dy;
    if (strideHeight > 1 || strideWidth > 1) {
      source = scope.alloc([batchSize, (outHeight - 1) * strideHeight + 1, (outWidth - 1) * strideWidth + 1, outChannels]);
      insertZeros(scope.view(dy), scope.view(source), convInfo);
    }
    flipTranspose(scope.view(filter), scope.view(flipped), filterHeight, filterWidth, inChannels, outChannels);
    const dx = scope.run(
      tf.Conv2D,
      { x: source, filter: flipped },
      {
        strides: [1, 1],
        pad: [[0, 0], [padBefore[0]!, padAfter[0]!], [padBefore[1]!, padAfter[1]!], [0, 0]],
        dataFormat: 'NHWC',
        dilations: [1, 1],
      },
    );
    return scope.keep(dx);
  } finally {
    scope.dispose();
  }
}

/** flipped[a, b, o, i] = filter[kh-1-a, kw-1-b, i, o]. */
function flipTranspose(filter: Float32Array, flipped: Float32Array, kh: number, kw: number, ci: number, co: number): void {
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      const from = ((kh - 1 - a) * kw + (kw - 1 - b)) * ci * co;
      const to = (a * kw + b) * co * ci;
      for (let i = 0; i < ci; i++) {
        for (let o = 0; o < co; o++) flipped[to + o * ci + i] = filter[from + i * co + o]!;
      }
    }
  }
}

/** up[n, oh*sh, ow*sw, c] = dy[n, oh, ow, c]; every other pixel 0. */
function insertZeros(dy: Float32Array, up: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize, outHeight, outWidth, outChannels, strideHeight, strideWidth } = info;
  const upHeight = (outHeight - 1) * strideHeight + 1;
  const upWidth = (outWidth - 1) * strideWidth + 1;
  up.fill(0);
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const rowFrom = (n * outHeight + oh) * outWidth * outChannels;
      const rowTo = (n * upHeight + oh * strideHeight) * upWidth * outChannels;
      for (let ow = 0; ow < outWidth; ow++) {
        up.set(dy.subarray(rowFrom + ow * outChannels, rowFrom + (ow + 1) * outChannels), rowTo + ow * strideWidth * outChannels);
      }
    }
  }
}

export const conv2DBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as tf.KernelFunc,
};
