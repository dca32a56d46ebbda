import * as tf from '@tensorflow/tfjs';
import { toyClassMeans, toyTrainingData, type ToyDataSpec } from '../data/toyGaussian';
import type { FigureResult, RunResult, Snapshot } from '../experiments/types';
import { buildModel } from '../models/index';
import { score } from '../train/evaluate';
import { maxMarginSvm } from '../train/maxMargin';
import { Rng } from '../train/rng';
import { seedCount, seedTraces, titleWithSeeds } from './bands';
import { seedCurve } from './fractions';
import { withRunFailures } from './runFailures';
import { axisSuffix, comparesWeightings, curveLook, figureConfig, gridLayout, legendOnce, logAxis, panelTitle, titleLines, weightColor, wrapTitle } from './style';
import type { PlotlyFigure } from './types';

const BOX = 2.6; // half-width of the plotted square, in standardised units (the data reach about 2.3)
const GRID = 61; // points per side where the boundary is evaluated: smooth lines, small pages

/**
 * Decision boundaries of the toy figure: one row per variant, one column per snapshot epoch; each
 * panel shows the training data and one f = 0 contour per class weight (seed 0). A sub-sampling row
 * draws its boundaries dashed, over the points its smallest fraction kept.
 */
export function toyBoundaryFigure(result: FigureResult): PlotlyFigure {
  const runs = result.runs.filter((run) => run.config.seed === 0 && run.snapshots.length > 0);
  const variants = result.spec.variants.filter((v) => runs.some((run) => run.config.variant === v.id));
  const epochs = [...new Set(runs.flatMap((run) => run.snapshots.map((s) => s.epoch)))].sort((a, b) => a - b);
  const weights = [...new Set(runs.map((run) => run.config.classWeight))].sort((a, b) => a - b);
  const data: Record<string, unknown>[] = [];
  const annotations: Record<string, unknown>[] = [];
  const grid = Array.from({ length: GRID }, (_, i) => -BOX + (2 * BOX * i) / (GRID - 1));
  const isFirstInLegend = legendOnce();
  const { layout: frame, rowTitleShift } = gridLayout({
    title: `${result.spec.title}<br><sup>${result.scale} scale, seed 0 of k = ${seedCount(result)}: each line is one run</sup>`,
    rows: variants.length,
    columns: epochs.length,
    panelHeight: 200,
    panelTitleLines: 1,
    columnTitles: true,
    xTicks: false,
    yTicks: false,
    rowTitles: true,
    legend: { names: ['base class (+1)', 'other class (-1)', ...new Set(runs.map((run) => curveLook(variants.find((v) => v.id === run.config.variant)!, run.config.classWeight, true).name))] },
  });

  variants.forEach((variant, row) => {
    // The row's training points: the smallest set any of its runs trained on (all alike unless sub-sampled).
    const shown = runs
      .filter((run) => run.config.variant === variant.id)
      .sort((a, b) => (a.config.data.baseClassFraction ?? 1) - (b.config.data.baseClassFraction ?? 1))[0];
    epochs.forEach((epoch, column) => {
      const axis = row * epochs.length + column + 1;
      const axes = { xaxis: `x${axisSuffix(axis)}`, yaxis: `y${axisSuffix(axis)}` };
      if (shown) data.push(...dataTraces(shown, axes, axis === 1));
      for (const run of runs.filter((r) => r.config.variant === variant.id)) {
        const shot = run.snapshots.find((s) => s.epoch === epoch);
        if (!shot) continue;
        const color = weightColor(run.config.classWeight, weights);
        const look = curveLook(variant, run.config.classWeight, true);
        data.push({
          type: 'contour',
          ...axes,
          x: grid,
          y: grid,
          z: scoreGrid(run, shot, grid),
          contours: { start: 0, end: 0, size: 1, coloring: 'lines' },
          colorscale: [[0, color], [1, color]],
          line: { width: 2, ...(look.dash === undefined ? {} : { dash: look.dash }) },
          showscale: false,
          hoverinfo: 'skip',
          name: look.name,
          legendgroup: look.legendgroup,
          showlegend: isFirstInLegend(look.name),
        });
      }
      if (row === 0) annotations.push(panelTitle(`epoch ${epoch}`, axis, 'top'));
      if (column === 0) annotations.push(panelTitle(wrapTitle(variant.label, 22), axis, 'left', rowTitleShift));
    });
  });

  const layout: Record<string, unknown> = { ...frame, annotations };
  for (let axis = 1; axis <= variants.length * epochs.length; axis++) {
    const suffix = axisSuffix(axis);
    layout[`xaxis${suffix}`] = { range: [-BOX, BOX], showticklabels: false, zeroline: false };
    layout[`yaxis${suffix}`] = { range: [-BOX, BOX], showticklabels: false, zeroline: false, scaleanchor: `x${suffix}` };
  }
  return withRunFailures({ data, layout, config: figureConfig(`${result.spec.id}-boundaries`) }, result);
}

export interface TrajectoryOptions {
  /**
   * Dotted lines at the offset each linear run converges to: the max-margin separator of its own training
   * points (mean over seeds). Default: on for figures that compare weighting with sub-sampling.
   */
  limits?: boolean;
}

