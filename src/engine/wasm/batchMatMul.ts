import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type KernelArgs, KernelScope, stockKernel } from './kernelScope';

/**
 * BatchMatMul that keeps XNNPACK's SIMD GEMM for transposed operands. The stock wasm kernel uses
 * XNNPACK only when neither operand is transposed and there is a single batch; otherwise it runs a
 * scalar triple loop (about 1 GFLOP/s against 15-25). Dense-layer gradients are exactly the
 * transposed cases (dx = dy·Wᵀ, dW = xᵀ·dy), so a transposed operand is materialised first with the
 * (fast, memory-bound) Transpose kernel and the product handed to the stock kernel untransposed.
 */
export function batchMatMul(args: KernelArgs): tf.TensorInfo {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  const stock = stockKernel(tf.BatchMatMul).kernelFunc;
  const batchA = a.shape.slice(0, -2).reduce((x, y) => x * y, 1);
  const batchB = b.shape.slice(0, -2).reduce((x, y) => x * y, 1);
  if ((!transposeA && !transposeB) || batchA !== 1 || batchB !== 1 || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return stock(args) as tf.TensorInfo;
  }
  const scope = new KernelScope(args.backend as BackendWasm);
  try {
    const untransposed = (x: tf.TensorInfo, transpose: boolean): tf.TensorInfo => {
      if (!transpose) return x;
      const rows = x.shape[x.shape.length - 2]!;
      const cols = x.shape[x.shape.length - 1]!;
      return scope.run(tf.Transpose, { x: scope.reshape(x, [rows, cols]) }, { perm: [1, 0] });
    };
    const product = scope.run(
      tf.BatchMatMul,
      { a: untransposed(a, transposeA), b: untransposed(b, transposeB) },
      { transposeA: false, transposeB: false },
    );
    // Same shape as the stock kernel returns: the broadcast batch dims, then [rows, cols].
    const rank = Math.max(a.shape.length, b.shape.length);
    const outShape = [...new Array<number>(rank - 2).fill(1), ...product.shape.slice(-2)];
    return scope.keep(scope.reshape(product, outShape));
  } finally {
    scope.dispose();
  }
}

export const batchMatMulConfig: tf.KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMul as tf.KernelFunc,
};
