/**
 * Fading judged against noise. For each class weight w the effect is f(w) - f(1:1), the difference of
 * the seed means of a fraction f; the noise floor is what separates the 1:1 seeds: the range (max - min)
 * of their values at the same epoch, which for the k = 2 seeds of the quick scale is the |difference|
 * of the two. The range is chosen over a t-interval because with k = 2 the t quantile has one degree of
 * freedom (12.7) and the interval says nothing; the range is what a reader sees in the plot. An effect
 * is outside the noise when |effect| > floor. It is a floor, not a test: with more seeds the range
 * grows, so the verdict only gets stricter. No verdict is given where a run of the weight or of 1:1
 * never fitted its training data, or fitted and fell back at the epoch read (src/experiments/milestones.ts):
 * the row says so, with the numbers measured.
 *
 * Each figure and variant is read at two epochs: the first evaluated epoch at which every net (every
 * weight and seed) has left the constant predictor (src/experiments/milestones.ts), where the weights
 * act, and the last epoch every run reached, where the papers say they have faded. A sub-sampled run
 * trains on fewer images, so fewer SGD steps an epoch: it is compared with the 1:1 runs at equal steps
 * (the evaluated 1:1 epoch with the most steps not beyond its own), not at equal epochs. Failed
 * (diverged) runs are left out, so a weight may be read with fewer seeds than it ran.
 */
import { hasFallenBack, runMilestones } from './milestones';
import { meanInterval } from './stats';
import { stepsAtEpoch } from './steps';
import { isReferenceWeight, type FigureResult, type RunResult } from './types';

export type EffectMeasure = 'inDomainFraction' | 'outOfDomainFraction';
export const EFFECT_MEASURES: readonly EffectMeasure[] = ['inDomainFraction', 'outOfDomainFraction'];

/** Where a row reads the curves: after every net left the constant predictor, or at the end. */
export type EffectMoment = 'left constant' | 'last';

export type EffectVerdict =
  | 'outside the noise'
  | 'within the noise'
  /** No run at 1:1: nothing to measure the effect from. */
  | 'no 1:1 run'
  /** One 1:1 seed: the effect is measured, the noise is not. */
  | 'one 1:1 seed: no noise floor'
  /** Some net never left the constant predictor: there is no such epoch. */
  | 'a net never left the constant predictor'
  /**
   * A run of this weight or of 1:1 never reached FITTED_TRAIN_ACCURACY: the numbers are measured, but a
   * net that did not fit its data (a constant predictor kept by strong L2, say) says nothing about fading.
   */
  | 'a run did not fit'
  /**
   * A run of this weight or of 1:1 fitted and has fallen back at the epoch read (training accuracy below
   * FELL_BACK_TRAIN_ACCURACY again): its fraction there is a collapsed net's, so no verdict either.
   */
  | 'a run fell back to the constant predictor';

export interface EffectRow {
  figure: string;
  variant: string;
  measure: EffectMeasure;
  moment: EffectMoment;
  /** The epoch read; undefined when the moment never came. */
  epoch?: number;
  /** SGD steps of this weight's runs at that epoch. */
  step?: number;
  /** The 1:1 epoch compared with: `epoch`, except for a sub-sampled weight (equal steps). */
  referenceEpoch?: number;
  classWeight: number;
  /** Seeds of this weight, and of 1:1, with a value at that epoch. */
  seeds: number;
  referenceSeeds: number;
  /** f(w) - f(1:1), seed means; undefined without a 1:1 run or an epoch. */
  effect?: number;
  /** Range of the 1:1 seeds' values; undefined with fewer than two. */
  noiseFloor?: number;
  verdict: EffectVerdict;
}

/** Values of a measure at an epoch, one per run that has it. */
function valuesAt(runs: readonly RunResult[], measure: EffectMeasure, epoch: number): number[] {
  return runs.flatMap((run) => {
    const value = run.metrics.find((line) => line.epoch === epoch)?.[measure];
    return typeof value === 'number' && Number.isFinite(value) ? [value] : [];
  });
}

/** Epochs at which every run has a value of the measure, ascending. */
function commonEpochs(runs: readonly RunResult[], measure: EffectMeasure): number[] {
  const [first, ...rest] = runs.map((run) => new Set(run.metrics.filter((line) => typeof line[measure] === 'number' && Number.isFinite(line[measure])).map((line) => line.epoch)));
  if (first === undefined) return [];
  return [...first].filter((epoch) => rest.every((epochs) => epochs.has(epoch))).sort((a, b) => a - b);
}

/**
 * The epoch of each moment for one variant's runs: the first common epoch at or after the latest
 * left-constant epoch of its nets (undefined when one never left), and the last common epoch.
 */
