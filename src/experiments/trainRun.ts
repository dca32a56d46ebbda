/**
 * How a run is trained: its RunConfig resolved into the trainer's own TrainConfig (the class weight
 * turned into loss weights here, once), and the trainer's lines and result labelled back as the run's.
 * The trainer itself knows nothing of figures, variants, weightings or run ids.
 */
import type { FigureData } from '../data/types';
import type { Checkpoint, TrainHooks } from '../train/trainer';
import type { TrainConfig, TrainEpochMetrics, TrainResult } from '../train/types';
import type { EpochMetrics, RunConfig, RunResult } from './types';

/**
 * [other class, base class] weights of the loss: the run's class weight on the base class. A
 * sub-sampling run has realised its class weight in the data (expandRuns set data.baseClassFraction),
 * so its loss is unweighted.
 */
export function lossClassWeights(run: Pick<RunConfig, 'classWeight' | 'weighting'>): [number, number] {
  return [1, run.weighting === 'subsample' ? 1 : run.classWeight];
}

/** What the trainer needs of a run, and nothing else. */
export function trainerConfig(run: RunConfig): TrainConfig {
  return {
    seed: run.seed,
    model: run.model,
    loss: run.loss,
    lossWeights: lossClassWeights(run),
    optimizer: run.optimizer,
    epochs: run.epochs,
    evaluations: run.evaluations,
    evaluationCadence: run.evaluationCadence ?? 'log-spaced',
    snapshotEpochs: run.snapshotEpochs,
  };
}

/**
 * A trainer line as metrics.jsonl holds it: epoch, the run's weight, seed and variant, then the
 * trainer's fields in its order (the store's key order since the first stored run).
 */
export function epochMetrics(run: RunConfig, line: TrainEpochMetrics): EpochMetrics {
  const { epoch, ...measured } = line;
  return { epoch, classWeight: run.classWeight, seed: run.seed, variant: run.variant, ...measured };
}

/** The trainer's result as the run's: its id and config, every line labelled. */
export function runResult(runId: string, run: RunConfig, trained: TrainResult): RunResult {
  const { status, metrics, snapshots, error } = trained;
  return { runId, config: run, status, metrics: metrics.map((line) => epochMetrics(run, line)), snapshots, ...(error === undefined ? {} : { error }) };
}

/** The trainer's hooks for a run: a resumed run continues from its stored (labelled) lines. */
export type RunTrainHooks = Omit<TrainHooks, 'resumeFrom'> & { resumeFrom?: { checkpoint: Checkpoint; metrics: EpochMetrics[] } };

/** Trains one run with the real trainer (loaded on first use: it loads tfjs). */
export async function trainRun(run: RunConfig, data: FigureData, hooks: RunTrainHooks = {}): Promise<TrainResult> {
  const { train } = await import('../train/trainer');
  return train(trainerConfig(run), data, hooks);
}
