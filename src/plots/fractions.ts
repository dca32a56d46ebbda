import { runMilestones } from '../experiments/milestones';
import { type MetricValue, seedCurve } from '../experiments/stats';
import { stepsPerEpoch } from '../experiments/steps';
import type { FigureResult, RunResult, Variant } from '../experiments/types';
import { seedCount, seedTraces, titleWithSeeds } from './bands';
import { withRunFailures } from './runFailures';
import { type CurveLook, axisSuffix, comparesWeightings, curveLook, figureConfig, gridLayout, legendOnce, logAxis, panelTitle, titleLines, weightColor, wrapTitle } from './style';
import type { PlotlyFigure } from './types';

// The curves are the experiments layer's numbers; re-exported for the plots and notebooks that import them from here.
export { seedCurve };

export interface CurveOptions {
  /** Log-scaled epoch axis: the fading happens over orders of magnitude of steps. */
  logEpochs?: boolean;
  /**
   * The x-axis the figure opens with; its buttons switch between epochs and SGD steps (epoch x steps
   * per epoch of each run). Default epochs, except for a figure comparing weightings: sub-sampled runs
   * train on fewer images, so they are compared at equal steps.
   */
  xAxis?: 'epochs' | 'steps';
}

export type NumericMetric = 'inDomainFraction' | 'outOfDomainFraction' | 'trainLoss' | 'trainAccuracy';

/**
 * The papers' figure: fraction of test images predicted as the base class against epochs, one curve per
 * class weight (mean over the k seeds, with a band for the 95% t-interval of the mean when k > 1), in-domain on the left and
 * out-of-domain on the right, one row per variant.
 */
export function fractionFigure(result: FigureResult, options: CurveOptions = {}): PlotlyFigure {
  const panels = [
    { metric: 'inDomainFraction', title: 'in-domain test set' },
    { metric: 'outOfDomainFraction', title: 'out-of-domain test set' },
  ] as const;
  return curveGrid(result, panels, {
    title: `${result.spec.title}: fraction predicted as the base class`,
    yTitle: 'base-class fraction',
    yRange: [-0.02, 1.02],
    file: `${result.spec.id}-fractions${options.logEpochs ? '-log-epochs' : ''}`,
    ...options,
  });
}

/** Weighted training loss (log scale) and training accuracy against epochs, one curve per weight. */
export function trainingFigure(result: FigureResult, options: CurveOptions = {}): PlotlyFigure {
  const panels = [
    { metric: 'trainLoss', title: 'training loss (weighted)', logY: true },
    // A fixed range: a run stuck at one class draws a flat 0.5, and plotly's autorange of a flat line crowds its ticks.
    { metric: 'trainAccuracy', title: 'training accuracy', range: [-0.02, 1.02] },
  ] as const;
  return curveGrid(result, panels, { title: `${result.spec.title}: training`, yTitle: '', file: `${result.spec.id}-training`, ...options });
}

interface Panel {
  metric: NumericMetric;
  title: string;
  logY?: boolean;
  range?: readonly [number, number];
}

