import type { EngineProvenance } from '../engine/provenance';
/**
 * The vocabulary of the registry: what a figure is (FigureSpec), what one training run is
 * (RunConfig: plain JSON, hashed into the run id), and what a run reports (EpochMetrics).
 */

export type ScaleName = 'smoke' | 'quick' | 'paper';
export const SCALES: readonly ScaleName[] = ['smoke', 'quick', 'paper'];

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

/** A model as the builders in src/models take it. */
export type ModelSpec =
  | { kind: 'linear'; inputSize: number }
  | { kind: 'mlp'; inputSize: number; hidden: number }
  | {
      kind: 'cnn';
      inChannels: number;
      /** Multiplies every conv and dense width (1 = the papers' 64/128, 512/128). */
      width: number;
      /** Dropout rate after each hidden dense layer; 0 = none. */
      dropout: number;
    }
  | { kind: 'resnet'; inChannels: number; width: number; batchNorm: boolean };

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

/** What is measured after each epoch ('boundary' and 'max-margin' at log-spaced epochs: about twenty a decade). */
export type Evaluation = 'fractions' | 'boundary' | 'max-margin';

/** A named set of overrides: one curve family of a figure (e.g. 'mlp', 'l2=1e-3', 'no-bn'). */
export interface Variant {
  id: string;
  label: string;
  model?: ModelSpec;
  loss?: LossSpec;
  optimizer?: Partial<OptimizerSpec>;
  data?: Partial<DataSpec>;
  /**
   * How the class weight is realised; absent = in the loss. 'subsample' keeps a fraction w of the base
   * class (drawn without replacement, seeded) and trains with 1:1 loss weights, so only w <= 1 exist.
   */
  weighting?: Weighting;
}

/** A class weight realised by sub-sampling the base class instead of weighting the loss (Byrd & Lipton's comparison). */
export type Weighting = 'subsample';

/** How big a figure runs at one scale. Scales change sizes and counts only, never the code path. */
export interface ScaleSettings {
  epochs: number;
  /** Seeds per (weight, variant); results are always keyed by seed. */
  seeds: number;
  /** Overrides of the data sizes (perClass, testPerClass, outOfDomainCount). */
  data?: { perClass?: number; testPerClass?: number; outOfDomainCount?: number };
  /** Overrides of the model width multiplier, for scales that must buy steps with a smaller net. */
  width?: number;
  /** The variants (by id) this scale runs, for a coarser variant grid; default all of the figure's. */
  variants?: readonly string[];
  /** A coarser weight grid for this scale; default the figure's classWeights. */
  classWeights?: readonly number[];
  /** Epochs at which the toy figures keep the model's parameters for drawing boundaries. */
  snapshotEpochs?: readonly number[];
  batchSize?: number;
}

export interface FigureSpec {
  id: string;
  title: string;
  /** Sources and what to expect, one or two sentences. */
  description: string;
  data: DataSpec;
  model: ModelSpec;
  loss: LossSpec;
  optimizer: OptimizerSpec;
  /** Weight of the base class relative to the other class (dog : cat), e.g. 1/256 ... 256. */
  classWeights: readonly number[];
  /** Curve families; a figure with one family has one variant with no overrides. */
  variants: readonly Variant[];
  evaluations: readonly Evaluation[];
  scales: Record<ScaleName, ScaleSettings>;
}

/** One training run, fully resolved: everything that can change its numbers, and nothing else. */
export interface RunConfig {
  figure: string;
  scale: ScaleName;
  variant: string;
  /** Base-class weight (the other class has weight 1). */
  classWeight: number;
  /**
   * 'subsample': classWeight is realised by data.baseClassFraction = classWeight and the loss weights
   * are 1:1. Absent for loss-weighted runs, so their ids (hashes of this config) never changed.
   */
  weighting?: Weighting;
  seed: number;
  data: DataSpec;
  model: ModelSpec;
  loss: LossSpec;
  optimizer: OptimizerSpec;
  epochs: number;
  evaluations: readonly Evaluation[];
  snapshotEpochs: readonly number[];
}

/** One line of metrics.jsonl. */
export interface EpochMetrics {
  epoch: number;
  classWeight: number;
  seed: number;
  variant: string;
  /** Mean weighted training loss over the epoch's steps. */
  trainLoss: number;
  /** Unweighted training accuracy at the end of the epoch; like every evaluation, only at log-spaced epochs and the last. */
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
  /** Seconds since the run started, summed over resumed sessions. */
  wallTime: number;
}

/** Model parameters kept at a snapshot epoch (small models only), for drawing boundaries. */
export interface Snapshot {
  epoch: number;
  params: { shape: number[]; values: number[] }[];
}

export type RunStatus = 'done' | 'failed' | 'stopped';

export interface RunResult {
  runId: string;
  config: RunConfig;
  status: RunStatus;
  metrics: EpochMetrics[];
  snapshots: Snapshot[];
  /** Why a run failed (divergence, a worker crash), for the figure's caption. */
  error?: string;
  /** The engines that trained it, one entry per training session (a resumed run may have several). */
  engine?: EngineSession[];
}

/** Backend, TensorFlow version and threads of one training session, from the epoch it started at. */
export interface EngineSession extends EngineProvenance {
  startEpoch: number;
}

export interface FigureResult {
  spec: FigureSpec;
  scale: ScaleName;
  runs: RunResult[];
}

/** Progress as a typed event stream; the terminal bars and the notebook display both read it. */
export type ProgressEvent =
  /** `epochs`: epochs left to train over all runs (resumed runs count from their checkpoint), for an ETA. */
  | { type: 'figureStart'; figure: string; scale: ScaleName; runs: number; reused: number; epochs?: number }
  | { type: 'runStart'; runId: string; label: string; epochs: number; startEpoch: number }
  | { type: 'epochEnd'; runId: string; epoch: number; epochs: number; metrics: EpochMetrics }
  | { type: 'runEnd'; runId: string; status: RunStatus | 'reused'; error?: string }
  | { type: 'figureEnd'; figure: string; seconds: number };

export type ProgressListener = (event: ProgressEvent) => void;
