import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type KernelArgs, KernelScope, stockKernel } from './kernelScope';

/**
 * BatchMatMul that keeps XNNPACK's SIMD GEMM for transposed operands. The stock wasm kernel uses
 * XNNPACK only when neither operand is transposed and there is a single batch; otherwise it runs a
 * scalar triple loop (about 1 GFLOP/s against 15-25). Dense-layer gradients are exactly the
 * transposed cases (dx = dy·Wᵀ, dW = xᵀ·dy), so each is rewritten as an untransposed product of
 * materialised transposes, choosing the form that moves the fewest floats: XNNPACK packs its b
 * operand afresh for every new tensor (about 8 ms for a 2048x512 matrix, slower than the product
 * at batch 16), so the large weight matrix should be the a operand where the algebra allows.
 *   A·Bᵀ = (B·Aᵀ)ᵀ when A is the smaller side;  Aᵀ·B with Aᵀ materialised;  Aᵀ·Bᵀ = (B·A)ᵀ.
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
    const matrix = (x: tf.TensorInfo): tf.TensorInfo => scope.reshape(x, x.shape.slice(-2));
    const transpose = (x: tf.TensorInfo): tf.TensorInfo => scope.run(tf.Transpose, { x: matrix(x) }, { perm: [1, 0] });
    const multiply = (x: tf.TensorInfo, y: tf.TensorInfo): tf.TensorInfo => scope.run(tf.BatchMatMul, { a: x, b: y }, { transposeA: false, transposeB: false });
    // Rows and columns of the result, and the shared dimension.
    const rows = transposeA ? a.shape[a.shape.length - 1]! : a.shape[a.shape.length - 2]!;
    const cols = transposeB ? b.shape[b.shape.length - 2]! : b.shape[b.shape.length - 1]!;
    const inner = transposeA ? a.shape[a.shape.length - 2]! : a.shape[a.shape.length - 1]!;
    let product: tf.TensorInfo;
    if (transposeA && transposeB) {
      product = transpose(multiply(matrix(b), matrix(a)));
    } else if (transposeA) {
      product = multiply(transpose(a), matrix(b));
    } else if (2 * inner * rows + rows * cols < 2 * inner * cols) {
      product = transpose(multiply(matrix(b), transpose(a)));
    } else {
      product = multiply(matrix(a), transpose(b));
    }
    // Same shape as the stock kernel returns: the broadcast batch dims, then [rows, cols].
    const rank = Math.max(a.shape.length, b.shape.length);
    return scope.keep(scope.reshape(product, [...new Array<number>(rank - 2).fill(1), rows, cols]));
  } finally {
    scope.dispose();
  }
}

export const batchMatMulConfig: tf.KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMul as tf.KernelFunc,
};
