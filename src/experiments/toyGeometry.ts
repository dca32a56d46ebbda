/**
 * The toy figures' geometry as plain numbers, so src/plots only draws: each snapshot's score grid
 * (rebuilt from the stored parameters), the training points each boundary row shows (regenerated
 * from the run's data spec and seed, exactly as trained), and the offset each linear run converges
 * to (its max-margin separator's).
 */
import * as tf from '@tensorflow/tfjs';
import { toyClassMeans, toyTrainingData } from '../data/toyGaussian';
import type { ToyDataSpec } from '../data/types';
import { buildModel } from '../models/index';
import { Rng } from '../rng';
import { score } from '../train/evaluate';
import { maxMarginSvm } from '../train/maxMargin';
import { comparesWeightings } from './expand';
import type { FigureResult, RunResult, Snapshot } from './types';

/** Half-width of the plotted square, in standardised units (the data reach about 2.3). */
export const TOY_BOX = 2.6;
/** Points per side where the boundary is evaluated: smooth lines, small pages. */
const GRID = 61;

/** A class's points as plot coordinates. */
export interface PlanePoints {
  x: number[];
  y: number[];
}

/** What the toy boundary figure draws: boundaries of the seed-0 runs that kept snapshots. */
export interface ToyBoundaries {
  /** Half-width of the square the grid covers. */
  box: number;
  /** Grid coordinates, the same on both axes. */
  grid: number[];
  /** f = logit_1 - logit_0 on the grid, z[row = y][column = x], by run id and snapshot epoch. */
  scores: Record<string, Record<number, number[][]>>;
  /**
   * By variant id: the training points its row shows, the smallest set any of its runs trained on
   * (all alike unless sub-sampled).
   */
  points: Record<string, { base: PlanePoints; other: PlanePoints }>;
}

/** By run id: the boundary offset a linear run converges to (maxMarginOffset of its training points). */
export type MaxMarginLimits = Record<string, number>;

/** Everything the toy plots draw that is not in the metrics. */
export interface ToyGeometry {
  boundaries: ToyBoundaries;
  limits: MaxMarginLimits;
}

/** The toy geometry of a figure that evaluates boundaries; undefined for the others (nothing to compute). */
export function toyGeometry(result: FigureResult, options: { limits?: boolean } = {}): ToyGeometry | undefined {
  if (!result.spec.evaluations.includes('boundary')) return undefined;
  return { boundaries: toyBoundaries(result), limits: maxMarginLimits(result, options) };
}

/** The runs a boundary figure draws: seed 0, with snapshots. */
export function boundaryRuns(result: FigureResult): RunResult[] {
  return result.runs.filter((run) => run.config.seed === 0 && run.snapshots.length > 0);
}

export function toyBoundaries(result: FigureResult): ToyBoundaries {
  const runs = boundaryRuns(result);
  const grid = Array.from({ length: GRID }, (_, i) => -TOY_BOX + (2 * TOY_BOX * i) / (GRID - 1));
  const scores: ToyBoundaries['scores'] = {};
  for (const run of runs) scores[run.runId] = Object.fromEntries(run.snapshots.map((shot) => [shot.epoch, scoreGrid(run, shot, grid)]));
  const points: ToyBoundaries['points'] = {};
  for (const variant of result.spec.variants) {
    const shown = runs
      .filter((run) => run.config.variant === variant.id)
      .sort((a, b) => (a.config.data.baseClassFraction ?? 1) - (b.config.data.baseClassFraction ?? 1))[0];
    if (shown?.config.data.source === 'toy-gaussian') points[variant.id] = trainingPoints(shown.config.data, shown.config.seed);
  }
  return { box: TOY_BOX, grid, scores, points };
}

/**
 * The max-margin limits of a figure's linear toy runs; by default only for figures that compare
 * weighting with sub-sampling (where the limits tell the two apart), `limits: true` for any figure.
 */
export function maxMarginLimits(result: FigureResult, options: { limits?: boolean } = {}): MaxMarginLimits {
  if (!(options.limits ?? comparesWeightings(result.spec.variants))) return {};
  const limits: MaxMarginLimits = {};
  for (const run of result.runs) {
    if (run.config.model.kind === 'linear' && run.config.data.source === 'toy-gaussian') limits[run.runId] = maxMarginOffset(run.config.data, run.config.seed);
  }
  return limits;
}

/**
 * Where the hard-margin SVM of a toy run's training points crosses the axis between the full set's class
 * means, as a signed offset from their midpoint (positive towards the base class): the offset a linear
 * model's boundary converges to under gradient descent (Soudry et al. 2018; Xu et al. 2021), measured as
 * the trainer's 'boundary' evaluation measures the model's. 0 for the full set (it is point-symmetric).
 */
export function maxMarginOffset(spec: ToyDataSpec, seed: number): number {
  const { data, full } = toyTrainingData(spec, seed);
  const svm = maxMarginSvm(data.points, data.labels, 2);
  const [base, other] = toyClassMeans(full);
  const mid = [(base[0] + other[0]) / 2, (base[1] + other[1]) / 2] as const;
  const length = Math.hypot(base[0] - mid[0], base[1] - mid[1]);
  const unit = [(base[0] - mid[0]) / length, (base[1] - mid[1]) / length] as const;
  const [d0, d1] = [svm.direction[0]!, svm.direction[1]!];
  // direction . (mid + s * unit) + bias = 0
  return -(d0 * mid[0] + d1 * mid[1] + svm.bias) / (d0 * unit[0] + d1 * unit[1]);
}

/** A toy run's training data (regenerated from its seed, exactly as trained), by class. */
function trainingPoints(spec: ToyDataSpec, seed: number): { base: PlanePoints; other: PlanePoints } {
  const toy = toyTrainingData(spec, seed).data;
  const ofClass = (label: number): PlanePoints => {
    const indices = [...toy.labels.keys()].filter((i) => toy.labels[i] === label);
    return { x: indices.map((i) => round(toy.points[2 * i]!)), y: indices.map((i) => round(toy.points[2 * i + 1]!)) };
  };
  return { base: ofClass(1), other: ofClass(0) };
}

/** f = logit_1 - logit_0 on the plotting grid, from the snapshot's parameters: z[row = y][column = x]. */
function scoreGrid(run: RunResult, shot: Snapshot, grid: number[]): number[][] {
  const model = buildModel(run.config.model, new Rng(0));
  try {
    model.params.forEach((param, i) => tf.tidy(() => param.assign(tf.tensor(shot.params[i]!.values, shot.params[i]!.shape))));
    const points = grid.flatMap((y) => grid.map((x) => [x, y] as [number, number]));
    const values = score(model, points);
    return grid.map((_, row) => Array.from(values.subarray(row * grid.length, (row + 1) * grid.length), round));
  } finally {
    model.dispose();
  }
}

/** Four decimals: the page's size, not the precision, limits what a plot can show. */
function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}