export function effectEpochs(runs: readonly RunResult[], measure: EffectMeasure): Record<EffectMoment, number | undefined> {
  const epochs = commonEpochs(runs, measure);
  const left = runs.map((run) => runMilestones(run).leftConstantEpoch);
  const allLeft = left.every((epoch) => epoch !== undefined) ? Math.max(...(left as number[])) : undefined;
  return {
    'left constant': allLeft === undefined ? undefined : epochs.find((epoch) => epoch >= allLeft),
    last: epochs.at(-1),
  };
}

/** The effect of every weight against the 1:1 noise floor, per variant, measure and moment, for one figure. */
export function effectRows(result: FigureResult): EffectRow[] {
  if (!result.spec.evaluations.includes('fractions')) return [];
  const rows: EffectRow[] = [];
  for (const variant of result.spec.variants) {
    // A run that failed (diverged) is left out: its last epoch would otherwise cut every weight's reading
    // short, and its fractions after a NaN loss are no net's. The seeds columns show it is missing.
    const runs = result.runs.filter((run) => run.config.variant === variant.id && run.metrics.length > 0 && run.status !== 'failed');
    if (runs.length === 0) continue;
    const weights = [...new Set(runs.map((run) => run.config.classWeight))].sort((a, b) => b - a);
    const reference = runs.filter((run) => isReferenceWeight(run.config.classWeight));
    // Each run's fitted epoch, undefined where it never fitted: the milestones are read once per run.
    const fittedEpoch = new Map(runs.map((run) => [run, runMilestones(run).fittedEpoch]));
    const fellBackAt = (run: RunResult, at: number): boolean => hasFallenBack(run.metrics.find((line) => line.epoch === at), fittedEpoch.get(run));
    for (const measure of EFFECT_MEASURES) {
      const epochs = effectEpochs(runs, measure);
      const referenceEpochs = commonEpochs(reference, measure);
      for (const moment of ['left constant', 'last'] as const) {
        const epoch = epochs[moment];
        for (const classWeight of weights.filter((weight) => !isReferenceWeight(weight))) {
          const weightRuns = runs.filter((run) => run.config.classWeight === classWeight);
          const step = epoch === undefined ? undefined : stepsAtEpoch(weightRuns[0]!.config, epoch);
          const referenceEpoch =
            epoch === undefined || step === undefined ? undefined : variant.weighting === 'subsample' ? equalStepsEpoch(reference, referenceEpochs, step) : epoch;
          const referenceValues = referenceEpoch === undefined ? [] : valuesAt(reference, measure, referenceEpoch);
          const noiseFloor = referenceValues.length >= 2 ? Math.max(...referenceValues) - Math.min(...referenceValues) : undefined;
          const values = epoch === undefined ? [] : valuesAt(weightRuns, measure, epoch);
          const effect = epoch === undefined || referenceValues.length === 0 ? undefined : meanInterval(values).mean - meanInterval(referenceValues).mean;
          const isUnfitted = [...weightRuns, ...reference].some((run) => fittedEpoch.get(run) === undefined);
          const hasFallenBack =
            epoch !== undefined && (weightRuns.some((run) => fellBackAt(run, epoch)) || (referenceEpoch !== undefined && reference.some((run) => fellBackAt(run, referenceEpoch))));
          rows.push({
            figure: result.spec.id,
            variant: variant.id,
            measure,
            moment,
            ...(epoch === undefined ? {} : { epoch, step }),
            ...(referenceEpoch === undefined ? {} : { referenceEpoch }),
            classWeight,
            seeds: values.length,
            referenceSeeds: referenceValues.length,
            ...(effect === undefined ? {} : { effect }),
            ...(noiseFloor === undefined ? {} : { noiseFloor }),
            verdict: verdict(epoch, reference.length, effect, noiseFloor, isUnfitted, hasFallenBack),
          });
        }
      }
    }
  }
  return rows;
}

/** The evaluated 1:1 epoch with the most SGD steps not beyond `step` (at least the first): equal steps for a sub-sampled run. */
function equalStepsEpoch(reference: readonly RunResult[], epochs: readonly number[], step: number): number | undefined {
  if (reference.length === 0 || epochs.length === 0) return undefined;
  const perEpoch = stepsAtEpoch(reference[0]!.config, 1);
  const within = epochs.filter((epoch) => epoch * perEpoch <= step);
  return within.at(-1) ?? epochs[0];
}

function verdict(epoch: number | undefined, referenceRuns: number, effect: number | undefined, noiseFloor: number | undefined, isUnfitted: boolean, hasFallenBack: boolean): EffectVerdict {
  if (referenceRuns === 0) return 'no 1:1 run';
  if (epoch === undefined) return 'a net never left the constant predictor';
  if (isUnfitted) return 'a run did not fit';
  if (hasFallenBack) return 'a run fell back to the constant predictor';
  if (effect === undefined || noiseFloor === undefined) return 'one 1:1 seed: no noise floor';
  return Math.abs(effect) > noiseFloor ? 'outside the noise' : 'within the noise';
}
