/**
 * Makes the wasm backend able to train the papers' CNN and ResNet at useful speed. The stock
 * backend lacks Conv2DBackpropFilter, runs Conv2DBackpropInput as a scalar loop, and multiplies
 * transposed matrices (every dense-layer gradient) with a scalar loop too; its max-pool gradient
 * is slow for the CNN's 2x2 pools, and its Sum and Mean transpose the whole tensor before
 * reducing over batch norm's [batch, height, width] axes; its Identity copies every tensor that
 * the gradient tape keeps, and its Cast copies even to the same dtype (every ReLU gradient). The replacements in
 * ./wasm/ re-express each as the backend's fast XNNPACK kernels (Conv2D, untransposed
 * BatchMatMul) plus cheap data movement. Registered once, before the wasm backend is selected;
 * registering after selection also works (the stock setup has then already run).
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
