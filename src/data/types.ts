import type * as tf from '@tensorflow/tfjs';

/** Where the training and test examples come from. */
export type DataSpec =
  | {
      source: 'toy-gaussian';
      /** Points per class (Xu et al.: 512). */
      perClass: number;
      /** Keep this fraction of the base class (sub-sampling figure); 1 = keep all. */
      baseClassFraction?: number;
    }
  | {
      source: 'cifar10' | 'mnist';
      /** [base class, other class] by name ('dog', 'cat') or digit ('0', '1'); the base class is label 1. */
      classes: readonly [string, string];
      /** Training images per class; undefined = all (5000 for CIFAR-10). */
      perClass?: number;
      /** Test images per class in the in-domain set, and in total out of domain; undefined = all. */
      testPerClass?: number;
      outOfDomainCount?: number;
      /** Keep this fraction of the base class (sub-sampling figure); 1 = keep all. */
      baseClassFraction?: number;
    };

/** The toy figures' data spec. */
export type ToyDataSpec = Extract<DataSpec, { source: 'toy-gaussian' }>;

/**
 * A labelled binary dataset as the trainer sees it. Label 1 is the base class, whose weight the
 * figures vary and whose predicted fraction they plot (dog for CIFAR-10, digit 0 for MNIST,
 * class +1 for the toy data); label 0 is the other class.
 */
export interface ExampleSource {
  readonly name: string;
  readonly count: number;
  /** Shape of one example as the model consumes it: [2] for the toy data, [32, 32, C] for images (NHWC). */
  readonly exampleShape: readonly number[];
  /** 0 or 1 per example. Out-of-domain sets carry 0 everywhere: only predictions matter there. */
  readonly labels: Uint8Array;
  /** Gathers examples into one float32 tensor [indices.length, ...exampleShape], normalised. */
  batch(indices: ArrayLike<number>): tf.Tensor;
}

/** What one figure run trains and evaluates on. */
export interface FigureData {
  train: ExampleSource;
  /** In-domain test set (the two training classes); absent for figures that plot boundaries. */
  inDomain?: ExampleSource;
  /** Out-of-domain test set (the other classes). */
  outOfDomain?: ExampleSource;
  /**
   * [base, other] class means that fix the axis the 'boundary' evaluation measures along; default the
   * training set's. Sub-sampled toy data keeps the full set's, so offsets compare across weightings.
   */
  classMeans?: [[number, number], [number, number]];
}
