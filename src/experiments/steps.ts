/**
 * SGD steps, the other clock of a run: steps = epoch x steps per epoch, where an epoch takes
 * floor(training examples / batch) steps (the trainer drops the last partial batch, as NYU's loader
 * did; a full batch is one step). A sub-sampled run trains on fewer images, so fewer steps per epoch:
 * the sub-sampling figure compares weightings at equal steps, not equal epochs.
 */
import { subsampledCount } from '../data/subsets';
import { stepsPerEpoch as stepsOfEpoch } from '../train/epochs';
import type { DataSpec, RunConfig } from './types';

/**
 * Training images per class in each dataset's training split (CIFAR-10: 5000 of every class; MNIST:
 * LeCun's train-images-idx3-ubyte counts per digit), for a spec without perClass (the paper scale).
 */
const FULL_TRAIN_COUNTS: Record<'cifar10' | 'mnist', (className: string) => number> = {
  cifar10: () => 5000,
  mnist: (digit) => [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949][Number(digit)] ?? Number.NaN,
};

/** How many examples a run trains on: each class's count, the base class's sub-sampled (src/data/subsets.ts). */
export function trainingExamples(data: DataSpec): number {
  const [base, other] =
    data.source === 'toy-gaussian'
      ? [data.perClass, data.perClass]
      : [data.perClass ?? FULL_TRAIN_COUNTS[data.source](data.classes[0]), data.perClass ?? FULL_TRAIN_COUNTS[data.source](data.classes[1])];
  const keptBase = data.baseClassFraction === undefined || data.baseClassFraction === 1 ? base : subsampledCount(base, data.baseClassFraction);
  return keptBase + other;
}

/** SGD steps in one epoch of a run, as the trainer takes them. */
export function stepsPerEpoch(run: Pick<RunConfig, 'data' | 'optimizer'>): number {
  return stepsOfEpoch(trainingExamples(run.data), run.optimizer.batchSize);
}

/** SGD steps a run has taken at the end of `epoch`. */
export function stepsAtEpoch(run: Pick<RunConfig, 'data' | 'optimizer'>, epoch: number): number {
  return epoch * stepsPerEpoch(run);
}