function curveGrid(
  result: FigureResult,
  panels: readonly Panel[],
  options: CurveOptions & { title: string; yTitle: string; yRange?: [number, number]; file: string },
): PlotlyFigure {
  const variants = result.spec.variants.filter((v) => result.runs.some((run) => run.config.variant === v.id));
  const weights = [...new Set(result.runs.map((run) => run.config.classWeight))].sort((a, b) => b - a);
  const data: Record<string, unknown>[] = [];
  const annotations: Record<string, unknown>[] = [];
  const isFirstInLegend = legendOnce();
  // Each trace's x in SGD steps, pushed beside it: the axis buttons swap the two.
  const stepXs: number[][] = [];
  const xAxis = options.xAxis ?? (comparesWeightings(result.spec.variants) ? 'steps' : 'epochs');
  // Column titles over the top row, variant names beside their rows: no title between rows.
  const columnTitles = panels.map((panel) => wrapTitle(panel.title));
  const rowTitles = variants.length > 1 ? variants.map((variant) => wrapTitle(variant.label, 30)) : [];
  const { layout: frame, rowTitleShift, buttonsY } = gridLayout({
    title: titleWithSeeds(options.title, result),
    buttons: true,
    rows: variants.length,
    columns: panels.length,
    panelHeight: 250,
    panelTitleLines: Math.max(...columnTitles.map(titleLines)),
    lastColumnTitle: columnTitles[columnTitles.length - 1],
    columnTitles: true,
    xTitle: true,
    yTitle: options.yTitle !== '',
    rowTitles: rowTitles.length > 0,
    legend: { names: legendNames(result, variants, weights, panels), title: seedCount(result) > 1 ? 'base : other (mean, 95% band)' : 'base : other' },
  });
  const layout: Record<string, unknown> = { ...frame, annotations };
  const bottomAxes = panels.map((_, column) => `xaxis${axisSuffix((variants.length - 1) * panels.length + column + 1)}`);
  const axisTitles = (text: string) => Object.fromEntries(bottomAxes.map((axis) => [`${axis}.title.text`, text]));
  variants.forEach((variant, row) => {
    const look = fitLook(result, variant);
    panels.forEach((panel, column) => {
      const axis = row * panels.length + column + 1;
      const suffix = axisSuffix(axis);
      for (const weight of weights) {
        const runs = runsOf(result, variant, weight);
        if (runs.length === 0) continue;
        const traces = weightTraces(result, variant, [weight], (line) => line[panel.metric], { suffix, isFirstInLegend, look }, weights);
        const factor = stepsPerEpoch(runs[0]!.config);
        for (const trace of traces) stepXs.push((trace.x as number[]).map((epoch) => epoch * factor));
        data.push(...traces);
      }
      for (const trace of milestoneTraces(result, variant, weights, panel.metric, { suffix, isFirstInLegend })) {
        stepXs.push(trace.steps);
        data.push(trace.trace);
      }
      if (row === 0) annotations.push(panelTitle(columnTitles[column]!, axis, 'top'));
      if (column === 0 && rowTitles.length > 0) annotations.push(panelTitle(rowTitles[row]!, axis, 'left', rowTitleShift));
      const isBottom = row === variants.length - 1;
      layout[`xaxis${suffix}`] = options.logEpochs ? logAxis({ title: isBottom ? { text: 'epoch' } : undefined }) : { type: 'linear', title: isBottom ? { text: 'epoch' } : undefined };
      // The loss may span less than a decade (smoke scale): ticks left to plotly, or a dtick of 1 would show none;
      // at most 4 of them, or a flat loss (a stuck run) gets labels 0.45, 0.5, 0.55 on top of each other.
      layout[`yaxis${suffix}`] = panel.logY ? { type: 'log', exponentformat: 'power', minexponent: 3, nticks: 4 } : { range: panel.range ?? options.yRange, title: column === 0 && options.yTitle !== '' ? { text: options.yTitle } : undefined };
    });
  });
  const epochXs = data.map((trace) => trace.x as number[]);
  // Left, in their own row between the title and the panel titles: epochs | SGD steps.
  layout.updatemenus = [
    {
      type: 'buttons',
      direction: 'left',
      showactive: true,
      active: xAxis === 'steps' ? 1 : 0,
      x: 0,
      xanchor: 'left',
      y: buttonsY,
      yanchor: 'bottom',
      pad: { t: 0, b: 0, l: 0, r: 0 },
      buttons: [
        { label: 'epochs', method: 'update', args: [{ x: epochXs }, axisTitles('epoch')] },
        { label: 'SGD steps', method: 'update', args: [{ x: stepXs }, axisTitles('SGD step')] },
      ],
    },
  ];
  if (xAxis === 'steps') {
    data.forEach((trace, i) => (trace.x = stepXs[i]));
    for (const axis of bottomAxes) (layout[axis] as { title: { text: string } }).title = { text: 'SGD step' };
  }
  return withRunFailures({ data, layout, config: figureConfig(options.file) }, result);
}

/** The legend's entries in the order they are drawn (for the room the legend needs): curves, did-not-fit curves, milestone markers. */
function legendNames(result: FigureResult, variants: readonly Variant[], weights: readonly number[], panels: readonly Panel[]): string[] {
  const names = variants.flatMap((variant) => weights.filter((weight) => runsOf(result, variant, weight).length > 0).map((weight) => fitLook(result, variant)(weight).name));
  const markers = variants.flatMap((variant) => panels.flatMap((panel) => milestoneTraces(result, variant, weights, panel.metric, { suffix: '', isFirstInLegend: () => true }).map((trace) => trace.trace.name as string)));
  return [...new Set([...names, ...markers])];
}

