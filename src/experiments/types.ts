/**
 * The vocabulary of the registry: what a figure is (FigureSpec), what one training run is
 * (RunConfig: plain JSON, hashed into the run id), and what a run reports (EpochMetrics).
 */
import type { DataSpec } from '../data/types';
import type { EngineProvenance } from '../engine/provenance';
import type { ModelSpec } from '../models/types';
import type { Evaluation, EvaluationCadence, LossSpec, OptimizerSpec, Snapshot, TrainEpochMetrics, TrainStatus } from '../train/types';
import type { StopReason } from './stopReason';

// The layers own these; they are re-exported here because the registry speaks in them and code
// above the layers (commands, notebooks, plots) imports the vocabulary from this one file.
export type { DataSpec, ToyDataSpec } from '../data/types';
export type { ModelSpec } from '../models/types';
export type { Evaluation, EvaluationCadence, EpochEvaluation, LossSpec, OptimizerSpec, Reduction, Snapshot, TrainEpochMetrics, TrainStatus } from '../train/types';

export type ScaleName = 'smoke' | 'quick' | 'paper';
export const SCALES: readonly ScaleName[] = ['smoke', 'quick', 'paper'];

/** Whether a class weight is 1:1, the unweighted reference (to 1e-9, so a weight computed as 4 * 1/4 counts). */
export const isReferenceWeight = (weight: number): boolean => Math.abs(weight - 1) < 1e-9;

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
  /**
   * Seeds of the 1:1 runs where more than `seeds` (or the --seeds override): the noise floor is what
   * separates the 1:1 seeds, so it needs at least two even where the other weights run one.
   */
  referenceSeeds?: number;
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
  /** Which epochs are evaluated; default 'log-spaced' (src/train/types.ts). */
  evaluationCadence?: EvaluationCadence;
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
  /**
   * Absent for the default, 'log-spaced', so the ids of runs stored before the cadence was a setting
   * never changed; it is hashed when set, since it changes what metrics.jsonl holds.
   */
  evaluationCadence?: Exclude<EvaluationCadence, 'log-spaced'>;
  snapshotEpochs: readonly number[];
}

/**
 * One line of metrics.jsonl: the trainer's line labelled with its run's weight, seed and variant
 * (src/experiments/trainRun.ts writes them in this order, the store's format since the start).
 */
export interface EpochMetrics extends TrainEpochMetrics {
  classWeight: number;
  seed: number;
  variant: string;
}

export type RunStatus = TrainStatus;

export interface RunResult {
  runId: string;
  config: RunConfig;
  status: RunStatus;
  metrics: EpochMetrics[];
  snapshots: Snapshot[];
  /** Why a run failed (divergence, a worker crash), for the figure's caption. */
  error?: string;
  /** Why the run is not 'done', typed (absent when done); `error` is its one-line description. */
  stopReason?: StopReason;
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
