import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type KernelArgs, KernelScope } from './kernelScope';

/**
 * The filter gradient of a 2-D convolution, which the stock wasm backend lacks:
 *   dW[kh, kw, ci, co] = sum over (n, oh, ow) of x[n, oh*s + kh - padTop, ow*s + kw - padLeft, ci] * dy[n, oh, ow, co]
 * computed as one matrix product dW = cols · dy, where cols: [kh*kw*ci, positions] holds, in row
 * (kh, kw, ci), the input pixels that tap (kh, kw) of channel ci sees at every output position
 * (im2col, transposed), and dy: [positions, co]. Neither operand is transposed and there is one
 * batch, which is the case the wasm BatchMatMul hands to XNNPACK's SIMD GEMM (any other case runs
 * a scalar loop about 15x slower). Building cols is the price: see stridedColumns and
 * contiguousColumns for the two ways it is gathered.
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
    const { outChannels, filterHeight, filterWidth, inChannels } = convInfo;
    const taps = filterHeight * filterWidth * inChannels;
    const plan = prefersContiguous(convInfo) ? contiguousColumns(scope, x, dy, convInfo) : stridedColumns(scope, x, dy, convInfo);
    const unitsPerChunk = Math.max(1, Math.floor(columnChunkFloats / (taps * plan.positionsPerUnit)));
    let total: tf.TensorInfo | undefined;
    for (let firstUnit = 0; firstUnit < plan.units; firstUnit += unitsPerChunk) {
      const units = Math.min(unitsPerChunk, plan.units - firstUnit);
      const positions = units * plan.positionsPerUnit;
      const cols = scope.alloc([1, taps, positions]);
      // A fresh tensor per chunk: the wasm BatchMatMul caches XNNPACK's packed copy of b by tensor
      // id, so refilling one buffer would silently multiply by the previous chunk's values. With one
      // chunk, the plan's own gradient tensor is b (never a matMul operand elsewhere).
      const whole = units === plan.units;
      const dyChunk = whole ? scope.reshape(plan.gradient, [1, positions, outChannels]) : scope.alloc([1, positions, outChannels]);
      plan.fill(scope.view(plan.source), scope.view(cols), firstUnit, units);
      if (!whole) {
        const start = firstUnit * plan.positionsPerUnit * outChannels;
        scope.view(dyChunk).set(scope.view(plan.gradient).subarray(start, start + positions * outChannels));
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
 * The contiguous gather needs stride 1. It pays wp/ow more multiply-adds, which only the padded
 * (gather with bounds checks) or wide maps repay: measured per call, in CPU ms, contiguous against
 * element gather: 'same' 30x30x64 72 vs 143, 'same' 8x8x256 73 vs 126, 'valid' 30x30x64 58 vs 67,
 * but 'valid' 14x14x64 -> 128 27 vs 19 and 10x10x128 18 vs 17.
 */
function prefersContiguous(info: tf.backend_util.Conv2DInfo): boolean {
  if (info.strideHeight !== 1 || info.strideWidth !== 1) return false;
  const { top, bottom, left, right } = info.padInfo;
  const padded = top + bottom + left + right > 0;
  return padded || info.inWidth <= 1.1 * info.outWidth;
}

/** How to build cols in chunks of whole units (output rows, or images) and the matching dy rows. */
interface ColumnPlan {
  /** The tensor cols is gathered from. */
  source: tf.TensorInfo;
  /** dy, arranged as [units * positionsPerUnit, co] to match the columns. */
  gradient: tf.TensorInfo;
  units: number;
  positionsPerUnit: number;
  fill(source: Float32Array, cols: Float32Array, firstUnit: number, units: number): void;
}

/**
 * Any stride: cols[(kh, kw, c), (row, ow)] gathered element by element from x transposed to
 * [ci, n, h, w]; a unit is one output row (n, oh). JS moves about 0.4 G elements/s here, so for the
 * CNN's second layer this gather costs half as much as the product itself.
 */
function stridedColumns(scope: KernelScope, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): ColumnPlan {
  return {
    source: scope.run(tf.Transpose, { x }, { perm: [3, 0, 1, 2] }),
    gradient: dy,
    units: info.batchSize * info.outHeight,
    positionsPerUnit: info.outWidth,
    fill: (source, cols, firstUnit, units) => gatherColumns(source, cols, info, firstUnit, units),
  };
}

/**
 * Stride 1: pad x (transposed to [ci, n, hp, wp]) and let every output row run the full padded
 * width wp instead of ow. Then row (kh, kw, c) of cols for image n is one contiguous run of the
 * padded plane (c, n), from kh*wp + kw for oh*wp values: a memcpy instead of a gather. dy gets
 * wp - ow zero columns, so the extra positions add nothing (their x values are finite pixels of the
 * same or next plane; the last plane's overrun is zero-filled). Costs wp/ow more multiply-adds (7%
 * on the CNN's second layer) to gather about 4x faster.
 */
function contiguousColumns(scope: KernelScope, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): ColumnPlan {
  const { batchSize, inChannels, outHeight, outWidth, filterHeight, filterWidth, padInfo } = info;
  const transposed = scope.run(tf.Transpose, { x }, { perm: [3, 0, 1, 2] });
  const padded = padInfo.top + padInfo.bottom + padInfo.left + padInfo.right === 0
    ? transposed
    : scope.run(tf.PadV2, { x: transposed }, { paddings: [[0, 0], [0, 0], [padInfo.top, padInfo.bottom], [padInfo.left, padInfo.right]], constantValue: 0 });
  const [, , paddedHeight, paddedWidth] = padded.shape as [number, number, number, number];
  const extra = paddedWidth - outWidth;
  const gradient = extra === 0 ? dy : scope.run(tf.PadV2, { x: dy }, { paddings: [[0, 0], [0, 0], [0, extra], [0, 0]], constantValue: 0 });
  const plane = paddedHeight * paddedWidth;
  const run = outHeight * paddedWidth;
  return {
    source: padded,
    gradient,
    units: batchSize,
    positionsPerUnit: run,
    fill: (source, cols, firstImage, images) => {
      let out = 0;
      for (let kh = 0; kh < filterHeight; kh++) {
        for (let kw = 0; kw < filterWidth; kw++) {
          for (let c = 0; c < inChannels; c++) {
            for (let n = firstImage; n < firstImage + images; n++) {
              const start = (c * batchSize + n) * plane + kh * paddedWidth + kw;
              const end = Math.min(start + run, source.length);
              cols.set(source.subarray(start, end), out);
              if (end - start < run) cols.fill(0, out + end - start, out + run);
              out += run;
            }
          }
        }
      }
    },
  };
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
function gatherColumns(xT: Float32Array, cols: Float32Array, info: tf.backend_util.Conv2DInfo, firstRow: number, rows: number): void {
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