function runsOf(result: FigureResult, variant: Variant, weight: number): RunResult[] {
  return result.runs.filter((run) => run.config.variant === variant.id && run.config.classWeight === weight);
}

/**
 * Curve looks of one variant where a weight has runs that never fitted their training data: dotted,
 * and named "did not fit" in the legend, so a stuck run is never read as a lasting effect.
 */
function fitLook(result: FigureResult, variant: Variant): (weight: number) => CurveLook {
  return (weight) => {
    const look = curveLook(variant, weight, comparesWeightings(result.spec.variants));
    const runs = runsOf(result, variant, weight);
    const unfitted = runs.filter((run) => !runMilestones(run).hasFitted).length;
    if (unfitted === 0) return look;
    return { name: `${look.name}, did not fit${runs.length > 1 ? ` (${unfitted} of ${runs.length} seeds)` : ''}`, legendgroup: `${look.legendgroup} did not fit`, dash: 'dot' };
  };
}

/**
 * Markers on each weight's mean curve where each of its runs left the constant predictor (open circle)
 * and fitted its training data (cross), with the x of each in steps for the axis buttons.
 */
function milestoneTraces(
  result: FigureResult,
  variant: Variant,
  weights: readonly number[],
  metric: NumericMetric,
  panel: { suffix: string; isFirstInLegend: (name: string) => boolean },
): { trace: Record<string, unknown>; steps: number[] }[] {
  const kinds = [
    { key: 'leftConstantEpoch', name: 'left the constant predictor', symbol: 'circle-open' },
    { key: 'fittedEpoch', name: 'fitted its training data', symbol: 'x' },
  ] as const;
  return kinds.flatMap((kind) => {
    const x: number[] = [];
    const y: number[] = [];
    const steps: number[] = [];
    const colors: string[] = [];
    const text: string[] = [];
    for (const weight of weights) {
      const runs = runsOf(result, variant, weight);
      const curve = seedCurve(runs.map((run) => run.metrics), (line) => line[metric]);
      for (const run of runs) {
        const epoch = runMilestones(run)[kind.key];
        const at = epoch === undefined ? -1 : curve.epochs.indexOf(epoch);
        if (at < 0) continue;
        x.push(epoch!);
        y.push(curve.mean[at]!);
        steps.push(epoch! * stepsPerEpoch(run.config));
        colors.push(weightColor(weight, weights));
        text.push(`${curveLook(variant, weight, comparesWeightings(result.spec.variants)).name}, seed ${run.config.seed}`);
      }
    }
    if (x.length === 0) return [];
    const trace = {
      type: 'scatter',
      mode: 'markers',
      xaxis: `x${panel.suffix}`,
      yaxis: `y${panel.suffix}`,
      x,
      y,
      text,
      marker: { symbol: kind.symbol, size: 9, color: colors, line: { width: 1.5, color: colors } },
      name: kind.name,
      legendgroup: kind.name,
      showlegend: panel.isFirstInLegend(kind.name),
      hovertemplate: `%{text}: ${kind.name} at %{x}<extra></extra>`,
    };
    return [{ trace, steps }];
  });
}

export type { MetricValue };

/**
 * One seed-mean curve (with its 95% band when k > 1) per class weight of one variant, on the subplot
 * whose axes end in `suffix`; colours by weight, each legend name shown once per figure. Names and
 * dashes come from curveLook unless `look` gives them (the loss comparison names the loss too).
 */
export function weightTraces(
  result: FigureResult,
  variant: Variant,
  weights: readonly number[],
  value: MetricValue,
  panel: { suffix: string; isFirstInLegend: (name: string) => boolean; width?: number; look?: (weight: number) => CurveLook },
  /** The weights the colours scale over; default `weights`. */
  colorWeights: readonly number[] = weights,
): Record<string, unknown>[] {
  return weights.flatMap((weight) => {
    const runs = result.runs.filter((run) => run.config.variant === variant.id && run.config.classWeight === weight);
    const curve = seedCurve(runs.map((run) => run.metrics), value);
    const look = panel.look?.(weight) ?? curveLook(variant, weight, comparesWeightings(result.spec.variants));
    return seedTraces(curve, {
      xaxis: `x${panel.suffix}`,
      yaxis: `y${panel.suffix}`,
      color: weightColor(weight, colorWeights),
      ...look,
      showlegend: curve.epochs.length > 0 && panel.isFirstInLegend(look.name),
      ...(panel.width === undefined ? {} : { width: panel.width }),
    });
  });
}
