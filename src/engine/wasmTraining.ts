/**
 * Gradient kernels that the stock wasm backend lacks or runs slowly, registered before the backend
 * is selected. Filled in by the fast-CNN work (issue: train CNNs fast on the CPU).
 */
export function registerWasmTrainingKernels(): void {
  // Nothing registered yet: dense models train on the stock wasm kernels.
}
