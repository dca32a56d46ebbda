import { formatWeight } from '../experiments/expand';
import { stableStringify } from '../experiments/runId';
import type { FigureResult, LossSpec, ModelSpec } from '../experiments/types';
import { seedCount, titleWithSeeds } from './bands';
import { type MetricValue, weightTraces } from './fractions';
import { withRunFailures } from './runFailures';
import { axisSuffix, figureConfig, gridLayout, legendOnce, logAxis, panelTitle, titleLines, wrapTitle } from './style';
import type { PlotlyFigure } from './types';

/** One dash per loss, in the order the figure's variants first use them. */
const DASHES = ['solid', 'dash', 'dot', 'dashdot'] as const;

/** One column of the comparison: a value per metrics line, with its axis title. */
export interface ComparisonColumn {
  title: string;
  value: MetricValue;
  range?: [number, number];
  /** A dotted horizontal line at this value: the limit the curves should reach. */
  reference?: number;
}

export interface LossComparisonOptions {
  /** Default: from the figure's evaluations (fractions in and out of domain; boundary offset; margin / SVM margin). */
  columns?: readonly ComparisonColumn[];
  /** Log-scaled epoch axis (default true): the effects fade, or not, over orders of magnitude of steps. */
  logEpochs?: boolean;
}

/** A figure whose variants cannot be laid out as losses side by side; the message says which variants clash. */
export class LossComparisonError extends Error {
  override name = 'LossComparisonError';
}

/**
 * Losses side by side: one row per model, one column per metric, and in each panel every loss the
 * figure trains that model with, one dash per loss (solid, dashed, ...) and one colour per class weight.
 * Legend entries name both: "16:1, polynomial tail (alpha 1)". Curves are means over the k seeds, with
 * a 95% band when k > 1. Built for Wang et al.'s comparison (cross entropy against a polynomially-tailed
 * loss under the same weights), it reads any figure whose variants differ in their loss within a model.
 */
export function lossComparisonFigure(result: FigureResult, options: LossComparisonOptions = {}): PlotlyFigure {
  const { spec } = result;
  const variants = spec.variants.filter((v) => result.runs.some((run) => run.config.variant === v.id));
  const losses = distinct(variants.map((v) => v.loss ?? spec.loss));
  const models = distinct(variants.map((v) => v.model ?? spec.model));
  if (losses.length < 2) throw new LossComparisonError(`Figure '${spec.id}' trains one loss only (${lossName(losses[0] ?? spec.loss)}): there is nothing to compare; use its own plots.`);
  if (losses.length > DASHES.length) throw new LossComparisonError(`Figure '${spec.id}' trains ${losses.length} losses; lossComparisonFigure tells ${DASHES.length} apart.`);
  const rows = models.map((model) => ({ model, variants: variants.filter((v) => sameSpec(v.model ?? spec.model, model)) }));
  for (const row of rows) {
    const clash = row.variants.find((v, i) => row.variants.slice(0, i).some((w) => sameSpec(w.loss ?? spec.loss, v.loss ?? spec.loss)));
    if (clash) {
      throw new LossComparisonError(
        `Variants of '${spec.id}' with the same model and loss cannot share a panel ('${clash.id}' and an earlier one, ${modelName(row.model)}, ${lossName(clash.loss ?? spec.loss)}); ` +
          'lossComparisonFigure is for variants that differ in their loss only.',
      );
    }
  }
  const columns = options.columns ?? defaultColumns(result);
  if (columns.length === 0) throw new LossComparisonError(`Figure '${spec.id}' has no evaluation lossComparisonFigure can draw; pass options.columns.`);
  const weights = [...new Set(result.runs.map((run) => run.config.classWeight))].sort((a, b) => b - a);

  const data: Record<string, unknown>[] = [];
  const annotations: Record<string, unknown>[] = [];
  const shapes: Record<string, unknown>[] = [];
  const isFirstInLegend = legendOnce();
  // Metric names over the top row, model names beside their rows: at 700 px "model: metric" over each panel ran into its neighbour.
  const columnTitles = columns.map((column) => wrapTitle(column.title));
  const rowTitles = rows.map((row) => wrapTitle(modelName(row.model), 22));
  const legendNames = losses.flatMap((loss) => weights.map((weight) => `${formatWeight(weight)}, ${lossName(loss)}`));
  const { layout: frame, rowTitleShift } = gridLayout({
    title: titleWithSeeds(`${lossesTitle(losses)},<br>under the same class weights`, result),
    titleLines: 3,
    rows: rows.length,
    columns: columns.length,
    panelHeight: 250,
    panelTitleLines: Math.max(...columnTitles.map(titleLines)),
    lastColumnTitle: columnTitles[columnTitles.length - 1],
    columnTitles: true,
    xTitle: true,
    rowTitles: true,
    legend: { names: legendNames, title: seedCount(result) > 1 ? 'base : other, loss (mean, 95% band)' : 'base : other, loss' },
  });
  const layout: Record<string, unknown> = { ...frame, annotations, shapes };
  rows.forEach((row, r) => {
    columns.forEach((column, c) => {
      const axis = r * columns.length + c + 1;
      const suffix = axisSuffix(axis);
      for (const variant of row.variants) {
        const series = losses.findIndex((loss) => sameSpec(loss, variant.loss ?? spec.loss));
        const look = (weight: number) => {
          const name = `${formatWeight(weight)}, ${lossName(losses[series]!)}`;
          return { name, legendgroup: name, dash: DASHES[series] };
        };
        data.push(...weightTraces(result, variant, weights, column.value, { suffix, isFirstInLegend, width: 2, look }));
      }
      if (r === 0) annotations.push(panelTitle(columnTitles[c]!, axis, 'top'));
      if (c === 0) annotations.push(panelTitle(rowTitles[r]!, axis, 'left', rowTitleShift));
      if (column.reference !== undefined) {
        const y = column.reference;
        shapes.push({ type: 'line', xref: `x${suffix} domain`, yref: `y${suffix}`, x0: 0, x1: 1, y0: y, y1: y, line: { color: '#888888', width: 1, dash: 'dot' } });
      }
      const logEpochs = options.logEpochs ?? true;
      const title = r === rows.length - 1 ? { text: 'epoch' } : undefined;
      layout[`xaxis${suffix}`] = logEpochs ? logAxis({ title }) : { type: 'linear', title };
      layout[`yaxis${suffix}`] = { zeroline: true, ...(column.range ? { range: column.range } : {}) };
    });
  });
  return withRunFailures({ data, layout, config: figureConfig(`${spec.id}-loss-comparison`) }, result);
}

