import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** A kernel's attributes, as tfjs passes them (the union of every kernel's attribute types). */
export type KernelAttrs = tf.NamedAttrMap;

/** What tfjs passes to a kernel function. */
export type KernelArgs = Parameters<tf.KernelFunc>[0];

/**
 * Runs registered wasm kernels from inside another kernel, at the backend level (no engine, no
 * tape), and owns the intermediate tensors they produce: `dispose()` frees every one that was not
 * handed out with `keep()`. A training kernel creates one scope per call and disposes it in a
 * `finally`, so an error mid-kernel never leaks wasm heap.
 */
export class KernelScope {
  private readonly owned: tf.TensorInfo[] = [];

  constructor(readonly backend: BackendWasm) {}

  /** Calls the wasm backend's own kernel `name` (the stock one even where a training kernel
   *  replaced it, see stockKernel) and owns its output. */
  run(name: string, inputs: Record<string, tf.TensorInfo>, attrs: KernelAttrs = {}): tf.TensorInfo {
    const kernel = kernelFor(name);
    const output = kernel(inputs, this.backend, attrs);
    this.owned.push(output);
    return output;
  }

  /** A new float32 tensor on the wasm heap, contents undefined (malloc, not calloc). */
  alloc(shape: number[]): tf.TensorInfo {
    const output = this.backend.makeOutput(shape, 'float32') as tf.TensorInfo;
    this.owned.push(output);
    return output;
  }

  /** A view of a tensor's float32 data on the wasm heap. Take views only after the last
   *  allocation of a step: a heap growth detaches every earlier view. */
  view(info: tf.TensorInfo): Float32Array {
    return this.backend.typedArrayFromHeap(info) as Float32Array;
  }

  /** The same data under another shape; shares (and ref-counts) the buffer, no copy. */
  reshape(info: tf.TensorInfo, shape: number[]): tf.TensorInfo {
    return this.run(tf.Reshape, { x: info }, { shape });
  }

  /** Hands `info` to the caller: the scope no longer frees it. */
  keep(info: tf.TensorInfo): tf.TensorInfo {
    const index = this.owned.lastIndexOf(info);
    if (index >= 0) this.owned.splice(index, 1);
    return info;
  }

  /** Frees one owned tensor now (large intermediates inside a loop). */
  free(info: tf.TensorInfo): void {
    const index = this.owned.lastIndexOf(info);
    if (index < 0) throw new Error('KernelScope.free: this tensor is not owned by the scope (already freed or kept).');
    this.owned.splice(index, 1);
    this.backend.disposeData(info.dataId);
  }

  dispose(): void {
    for (const info of this.owned) this.backend.disposeData(info.dataId);
    this.owned.length = 0;
  }
}

type BoundKernel = (inputs: Record<string, tf.TensorInfo>, backend: BackendWasm, attrs: KernelAttrs) => tf.TensorInfo;

/**
 * The stock kernels that the training kernels build on, captured before any of them is
 * replaced, so a replaced kernel (BatchMatMul, Conv2DBackpropInput) can still call the original.
 */
const stockKernels = new Map<string, tf.KernelConfig>();

/** Remembers the wasm backend's own kernel `name` (call before registering a replacement). */
export function captureStockKernel(name: string): tf.KernelConfig | undefined {
  if (!stockKernels.has(name)) {
    const config = tf.getKernel(name, 'wasm');
    if (config !== undefined) stockKernels.set(name, config);
  }
  return stockKernels.get(name);
}

/** The wasm backend's own kernel `name`: the captured original if it was replaced, else the registered one. */
export function stockKernel(name: string): tf.KernelConfig {
  const config = stockKernels.get(name) ?? tf.getKernel(name, 'wasm');
  if (config === undefined) {
    throw new Error(`The wasm backend has no '${name}' kernel; import '@tensorflow/tfjs-backend-wasm' before training on it.`);
  }
  return config;
}

function kernelFor(name: string): BoundKernel {
  const kernelFunc = stockKernel(name).kernelFunc;
  return (inputs, backend, attrs) => kernelFunc({ inputs, backend, attrs }) as tf.TensorInfo;
}
