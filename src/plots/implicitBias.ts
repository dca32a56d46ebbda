import type { FigureResult } from '../experiments/types';
import { type MetricValue, weightTraces } from './fractions';
import { seedCount, titleWithSeeds } from './bands';
import { axisSuffix, legendOnce, panelTitle } from './style';
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
  const layout: Record<string, unknown> = {
    title: { text: titleWithSeeds('Implicit bias: distance to the max-margin separator against epochs', result) },
    grid: { rows: 2, columns: variants.length, pattern: 'independent', xgap: 0.1, ygap: 0.14 },
    height: 600,
    width: 250 * variants.length + 180,
    margin: { l: 90, r: 20, t: 90, b: 50 },
    legend: { title: { text: seedCount(result) > 1 ? 'base : other<br>(mean, 95% band)' : 'base : other' } },
    annotations,
    shapes,
  };
  rows.forEach((row, r) => {
    variants.forEach((variant, column) => {
      const axis = r * variants.length + column + 1;
      const suffix = axisSuffix(axis);
      data.push(...weightTraces(result, variant, weights, row.value, { suffix, isFirstInLegend, width: 2 }));
      if (r === 0) annotations.push(panelTitle(variant.label, axis, 'top'));
      // Ticks at powers of ten only: the 2s and 5s of neighbouring panels ran into each other.
      layout[`xaxis${suffix}`] = { type: 'log', dtick: 1, title: r === 1 ? { text: 'epoch' } : undefined };
      // The limit the margin ratio approaches: the model's boundary is the SVM's.
      if (r === 1) shapes.push({ type: 'line', xref: `x${suffix} domain`, yref: `y${suffix}`, x0: 0, x1: 1, y0: 1, y1: 1, line: { color: '#888888', width: 1, dash: 'dot' } });
      layout[`yaxis${suffix}`] = { title: column === 0 ? { text: row.title } : undefined, ...(r === 1 ? { range: [-1, 1.05] } : { rangemode: 'tozero' }) };
    });
  });
  return { data, layout, config: { responsive: true } };
}