/** The metrics a figure's evaluations record, as comparison columns. */
function defaultColumns(result: FigureResult): ComparisonColumn[] {
  const { evaluations } = result.spec;
  const columns: ComparisonColumn[] = [];
  if (evaluations.includes('fractions')) {
    columns.push(
      { title: 'in-domain base-class fraction', value: (line) => line.inDomainFraction, range: [-0.02, 1.02] },
      { title: 'out-of-domain base-class fraction', value: (line) => line.outOfDomainFraction, range: [-0.02, 1.02] },
    );
  }
  if (evaluations.includes('boundary')) columns.push({ title: 'boundary offset (towards base class)', value: (line) => line.boundaryOffset, reference: 0 });
  if (evaluations.includes('max-margin')) {
    columns.push({
      title: 'margin / SVM margin',
      value: (line) => (line.modelMargin !== undefined && line.svmMargin ? line.modelMargin / line.svmMargin : undefined),
      range: [-1, 1.05],
      reference: 1,
    });
  }
  return columns;
}

/** The losses for a title: "cross entropy vs polynomial tail (alpha 2)", or "(alpha 2 and 1)" for two tails. */
function lossesTitle(losses: readonly LossSpec[]): string {
  const polynomial = losses.filter((loss): loss is Extract<LossSpec, { kind: 'polynomial' }> => loss.kind === 'polynomial');
  const others = losses.filter((loss) => loss.kind !== 'polynomial').map(lossName);
  if (polynomial.length < 2 || polynomial.some((loss) => loss.beta !== 1)) return losses.map(lossName).join(' vs ');
  return [...others, `polynomial tail (alpha ${polynomial.map((loss) => loss.alpha).join(' and ')})`].join(' vs ');
}

/** How a loss is named in legends and titles. */
export function lossName(loss: LossSpec): string {
  switch (loss.kind) {
    case 'cross-entropy':
      return 'cross entropy';
    case 'exponential':
      return 'exponential loss';
    case 'polynomial':
      return `polynomial tail (alpha ${loss.alpha}${loss.beta === 1 ? '' : `, beta ${loss.beta}`})`;
  }
}

/** How a model is named in panel titles (widths aside: a scale may shrink them). */
export function modelName(model: ModelSpec): string {
  switch (model.kind) {
    case 'linear':
      return 'linear model';
    case 'mlp':
      return `MLP (${model.hidden} ReLU)`;
    case 'cnn':
      return model.dropout > 0 ? `CNN + dropout ${model.dropout}` : 'CNN';
    case 'resnet':
      return model.batchNorm ? 'ResNet + BN' : 'ResNet, no BN';
  }
}

function distinct<T extends ModelSpec | LossSpec>(specs: T[]): T[] {
  return specs.filter((spec, i) => specs.findIndex((other) => sameSpec(other, spec)) === i);
}

/** Same plain-JSON spec, whatever the key order. */
function sameSpec(a: ModelSpec | LossSpec, b: ModelSpec | LossSpec): boolean {
  return stableStringify(a) === stableStringify(b);
}
