import { formatWeight } from '../experiments/expand';
import type { FigureResult } from '../experiments/types';
import { type MetricValue, weightTraces } from './fractions';
import { seedCount, titleWithSeeds } from './bands';
import { withRunFailures } from './runFailures';
import { axisSuffix, figureConfig, gridLayout, legendOnce, logAxis, panelTitle, titleLines, wrapTitle } from './style';
import type { PlotlyFigure } from './types';

/**
 * Xu et al.'s implicit-bias view: per variant, the angle between the last layer and the hard-margin
 * SVM on its features (top) and the model's margin as a fraction of the SVM's (bottom), against epochs
 * on a log axis, one curve per class weight (mean over the k seeds, with a band for its 95% t-interval
 * when k > 1). Both should approach their limits (0 degrees, ratio 1, drawn dotted) for every weight:
 * the weights change the speed, not the destination. The angle compares weight vectors only (the
 * last layer's w_base - w_other against the SVM normal); the bias shows in the margin.
 */
export function implicitBiasFigure(result: FigureResult): PlotlyFigure {
  const variants = result.spec.variants.filter((v) => result.runs.some((run) => run.config.variant === v.id));
  const weights = [...new Set(result.runs.map((run) => run.config.classWeight))].sort((a, b) => b - a);
  const rows: { title: string; value: MetricValue }[] = [
    { title: 'angle to max-margin direction (degrees)', value: (line) => line.maxMarginAngle },
    { title: 'margin / SVM margin', value: (line) => (line.modelMargin !== undefined && line.svmMargin ? line.modelMargin / line.svmMargin : undefined) },
  ];
  const data: Record<string, unknown>[] = [];
  const annotations: Record<string, unknown>[] = [];
  const shapes: Record<string, unknown>[] = [];
  const isFirstInLegend = legendOnce();
  const columnTitles = variants.map((variant) => wrapTitle(variant.label, 20));
  const { layout: frame, rowTitleShift } = gridLayout({
    title: titleWithSeeds('Implicit bias: distance to the max-margin separator<br>against epochs', result),
    titleLines: 3,
    rows: 2,
    columns: variants.length,
    panelHeight: 220,
    panelTitleLines: Math.max(...columnTitles.map(titleLines)),
    lastColumnTitle: columnTitles[columnTitles.length - 1],
    columnTitles: true,
    xTitle: true,
    rowTitles: true,
    legend: { names: weights.map(formatWeight), title: seedCount(result) > 1 ? 'base : other (mean, 95% band)' : 'base : other' },
  });
  const layout: Record<string, unknown> = { ...frame, annotations, shapes };
  rows.forEach((row, r) => {
    variants.forEach((variant, column) => {
      const axis = r * variants.length + column + 1;
      const suffix = axisSuffix(axis);
      data.push(...weightTraces(result, variant, weights, row.value, { suffix, isFirstInLegend, width: 2 }));
      if (r === 0) annotations.push(panelTitle(columnTitles[column]!, axis, 'top'));
      if (column === 0) annotations.push(panelTitle(wrapTitle(row.title, 22), axis, 'left', rowTitleShift));
      // Ticks at powers of ten only: the 2s and 5s of neighbouring panels ran into each other.
      layout[`xaxis${suffix}`] = logAxis({ title: r === 1 ? { text: 'epoch' } : undefined });
      // The limit the margin ratio approaches: the model's boundary is the SVM's.
      if (r === 1) shapes.push({ type: 'line', xref: `x${suffix} domain`, yref: `y${suffix}`, x0: 0, x1: 1, y0: 1, y1: 1, line: { color: '#888888', width: 1, dash: 'dot' } });
      layout[`yaxis${suffix}`] = r === 1 ? { range: [-1, 1.05] } : { rangemode: 'tozero' };
    });
  });
  return withRunFailures({ data, layout, config: figureConfig(`${result.spec.id}-implicit-bias`) }, result);
}
