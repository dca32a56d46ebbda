import { type MetricValue, seedCurve } from '../experiments/stats';
import type { FigureResult, Variant } from '../experiments/types';
import { seedCount, seedTraces, titleWithSeeds } from './bands';
import { type CurveLook, axisSuffix, comparesWeightings, curveLook, legendOnce, panelTitle, weightColor } from './style';
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
    ...options,
  });
}

/** Weighted training loss (log scale) and training accuracy against epochs, one curve per weight. */
export function trainingFigure(result: FigureResult, options: CurveOptions = {}): PlotlyFigure {
  const panels = [
    { metric: 'trainLoss', title: 'training loss (weighted)', logY: true },
    { metric: 'trainAccuracy', title: 'training accuracy' },
  ] as const;
  return curveGrid(result, panels, { title: `${result.spec.title}: training`, yTitle: '', ...options });
}

interface Panel {
  metric: NumericMetric;
  title: string;
  logY?: boolean;
}

function curveGrid(
  result: FigureResult,
  panels: readonly Panel[],
  options: CurveOptions & { title: string; yTitle: string; yRange?: [number, number] },
): PlotlyFigure {
  const variants = result.spec.variants.filter((v) => result.runs.some((run) => run.config.variant === v.id));
  const weights = [...new Set(result.runs.map((run) => run.config.classWeight))].sort((a, b) => b - a);
  const data: Record<string, unknown>[] = [];
  const annotations: Record<string, unknown>[] = [];
  const isFirstInLegend = legendOnce();
  const layout: Record<string, unknown> = {
    title: { text: titleWithSeeds(options.title, result) },
    grid: { rows: variants.length, columns: panels.length, pattern: 'independent', xgap: 0.08, ygap: 0.12 },
    height: 320 * variants.length + 110,
    width: 980,
    margin: { l: 80, r: 20, t: 90, b: 60 },
    legend: { title: { text: seedCount(result) > 1 ? 'base : other<br>(mean, 95% band)' : 'base : other' } },
    annotations,
  };
  variants.forEach((variant, row) => {
    panels.forEach((panel, column) => {
      const axis = row * panels.length + column + 1;
      const suffix = axisSuffix(axis);
      data.push(...weightTraces(result, variant, weights, (line) => line[panel.metric], { suffix, isFirstInLegend }));
      annotations.push(panelTitle(`${variants.length > 1 ? `${variant.label}: ` : ''}${panel.title}`, axis, 'top'));
      layout[`xaxis${suffix}`] = { type: options.logEpochs ? 'log' : 'linear', title: { text: 'epoch' } };
      layout[`yaxis${suffix}`] = panel.logY ? { type: 'log' } : { range: options.yRange, title: column === 0 ? { text: options.yTitle } : undefined };
    });
  });
  return { data, layout, config: { responsive: true } };
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
