import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type KernelArgs, KernelScope, stockKernel } from './kernelScope';

/**
 * The input gradient of a 2-D convolution, re-expressed as a forward convolution so that it runs
 * on XNNPACK's SIMD kernel instead of the stock wasm kernel's scalar loop (about 10x slower).
 * Stride 1: dx = conv2d(dy, flip(W)ᵀ, pads kh-1-padTop before and the rest after), where
 * flip(W)ᵀ[a, b, co, ci] = W[kh-1-a, kw-1-b, ci, co].
 * Stride s: see stridedByPhases (s² sub-filters in one convolution, then interleaved); the
 * simpler form, zeros inserted between the pixels of dy, is kept for shapes the phases do not fit
 * (unequal strides) and costs s² times the multiplications.
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
    if (strideHeight > 1 || strideWidth > 1) {
      const byPhases = stridedByPhases(scope, dy, filter, convInfo);
      if (byPhases !== undefined) return scope.keep(byPhases);
    }
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

/**
 * dx for stride s = sh = sw by output phase. Write i + padTop = s*q + r (0 <= r < s): only taps
 * k = s*j + r reach dx[i], from dy[q - j], so each phase r is a stride-1 "full" convolution of dy
 * with the flipped sub-filter W[s*j + r] (j < J = ceil(k / s); shorter sub-filters padded with
 * zeros). The s² phases (in 2-D) are stacked as output channels of one convolution, interleaved
 * back into pixels (a DepthToSpace) and the rows and columns before padTop / padLeft cropped.
 * For the ResNet's 3x3 stride-2 convs this does 16 multiply-adds per output where 9 are needed,
 * against 36 with inserted zeros. Returns undefined if the shape does not fit (then use zeros).
 */
function stridedByPhases(scope: KernelScope, dy: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo | undefined {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const stride = strideHeight;
  const { top, left } = info.padInfo;
  const tapsHigh = Math.ceil(filterHeight / stride);
  const tapsWide = Math.ceil(filterWidth / stride);
  const phaseRows = Math.ceil((inHeight + top) / stride);
  const phaseCols = Math.ceil((inWidth + left) / stride);
  if (strideWidth !== stride || phaseRows < outHeight || phaseCols < outWidth) return undefined;
  const phases = scope.alloc([tapsHigh, tapsWide, outChannels, stride * stride * inChannels]);
  phaseFilters(scope.view(filter), scope.view(phases), info, tapsHigh, tapsWide);
  const stacked = scope.run(
    tf.Conv2D,
    { x: dy, filter: phases },
    {
      strides: [1, 1],
      pad: [[0, 0], [tapsHigh - 1, phaseRows - outHeight], [tapsWide - 1, phaseCols - outWidth], [0, 0]],
      dataFormat: 'NHWC',
      dilations: [1, 1],
    },
  );
  const dx = scope.alloc([batchSize, inHeight, inWidth, inChannels]);
  interleavePhases(scope.view(stacked), scope.view(dx), info, phaseRows, phaseCols);
  return dx;
}

/**
 * dx[n, i, j, :] = stacked[n, q, p, (rh*s + rw)*ci : +ci] with i + padTop = s*q + rh and
 * j + padLeft = s*p + rw: DepthToSpace and the crop in one pass (the wasm DepthToSpace kernel took
 * as long as the convolution itself).
 */
function interleavePhases(stacked: Float32Array, dx: Float32Array, info: tf.backend_util.Conv2DInfo, phaseRows: number, phaseCols: number): void {
  const { batchSize, inHeight, inWidth, inChannels: ci, strideHeight: s } = info;
  const { top, left } = info.padInfo;
  const depth = s * s * ci;
  let out = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let i = 0; i < inHeight; i++) {
      const q = Math.floor((i + top) / s);
      const rh = i + top - q * s;
      const rowBase = (n * phaseRows + q) * phaseCols;
      for (let j = 0; j < inWidth; j++) {
        const p = Math.floor((j + left) / s);
        const from = (rowBase + p) * depth + (rh * s + (j + left - p * s)) * ci;
        for (let c = 0; c < ci; c++) dx[out++] = stacked[from + c]!;
      }
    }
  }
}

/** phases[a, b, o, (rh*s + rw)*ci + i] = W[s*(J-1-a) + rh, s*(J-1-b) + rw, i, o], 0 past the filter's edge. */
function phaseFilters(filter: Float32Array, phases: Float32Array, info: tf.backend_util.Conv2DInfo, tapsHigh: number, tapsWide: number): void {
  const { inChannels: ci, outChannels: co, filterHeight: kh, filterWidth: kw, strideHeight: s } = info;
  const stacked = s * s * ci;
  phases.fill(0);
  for (let a = 0; a < tapsHigh; a++) {
    for (let b = 0; b < tapsWide; b++) {
      for (let rh = 0; rh < s; rh++) {
        const fh = s * (tapsHigh - 1 - a) + rh;
        if (fh >= kh) continue;
        for (let rw = 0; rw < s; rw++) {
          const fw = s * (tapsWide - 1 - b) + rw;
          if (fw >= kw) continue;
          const from = (fh * kw + fw) * ci * co;
          const to = (a * tapsWide + b) * co * stacked + (rh * s + rw) * ci;
          for (let i = 0; i < ci; i++) {
            for (let o = 0; o < co; o++) phases[to + o * stacked + i] = filter[from + i * co + o]!;
          }
        }
      }
    }
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
