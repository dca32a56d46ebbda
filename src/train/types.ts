/**
 * The trainer's own vocabulary: how the loss and the optimiser are specified, what is measured after
 * an epoch, and what one training takes (TrainConfig) and gives back (TrainResult). The experiments
 * layer resolves a run into a TrainConfig (src/experiments/trainRun.ts) and labels the result.
 */
import type { ModelSpec } from '../models/types';

/**
 * How a batch's weighted losses become one number: 'weights' divides sum(w_i * loss_i) by sum(w_i)
 * (PyTorch's CrossEntropyLoss(weight=...), NYU's choice); 'count' divides by the batch size.
 */
export type Reduction = 'weights' | 'count';

export type LossSpec =
  | { kind: 'cross-entropy'; reduction: Reduction }
  /** Xu et al.'s exponential loss exp(-margin), margin = (logit_1 - logit_0) * (2y - 1). */
  | { kind: 'exponential'; reduction: Reduction }
  /**
   * Wang, Chatterji, Haque & Hashimoto (ICLR 2022), l_{alpha,beta}(v) of the margin v: (v - (beta - 1))^-alpha
   * for v > beta, their scaled logistic softplus(-(v - (beta - 1)))/log(1 + 1/e) below (src/train/losses.ts).
   */
  | {
      kind: 'polynomial';
      /** Tail exponent, > 0: the loss decays like v^-alpha (their binary CIFAR-10 config: 2). */
      alpha: number;
      /** Where the tail starts, any finite margin (their code: 1). */
      beta: number;
      reduction: Reduction;
    };

export interface OptimizerSpec {
  kind: 'sgd';
  learningRate: number;
  /** Examples per step; 0 means the whole training set (full-batch gradient descent). */
  batchSize: number;
  /** L2 as weight decay: gradient += weightDecay * parameter (PyTorch SGD weight_decay). */
  weightDecay: number;
}

/** What is measured at an evaluated epoch (which epochs: the run's EvaluationCadence). */
export type Evaluation = 'fractions' | 'boundary' | 'max-margin';

/**
 * Which epochs are evaluated (the last one always is). 'log-spaced': every epoch up to 20, then about
 * twenty a decade (isLogSpacedEpoch), for scales whose small training set makes predicting every test
 * image each epoch cost more than training. 'every-epoch': as NYU evaluated (paper scale).
 */
export type EvaluationCadence = 'log-spaced' | 'every-epoch';

/** One training, fully resolved: nothing here needs the registry to be read. */
export interface TrainConfig {
  /** Seeds the training RNG stream (initialisation, shuffling, dropout masks). */
  seed: number;
  model: ModelSpec;
  loss: LossSpec;
  /** [other class, base class] weights of each example's loss term. */
  lossWeights: readonly [number, number];
  optimizer: OptimizerSpec;
  epochs: number;
  evaluations: readonly Evaluation[];
  evaluationCadence: EvaluationCadence;
  /** Epochs whose parameters are kept (0 = the initialisation), for drawing boundaries. */
  snapshotEpochs: readonly number[];
}

/**
 * What the 'fractions', 'boundary' and 'max-margin' evaluations measure, only at evaluated epochs (the
 * cadence's, and the last): every field is absent on the epochs between. The key order is the order of
 * metrics.jsonl since the first stored run; fields added later come after the old ones, so a stored run
 * that lacks them still loads (its tables show blanks).
 */
export interface EpochEvaluation {
  /** Unweighted training accuracy at the end of the epoch (eval mode); on every evaluated epoch. */
  trainAccuracy?: number;
  /** Fraction of test examples predicted as the base class ('fractions' evaluation). */
  inDomainFraction?: number;
  outOfDomainFraction?: number;
  /** Decision boundary where it crosses the line between the class means ('boundary' evaluation). */
  boundaryAngle?: number;
  boundaryOffset?: number;
  /** Degrees between the last layer's direction and the hard-margin SVM's on its features ('max-margin'). */
  maxMarginAngle?: number;
  /** Smallest signed distance of a training example from the model's boundary, in feature space. */
  modelMargin?: number;
  /** The SVM's margin on the same features: the largest modelMargin any boundary could reach. */
  svmMargin?: number;
  // Added with issue 13 ('fractions' evaluation), after the fields above to keep the stored key order:
  // what the fractions are read against, so an in-domain fraction of 0.5 is told from a coin flip.
  /** Fraction of in-domain test images classified right (argmax of the two logits). */
  inDomainAccuracy?: number;
  /** In-domain recall of the base class: base-class test images predicted as the base class. */
  baseClassRecall?: number;
  /** In-domain recall of the other class: other-class test images predicted as the other class. */
  otherClassRecall?: number;
  /** Mean softmax probability of the base class over the in-domain test images. */
  inDomainBaseProbability?: number;
  /** The same over the out-of-domain test images. */
  outOfDomainBaseProbability?: number;
  /** The run's loss on the in-domain test set, unweighted (1:1 weights, mean over examples). */
  inDomainLoss?: number;
}

/** What the trainer reports after each epoch. */
export interface TrainEpochMetrics extends EpochEvaluation {
  epoch: number;
  /** Mean weighted training loss over the epoch's steps. */
  trainLoss: number;
  /** Seconds since the run started, summed over resumed sessions. */
  wallTime: number;
  /**
   * The process's resident-set high-water mark so far, in MiB (process.resourceUsage().maxRSS): the
   * peak memory for the compute table. A pool worker shares its process with the other workers, so
   * there it is the whole pool's peak. Added with issue 13, last in the line; absent in older runs.
   */
  peakMemoryMiB?: number;
}

/** Model parameters kept at a snapshot epoch (small models only), for drawing boundaries. */
export interface Snapshot {
  epoch: number;
  params: { shape: number[]; values: number[] }[];
}

/** 'failed': diverged (the error says where); 'stopped': aborted between steps. */
export type TrainStatus = 'done' | 'failed' | 'stopped';

export interface TrainResult {
  status: TrainStatus;
  /** Every finished epoch, resumed ones included. */
  metrics: TrainEpochMetrics[];
  snapshots: Snapshot[];
  /** Why training failed (divergence). */
  error?: string;
}
