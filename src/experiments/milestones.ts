/**
 * Two moments of a run that the fractions must be read against: when it leaves the constant predictor
 * (before that, the base-class fraction only says which class the net predicts for everything) and
 * when it fits its training data (the regime in which Byrd & Lipton see the weights' effect fade). A
 * run that never fitted is flagged, so a stuck run is never read as a lasting effect.
 */
import { stepsAtEpoch } from './steps';
import type { EpochMetrics, RunResult } from './types';

/**
 * A net still predicts a constant while one class takes more than this share of its in-domain test
 * predictions: a constant predictor that flips a handful of images (5 of the quick scale's 500) has not
 * learnt anything yet, while a balanced test set that a learning net classifies is far from it.
 */
export const CONSTANT_PREDICTOR_SHARE = 0.99;

/**
 * A net has fitted its training data at this training accuracy (eval mode). Not 1.0: the last few
 * of the quick scale's 1,000 training images can take many epochs more, long after the net is in the
 * interpolating regime the papers speak of; 0.99 marks entering that regime.
 */
export const FITTED_TRAIN_ACCURACY = 0.99;

/**
 * A run that fitted has fallen back once its training accuracy is below this again: on the balanced
 * training sets a constant predictor scores 0.5, so such a net has collapsed to (nearly) one class, as
 * some dropout and batch-norm nets do at heavy down-weights (0.502 and 0.558 in the quick runs), while a
 * fitted net's wobble stays far above it.
 */
export const FELL_BACK_TRAIN_ACCURACY = 0.6;

/** Whether a run that fitted at `fittedEpoch` has fallen back at this epoch's line. */
export function hasFallenBack(line: Pick<EpochMetrics, 'epoch' | 'trainAccuracy'> | undefined, fittedEpoch: number | undefined): boolean {
  return line !== undefined && fittedEpoch !== undefined && line.epoch > fittedEpoch && typeof line.trainAccuracy === 'number' && line.trainAccuracy < FELL_BACK_TRAIN_ACCURACY;
}

export interface RunMilestones {
  /** First evaluated epoch at which neither class takes more than CONSTANT_PREDICTOR_SHARE of the in-domain predictions. */
  leftConstantEpoch?: number;
  leftConstantStep?: number;
  /** First evaluated epoch with training accuracy >= FITTED_TRAIN_ACCURACY. */
  fittedEpoch?: number;
  fittedStep?: number;
  /** False when no evaluated epoch reached FITTED_TRAIN_ACCURACY: the run did not fit (so far). */
  hasFitted: boolean;
  /**
   * The last evaluated epoch, if the run had fitted and has fallen back there (FELL_BACK_TRAIN_ACCURACY):
   * its last fractions are a collapsed net's, not a fitted one's.
   */
  fellBackEpoch?: number;
  fellBackStep?: number;
}

/** Whether an in-domain base-class fraction is still a constant predictor's (undefined: not measured). */
export function isConstantPredictor(inDomainFraction: number): boolean {
  return inDomainFraction > CONSTANT_PREDICTOR_SHARE || inDomainFraction < 1 - CONSTANT_PREDICTOR_SHARE;
}

/**
 * The milestones of one run's metrics (evaluated epochs only: lines without the measure are skipped).
 * `stepsPerEpoch` turns epochs into SGD steps. A run without in-domain fractions (the toy figures) has no
 * left-constant epoch.
 */
export function milestonesOf(metrics: readonly EpochMetrics[], stepsPerEpoch: number): RunMilestones {
  const left = metrics.find((line) => typeof line.inDomainFraction === 'number' && !isConstantPredictor(line.inDomainFraction));
  const fitted = metrics.find((line) => typeof line.trainAccuracy === 'number' && line.trainAccuracy >= FITTED_TRAIN_ACCURACY);
  const last = [...metrics].reverse().find((line) => typeof line.trainAccuracy === 'number');
  const fellBack = last !== undefined && hasFallenBack(last, fitted?.epoch);
  return {
    ...(left ? { leftConstantEpoch: left.epoch, leftConstantStep: left.epoch * stepsPerEpoch } : {}),
    ...(fitted ? { fittedEpoch: fitted.epoch, fittedStep: fitted.epoch * stepsPerEpoch } : {}),
    hasFitted: fitted !== undefined,
    ...(fellBack && last ? { fellBackEpoch: last.epoch, fellBackStep: last.epoch * stepsPerEpoch } : {}),
  };
}

/** A run's milestones, its steps per epoch from its config. */
export function runMilestones(run: Pick<RunResult, 'config' | 'metrics'>): RunMilestones {
  return milestonesOf(run.metrics, stepsAtEpoch(run.config, 1));
}
