import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type KernelArgs, KernelScope } from './kernelScope';

/**
 * The filter gradient of a 2-D convolution, which the stock wasm backend lacks:
 *   dW[kh, kw, ci, co] = sum over (n, oh, ow) of x[n, oh*s + kh - padTop, ow*s + kw - padLeft, ci] * dy[n, oh, ow, co]
 * computed as one matrix product dW = cols · dy, where cols: [kh*kw*ci, n*oh*ow] holds, in row
 * (kh, kw, ci), the input pixels that tap (kh, kw) of channel ci sees at every output position
 * (im2col, transposed), and dy: [n*oh*ow, co]. Neither operand is transposed and there is one batch,
 * which is the case the wasm BatchMatMul hands to XNNPACK's SIMD GEMM (any other case runs a
 * scalar loop about 15x slower).
 */
export function conv2DBackpropFilter(args: KernelArgs, columnChunkFloats = COLUMN_CHUNK_FLOATS): tf.TensorInfo {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const convInfo = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
  if (convInfo.dataFormat !== 'channelsLast') {
    throw new Error(`Conv2DBackpropFilter on wasm supports dataFormat 'NHWC' only (got '${attrs.dataFormat}'); transpose the input to NHWC.`);
  }
  const scope = new KernelScope(args.backend as BackendWasm);
  try {
    const { batchSize, outHeight, outWidth, outChannels, filterHeight, filterWidth, inChannels } = convInfo;
    const taps = filterHeight * filterWidth * inChannels;
    // xT: [ci, n, h, w], so each row of cols is gathered from one contiguous plane.
    const xT = scope.run(tf.Transpose, { x }, { perm: [3, 0, 1, 2] });
    const outputRows = batchSize * outHeight;
    const rowsPerChunk = Math.max(1, Math.floor(columnChunkFloats / (taps * outWidth)));
    let total: tf.TensorInfo | undefined;
    for (let firstRow = 0; firstRow < outputRows; firstRow += rowsPerChunk) {
      const rows = Math.min(rowsPerChunk, outputRows - firstRow);
      const positions = rows * outWidth;
      const cols = scope.alloc([1, taps, positions]);
      // A fresh tensor per chunk: the wasm BatchMatMul caches XNNPACK's packed copy of b by tensor
      // id, so refilling one buffer would silently multiply by the previous chunk's values. With one
      // chunk, dy itself is b (dy is never a matMul operand elsewhere, so the cache entry is sound).
      const whole = rows === outputRows;
      const dyChunk = whole ? scope.reshape(dy, [1, positions, outChannels]) : scope.alloc([1, positions, outChannels]);
      fillColumns(scope.view(xT), scope.view(cols), convInfo, firstRow, rows);
      if (!whole) {
        const dyStart = firstRow * outWidth * outChannels;
        scope.view(dyChunk).set(scope.view(dy).subarray(dyStart, dyStart + positions * outChannels));
      }
      const product = scope.run(tf.BatchMatMul, { a: cols, b: dyChunk }, { transposeA: false, transposeB: false });
      if (total === undefined) {
        total = product;
      } else {
        const sum = scope.view(total);
        const part = scope.view(product);
        for (let i = 0; i < sum.length; i++) sum[i]! += part[i]!;
        scope.free(product);
      }
      scope.free(cols);
      scope.free(dyChunk);
    }
    return scope.keep(scope.reshape(total!, attrs.filterShape));
  } finally {
    scope.dispose();
  }
}

/**
 * At most this many floats of cols (64 MiB) exist at once; larger problems are split into chunks
 * of whole output rows whose products are summed. Smaller, cache-sized chunks were measured and
 * were slower (CNN layer 2: 78 ms at 64 K floats, 68 ms at 1 M, 66 ms unchunked), so the bound is
 * about memory, not speed.
 */
const COLUMN_CHUNK_FLOATS = 16 * 1024 * 1024;

/**
 * cols[(kh, kw, c), (row, ow)] = x[n, oh*s + kh - padTop, ow*s + kw - padLeft, c] for the output rows
 * row = n*outHeight + oh in [firstRow, firstRow + rows); 0 in the padding.
 */
function fillColumns(xT: Float32Array, cols: Float32Array, info: tf.backend_util.Conv2DInfo, firstRow: number, rows: number): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const plane = inHeight * inWidth;
  let out = 0;
  for (let kh = 0; kh < filterHeight; kh++) {
    for (let kw = 0; kw < filterWidth; kw++) {
      // Output columns whose input column ow*s + kw - padLeft lies inside the image.
      const owFirst = Math.min(outWidth, Math.max(0, Math.ceil((padLeft - kw) / strideWidth)));
      const owEnd = Math.max(owFirst, Math.min(outWidth, Math.floor((inWidth - 1 + padLeft - kw) / strideWidth) + 1));
      for (let c = 0; c < inChannels; c++) {
        for (let row = firstRow; row < firstRow + rows; row++) {
          const n = Math.floor(row / outHeight);
          const oh = row - n * outHeight;
          const ih = oh * strideHeight + kh - padTop;
          if (ih < 0 || ih >= inHeight) {
            cols.fill(0, out, out + outWidth);
            out += outWidth;
            continue;
          }
          const start = (c * batchSize + n) * plane + ih * inWidth - padLeft + kw;
          let ow = 0;
          for (; ow < owFirst; ow++) cols[out++] = 0;
          if (strideWidth === 1) {
            for (; ow < owEnd; ow++) cols[out++] = xT[start + ow]!;
          } else {
            for (; ow < owEnd; ow++) cols[out++] = xT[start + ow * strideWidth]!;
          }
          for (; ow < outWidth; ow++) cols[out++] = 0;
        }
      }
    }
  }
}

export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: (args) => conv2DBackpropFilter(args),
};
