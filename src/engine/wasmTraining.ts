/**
 * Makes the wasm backend able to train the papers' CNN and ResNet at useful speed. What the stock
 * backend (tfjs-backend-wasm 4.22) does, and what replaces it (./wasm/, one kernel per file):
 * - Conv2DBackpropFilter: missing. Now im2col + XNNPACK GEMM (conv2DBackpropFilter.ts).
 * - Conv2DBackpropInput: a scalar loop, ~10x slower than Conv2D. Now a forward Conv2D with the
 *   flipped filter; stride 2 by output phases (conv2DBackpropInput.ts).
 * - BatchMatMul with a transposed operand (every dense-layer gradient): a scalar loop at ~1 GFLOP/s.
 *   Now explicit transposes around the untransposed XNNPACK GEMM (batchMatMul.ts).
 * - MaxPoolGrad (2x2), Sum/Mean over batch norm's [batch, height, width] axes: slow; now one-pass JS.
 * - Identity and same-dtype Cast copy the whole tensor (the tape clones every saved activation,
 *   every ReLU gradient casts); now they share the buffer, as the cpu backend does.
 * Registered once, after the wasm package is loaded and before the backend is selected; registering
 * after selection also works (the stock setup functions have then already run).
 */
import * as tf from '@tensorflow/tfjs';
import { batchMatMulConfig } from './wasm/batchMatMul';
import { conv2DBackpropFilterConfig } from './wasm/conv2DBackpropFilter';
import { conv2DBackpropInputConfig } from './wasm/conv2DBackpropInput';
import { castConfig, identityConfig } from './wasm/identity';
import { captureStockKernel } from './wasm/kernelScope';
import { maxPoolGradConfig } from './wasm/maxPoolGrad';
import { meanConfig, sumConfig } from './wasm/reduceOverAxes';

/** The kernels this module puts on the wasm backend, by tfjs kernel name. */
export const WASM_TRAINING_KERNELS: readonly tf.KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  batchMatMulConfig,
  maxPoolGradConfig,
  sumConfig,
  meanConfig,
  identityConfig,
  castConfig,
];

let registered = false;

export function registerWasmTrainingKernels(): void {
  if (registered) return;
  // Registering first would let the wasm package's own registration overwrite these later.
  if (tf.getKernel(tf.Conv2D, 'wasm') === undefined) {
    throw new Error("Load '@tensorflow/tfjs-backend-wasm' (import or require it) before calling registerWasmTrainingKernels().");
  }
  for (const config of WASM_TRAINING_KERNELS) {
    const stock = captureStockKernel(config.kernelName);
    if (stock !== undefined) tf.unregisterKernel(config.kernelName, 'wasm');
    // The stock setup binds the C++ entry point that the replacement still calls; keep running it.
    tf.registerKernel(stock?.setupFunc ? { ...config, setupFunc: stock.setupFunc } : config);
  }
  registered = true;
}
