import { type MaxMarginLimits, type PlanePoints, type ToyBoundaries, boundaryRuns } from '../experiments/toyGeometry';
import type { FigureResult } from '../experiments/types';
import { seedCount, seedTraces, titleWithSeeds } from './bands';
import { seedCurve } from './fractions';
import { withRunFailures } from './runFailures';
import { axisSuffix, curveLook, figureConfig, gridLayout, legendOnce, logAxis, panelTitle, titleLines, weightColor, wrapTitle } from './style';
import type { PlotlyFigure } from './types';

/**
 * Decision boundaries of the toy figure: one row per variant, one column per snapshot epoch; each
 * panel shows the training data and one f = 0 contour per class weight (seed 0). A sub-sampling row
 * draws its boundaries dashed, over the points its smallest fraction kept. The score grids and points
 * come from toyBoundaries(result) (src/experiments/toyGeometry.ts).
 */
export function toyBoundaryFigure(result: FigureResult, boundaries: ToyBoundaries): PlotlyFigure {
  const runs = boundaryRuns(result);
  const variants = result.spec.variants.filter((v) => runs.some((run) => run.config.variant === v.id));
  const epochs = [...new Set(runs.flatMap((run) => run.snapshots.map((s) => s.epoch)))].sort((a, b) => a - b);
  const weights = [...new Set(runs.map((run) => run.config.classWeight))].sort((a, b) => a - b);
  const data: Record<string, unknown>[] = [];
  const annotations: Record<string, unknown>[] = [];
  const { grid, box } = boundaries;
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
    const shown = boundaries.points[variant.id];
    epochs.forEach((epoch, column) => {
      const axis = row * epochs.length + column + 1;
      const axes = { xaxis: `x${axisSuffix(axis)}`, yaxis: `y${axisSuffix(axis)}` };
      if (shown) data.push(...dataTraces(shown, axes, axis === 1));
      for (const run of runs.filter((r) => r.config.variant === variant.id)) {
        const scores = boundaries.scores[run.runId]?.[epoch];
        if (!scores) continue;
        const color = weightColor(run.config.classWeight, weights);
        const look = curveLook(variant, run.config.classWeight, true);
        data.push({
          type: 'contour',
          ...axes,
          x: grid,
          y: grid,
          z: scores,
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
    layout[`xaxis${suffix}`] = { range: [-box, box], showticklabels: false, zeroline: false };
    layout[`yaxis${suffix}`] = { range: [-box, box], showticklabels: false, zeroline: false, scaleanchor: `x${suffix}` };
  }
  return withRunFailures({ data, layout, config: figureConfig(`${result.spec.id}-boundaries`) }, result);
}

export interface TrajectoryOptions {
  /**
   * Dotted lines at the offset each linear run converges to: the max-margin separator of its own training
   * points (mean over seeds), by run id: maxMarginLimits(result) (src/experiments/toyGeometry.ts). Absent: none.
   */
  limits?: MaxMarginLimits;
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
  const limits = options.limits ?? {};
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
        if (metric.key === 'boundaryOffset' && curve.epochs.length > 0 && runs.every((run) => limits[run.runId] !== undefined)) {
          const limit = runs.reduce((sum, run) => sum + limits[run.runId]!, 0) / runs.length;
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

/** A row's training points as two scatter traces. */
function dataTraces(points: { base: PlanePoints; other: PlanePoints }, axes: { xaxis: string; yaxis: string }, showlegend: boolean): Record<string, unknown>[] {
  return [1, 0].map((label) => {
    const { x, y } = label === 1 ? points.base : points.other;
    return {
      type: 'scatter',
      mode: 'markers',
      ...axes,
      x,
      y,
      marker: { size: 3, color: label === 1 ? 'rgba(214,39,40,0.25)' : 'rgba(31,119,180,0.25)' },
      name: label === 1 ? 'base class (+1)' : 'other class (-1)',
      legendgroup: `class${label}`,
      showlegend,
      hoverinfo: 'skip',
    };
  });
}
