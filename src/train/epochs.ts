/**
 * How an epoch becomes SGD steps, in one place: the trainer takes these steps, and the plots and the
 * compute table count them (src/experiments/steps.ts). No tfjs here, so counting never loads it.
 */

/**
 * Steps in one epoch over `examples` training examples: floor(examples / batch), dropping the last
 * partial batch as NYU's loader did; batch 0 (or one at least as large as the set) is one full-batch step.
 */
export function stepsPerEpoch(examples: number, batchSize: number): number {
  const batch = batchSize === 0 ? examples : Math.min(batchSize, examples);
  return Math.floor(examples / batch);
}

/** The batch a step takes: the whole set for batch 0, and never more than the set. */
export function effectiveBatchSize(examples: number, batchSize: number): number {
  return batchSize === 0 ? examples : Math.min(batchSize, examples);
}
