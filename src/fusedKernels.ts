/**
 * Kernels an engine may provide for the models, by name. A model uses one where the current backend
 * has registered it and falls back to its own tfjs ops elsewhere, so the models need not know the
 * engines and the engines need not know the models (they sit side by side in the layer table).
 */

/**
 * Training-mode batch norm over [batch, height, width] of NHWC input, PyTorch's semantics.
 * inputs { x, scale, offset }, attrs { epsilon }; outputs [y, batchMean, batchVarianceUnbiased,
 * savedMean, savedVariance] (the last two for the gradient). Differentiable in x, scale and offset.
 */
export const BATCH_NORM_TRAINING = 'IwlabBatchNormTraining';