/**
 * Where each run's boundary crosses the axis between the class means, against epochs (log axis):
 * offset (top row) and angle of the normal (bottom row), one column per variant, mean over the k seeds
 * with a band for its 95% t-interval when k > 1.
 */
export function toyTrajectoryFigure(result: FigureResult, options: TrajectoryOptions = {}): PlotlyFigure {
  const variants = result.spec.variants.filter((v) => result.runs.some((run) => run.config.variant === v.id));
  const weights = [...new Set(result.runs.map((run) => run.config.classWeight))].sort((a, b) => a - b);
  const data: Record<string, unknown>[] = [];
  const annotations: Record<string, unknown>[] = [];
  const isFirstInLegend = legendOnce();
  const limits = options.limits ?? comparesWeightings(result.spec.variants);
  const metrics = [
    { key: 'boundaryOffset', label: 'offset (towards base class)' },
    { key: 'boundaryAngle', label: 'angle (degrees)' },
  ] as const;
  const columnTitles = variants.map((variant) => wrapTitle(variant.label, 20));
  const { layout: frame, rowTitleShift } = gridLayout({
    title: titleWithSeeds('Boundary offset and angle against epochs', result),
    rows: 2,
    columns: variants.length,
    panelHeight: 210,
    panelTitleLines: Math.max(1, ...columnTitles.map(titleLines)),
    lastColumnTitle: columnTitles[columnTitles.length - 1],
    columnTitles: true,
    xTitle: true,
    rowTitles: true,
    legend: { names: [...new Set(variants.flatMap((variant) => weights.map((weight) => curveLook(variant, weight, true).name))), ...(limits ? ['max-margin limit'] : [])] },
  });
  metrics.forEach((metric, row) => {
    variants.forEach((variant, column) => {
      const axis = row * variants.length + column + 1;
      for (const weight of weights) {
        const runs = result.runs.filter((run) => run.config.variant === variant.id && run.config.classWeight === weight);
        const curve = seedCurve(runs.map((run) => run.metrics), (line) => line[metric.key]);
        const look = curveLook(variant, weight, true);
        const color = weightColor(weight, weights);
        data.push(
          ...seedTraces(curve, {
            xaxis: `x${axisSuffix(axis)}`,
            yaxis: `y${axisSuffix(axis)}`,
            color,
            ...look,
            showlegend: curve.epochs.length > 0 && isFirstInLegend(look.name),
            width: 2,
          }),
        );
        if (limits && metric.key === 'boundaryOffset' && curve.epochs.length > 0 && runs.every((run) => run.config.model.kind === 'linear')) {
          const limit = runs.reduce((sum, run) => sum + maxMarginOffset(run.config.data as ToyDataSpec, run.config.seed), 0) / runs.length;
          data.push({
            type: 'scatter',
            mode: 'lines',
            xaxis: `x${axisSuffix(axis)}`,
            yaxis: `y${axisSuffix(axis)}`,
            x: [curve.epochs[0], curve.epochs[curve.epochs.length - 1]],
            y: [limit, limit],
            line: { color, width: 1.2, dash: 'dot' },
            name: 'max-margin limit',
            legendgroup: 'max-margin limit',
            showlegend: isFirstInLegend('max-margin limit'),
            hovertemplate: `${look.name}: its max-margin separator's offset %{y:.3f}<extra></extra>`,
          });
        }
      }
      if (row === 0) annotations.push(panelTitle(columnTitles[column]!, axis, 'top'));
      if (column === 0) annotations.push(panelTitle(wrapTitle(metric.label, 18), axis, 'left', rowTitleShift));
    });
  });
  const layout: Record<string, unknown> = { ...frame, annotations };
  for (let axis = 1; axis <= 2 * variants.length; axis++) {
    const suffix = axisSuffix(axis);
    layout[`xaxis${suffix}`] = logAxis({ title: axis > variants.length ? { text: 'epoch' } : undefined });
    layout[`yaxis${suffix}`] = { zeroline: true };
  }
  return withRunFailures({ data, layout, config: figureConfig(`${result.spec.id}-boundary-trajectory`) }, result);
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

/** The run's training data (regenerated from its seed, exactly as trained), as two scatter traces. */
function dataTraces(run: RunResult, axes: { xaxis: string; yaxis: string }, showlegend: boolean): Record<string, unknown>[] {
  if (run.config.data.source !== 'toy-gaussian') return [];
  const toy = toyTrainingData(run.config.data, run.config.seed).data;
  return [1, 0].map((label) => {
    const indices = [...toy.labels.keys()].filter((i) => toy.labels[i] === label);
    return {
      type: 'scatter',
      mode: 'markers',
      ...axes,
      x: indices.map((i) => round(toy.points[2 * i]!)),
      y: indices.map((i) => round(toy.points[2 * i + 1]!)),
      marker: { size: 3, color: label === 1 ? 'rgba(214,39,40,0.25)' : 'rgba(31,119,180,0.25)' },
      name: label === 1 ? 'base class (+1)' : 'other class (-1)',
      legendgroup: `class${label}`,
      showlegend,
      hoverinfo: 'skip',
    };
  });
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

function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}
