import { type MetricValue, seedCurve } from '../experiments/stats';
import type { FigureResult, Variant } from '../experiments/types';
import { seedCount, seedTraces, titleWithSeeds } from './bands';
import { withRunFailures } from './runFailures';
import { type CurveLook, axisSuffix, comparesWeightings, curveLook, figureConfig, gridLayout, legendOnce, logAxis, panelTitle, titleLines, weightColor, wrapTitle } from './style';
import type { PlotlyFigure } from './types';

// The curves are the experiments layer's numbers; re-exported for the plots and notebooks that import them from here.
export { seedCurve };

export interface CurveOptions {
  /** Log-scaled epoch axis: the fading happens over orders of magnitude of steps. */
  logEpochs?: boolean;
}

type NumericMetric = 'inDomainFraction' | 'outOfDomainFraction' | 'trainLoss' | 'trainAccuracy';

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
    { metric: 'trainAccuracy', title: 'training accuracy' },
  ] as const;
  return curveGrid(result, panels, { title: `${result.spec.title}: training`, yTitle: '', file: `${result.spec.id}-training`, ...options });
}

interface Panel {
  metric: NumericMetric;
  title: string;
  logY?: boolean;
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
  // Column titles over the top row, variant names beside their rows: no title between rows.
  const columnTitles = panels.map((panel) => wrapTitle(panel.title));
  const rowTitles = variants.length > 1 ? variants.map((variant) => wrapTitle(variant.label, 30)) : [];
  const { layout: frame, rowTitleShift } = gridLayout({
    title: titleWithSeeds(options.title, result),
    rows: variants.length,
    columns: panels.length,
    panelHeight: 250,
    panelTitleLines: Math.max(...columnTitles.map(titleLines)),
    lastColumnTitle: columnTitles[columnTitles.length - 1],
    columnTitles: true,
    xTitle: true,
    yTitle: options.yTitle !== '',
    rowTitles: rowTitles.length > 0,
    legend: { names: legendNames(result, variants, weights), title: seedCount(result) > 1 ? 'base : other (mean, 95% band)' : 'base : other' },
  });
  const layout: Record<string, unknown> = { ...frame, annotations };
  variants.forEach((variant, row) => {
    panels.forEach((panel, column) => {
      const axis = row * panels.length + column + 1;
      const suffix = axisSuffix(axis);
      data.push(...weightTraces(result, variant, weights, (line) => line[panel.metric], { suffix, isFirstInLegend }));
      if (row === 0) annotations.push(panelTitle(columnTitles[column]!, axis, 'top'));
      if (column === 0 && rowTitles.length > 0) annotations.push(panelTitle(rowTitles[row]!, axis, 'left', rowTitleShift));
      const isBottom = row === variants.length - 1;
      layout[`xaxis${suffix}`] = options.logEpochs ? logAxis({ title: isBottom ? { text: 'epoch' } : undefined }) : { type: 'linear', title: isBottom ? { text: 'epoch' } : undefined };
      // The loss may span less than a decade (smoke scale): ticks left to plotly, or a dtick of 1 would show none.
      layout[`yaxis${suffix}`] = panel.logY ? { type: 'log', exponentformat: 'power', minexponent: 3 } : { range: options.yRange, title: column === 0 && options.yTitle !== '' ? { text: options.yTitle } : undefined };
    });
  });
  return withRunFailures({ data, layout, config: figureConfig(options.file) }, result);
}

/** The legend's entries in the order curveLook names them (for the room the legend needs). */
function legendNames(result: FigureResult, variants: readonly Variant[], weights: readonly number[]): string[] {
  const prefixed = comparesWeightings(result.spec.variants);
  return [...new Set(variants.flatMap((variant) => weights.map((weight) => curveLook(variant, weight, prefixed).name)))];
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
): Record<string, unknown>[] {
  return weights.flatMap((weight) => {
    const runs = result.runs.filter((run) => run.config.variant === variant.id && run.config.classWeight === weight);
    const curve = seedCurve(runs.map((run) => run.metrics), value);
    const look = panel.look?.(weight) ?? curveLook(variant, weight, comparesWeightings(result.spec.variants));
    return seedTraces(curve, {
      xaxis: `x${panel.suffix}`,
      yaxis: `y${panel.suffix}`,
      color: weightColor(weight, weights),
      ...look,
      showlegend: curve.epochs.length > 0 && panel.isFirstInLegend(look.name),
      ...(panel.width === undefined ? {} : { width: panel.width }),
    });
  });
}
