/**
 * The whole study in one picture: for every figure and variant, how far apart the class weights keep
 * the models, against epochs. The spread at an epoch is the max minus the min, over class weights, of
 * the seed-mean curve (the same number as metricTable's 'spread' row). An effect that fades drives it
 * to 0; one that persists (L2, batch norm, sub-sampling) keeps it up.
 *
 * Figures with a 'fractions' evaluation give two spreads (base-class fraction out of domain and in
 * domain); the toy figures, which evaluate decision boundaries instead, give the spread of the
 * boundary offset (standardised input units) in a panel of its own. A figure with neither is skipped.
 */
import { DataFrame } from 'danfojs-node';
import { effectRows } from '../experiments/effects';
import { coverageRows, type StoredFigure } from '../experiments/storedFigure';
import type { FigureResult, FigureSpec } from '../experiments/types';
import { seedCount } from './bands';
import { EFFECT_COLUMNS, effectTableRows } from './effects';
import { seedCurve } from './fractions';
import { withRunFailures } from './runFailures';
import { axisSuffix, figureConfig, gridLayout, logAxis, panelTitle, titleLines, wrapTitle } from './style';
import type { PlotlyFigure } from './types';

export type SpreadMeasure = 'outOfDomainFraction' | 'inDomainFraction' | 'boundaryOffset';

/** Panels in the order the overview draws them. */
export const SPREAD_MEASURES: readonly { measure: SpreadMeasure; title: string }[] = [
  { measure: 'outOfDomainFraction', title: 'out-of-domain base-class fraction' },
  { measure: 'inDomainFraction', title: 'in-domain base-class fraction' },
  { measure: 'boundaryOffset', title: 'toy figures: boundary offset (input units)' },
];

/** One trace of the overview: a figure's variant, one measure, spread across weights by epoch. */
export interface SpreadCurve {
  figure: string;
  variant: string;
  variantLabel: string;
  measure: SpreadMeasure;
  /** Seeds (k) the means are over. */
  seeds: number;
  /** Class weights the spread is over. */
  weights: number;
  /** Epochs at which every weight has a mean (at least two weights). */
  epochs: number[];
  /** Max minus min over weights of the seed-mean value. */
  spread: number[];
}

/** What the overview can show of a figure: its fractions, else its boundary offsets, else nothing. */
export function spreadMeasures(spec: FigureSpec): SpreadMeasure[] {
  if (spec.evaluations.includes('fractions')) return ['outOfDomainFraction', 'inDomainFraction'];
  if (spec.evaluations.includes('boundary')) return ['boundaryOffset'];
  return [];
}

/**
 * The spread curves of every figure, variant and measure that has stored epochs, in the order given.
 * At each epoch, the spread is over the weights whose runs reached it; an epoch that some weight of
 * the variant has not reached (a partial or diverged run) is left out rather than spread over fewer weights.
 */
export function spreadCurves(results: readonly FigureResult[]): SpreadCurve[] {
  const curves: SpreadCurve[] = [];
  for (const result of results) {
    for (const measure of spreadMeasures(result.spec)) {
      for (const variant of result.spec.variants) {
        const runs = result.runs.filter((run) => run.config.variant === variant.id);
        const weights = [...new Set(runs.map((run) => run.config.classWeight))];
        const means = weights
          .map((weight) => seedCurve(runs.filter((run) => run.config.classWeight === weight).map((run) => run.metrics), (line) => line[measure]))
          .filter((curve) => curve.epochs.length > 0)
          .map((curve) => new Map(curve.epochs.map((epoch, i) => [epoch, curve.mean[i]!])));
        if (means.length < 2) continue;
        const epochs = [...means[0]!.keys()].filter((epoch) => means.every((mean) => mean.has(epoch))).sort((a, b) => a - b);
        if (epochs.length === 0) continue;
        const spread = epochs.map((epoch) => {
          const values = means.map((mean) => mean.get(epoch)!);
          return Math.max(...values) - Math.min(...values);
        });
        curves.push({ figure: result.spec.id, variant: variant.id, variantLabel: variant.label, measure, seeds: seedCount(runs), weights: means.length, epochs, spread });
      }
    }
  }
  return curves;
}

/** Figures the overview draws nothing of, and why (for the notebook's caption). */
export function overviewSkipped(results: readonly FigureResult[]): { figure: string; reason: string }[] {
  const drawn = new Set(spreadCurves(results).map((curve) => curve.figure));
  return results
    .filter((result) => !drawn.has(result.spec.id))
    .map((result) => ({
      figure: result.spec.id,
      reason:
        spreadMeasures(result.spec).length === 0
          ? `no fractions or boundary evaluation (evaluates ${result.spec.evaluations.join(', ')})`
          : result.runs.some((run) => run.metrics.length > 0)
            ? 'fewer than two class weights with stored epochs'
            : `nothing stored at ${result.scale} scale`,
    }));
}

// Plotly's default colour cycle: one colour per figure; variants of a figure differ by dash.
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const DASHES = ['solid', 'dash', 'dot', 'dashdot', 'longdash', 'longdashdot'];

/**
 * The overview plot: one panel per measure that any figure has (out of domain, in domain, toy boundary
 * offset), log-epoch axes, one trace per figure and variant. Nothing stored gives empty panels with a note.
 */
export function overviewFigure(results: readonly FigureResult[]): PlotlyFigure {
  const curves = spreadCurves(results);
  const panels = SPREAD_MEASURES.filter((panel) => panel.measure !== 'boundaryOffset' || curves.some((curve) => curve.measure === 'boundaryOffset'));
  const figureIds = results.map((result) => result.spec.id);
  const data: Record<string, unknown>[] = [];
  const annotations: Record<string, unknown>[] = [];
  const shown = new Set<string>();
  const scales = [...new Set(results.map((result) => result.scale))];
  const seeds = [...new Set(results.filter((result) => result.runs.length > 0).map(seedCount))].sort((a, b) => a - b);
  const seedsText = seeds.length === 0 ? 'no stored runs' : seeds.length === 1 ? `k = ${seeds[0]} seed${seeds[0] === 1 ? '' : 's'}` : `k = ${seeds.join(', ')} seeds by figure`;
  const legendNames = [...new Set(curves.map((curve) => `${curve.figure}: ${curve.variantLabel}`))];
  const columnTitles = panels.map((panel) => wrapTitle(panel.title, 22));
  const { layout: frame } = gridLayout({
    title:
      `Spread across class weights against epochs, every figure<br><sup>${scales.join(', ')} scale; max minus min over weights of the mean over seeds (${seedsText});</sup>` +
      '<br><sup>0 = the weights no longer matter</sup>',
    titleLines: 3,
    rows: 1,
    columns: panels.length,
    panelHeight: 320,
    panelTitleLines: Math.max(...columnTitles.map(titleLines)),
    lastColumnTitle: columnTitles[columnTitles.length - 1],
    columnTitles: true,
    xTitle: true,
    yTitle: true,
    legend: { names: legendNames, title: 'figure: variant' },
  });
  const layout: Record<string, unknown> = { ...frame, annotations };
  layout.legend = { ...(layout.legend as Record<string, unknown>), font: { size: 11 } };
  panels.forEach((panel, column) => {
    const axis = column + 1;
    const suffix = axisSuffix(axis);
    for (const curve of curves.filter((c) => c.measure === panel.measure)) {
      const figureIndex = figureIds.indexOf(curve.figure);
      const variantIndex = results[figureIndex]!.spec.variants.findIndex((variant) => variant.id === curve.variant);
      const name = results[figureIndex]!.spec.variants.length > 1 ? `${curve.figure}: ${curve.variantLabel}` : curve.figure;
      const key = `${curve.figure}/${curve.variant}`;
      data.push({
        type: 'scatter',
        mode: curve.epochs.length === 1 ? 'markers' : 'lines',
        xaxis: `x${suffix}`,
        yaxis: `y${suffix}`,
        x: curve.epochs,
        y: curve.spread.map(round),
        line: { color: PALETTE[figureIndex % PALETTE.length], dash: DASHES[variantIndex % DASHES.length], width: 1.8 },
        marker: { color: PALETTE[figureIndex % PALETTE.length] },
        name,
        legendgroup: key,
        showlegend: !shown.has(key),
        hovertemplate: `${name}, epoch %{x}: spread %{y:.3f} (${curve.weights} weights, k = ${curve.seeds})<extra></extra>`,
      });
      shown.add(key);
    }
    annotations.push(panelTitle(columnTitles[column]!, axis, 'top'));
    layout[`xaxis${suffix}`] = logAxis({ title: { text: 'epoch' } });
    // Only the first column has room for a y title; the toy panel's unit goes into its column title.
    layout[`yaxis${suffix}`] = panel.measure === 'boundaryOffset' ? { rangemode: 'tozero' } : { range: [0, 1.02], ...(column === 0 ? { title: { text: 'spread of the fraction' } } : {}) };
  });
  if (curves.length === 0) {
    annotations.push({ text: `No stored results at ${scales.join(', ') || 'this'} scale yet`, xref: 'paper', yref: 'paper', x: 0.5, y: 0.5, showarrow: false, font: { size: 16 } });
  }
  return withRunFailures({ data, layout, config: figureConfig('overview-spread') }, results);
}

const MEASURE_LABELS: Record<SpreadMeasure, string> = {
  outOfDomainFraction: 'out-of-domain fraction',
  inDomainFraction: 'in-domain fraction',
  boundaryOffset: 'boundary offset',
};

export const OVERVIEW_COLUMNS = ['figure', 'variant', 'measure', 'seeds', 'weights', 'first epoch', 'spread first', 'last epoch', 'spread last'] as const;

/** Per figure, variant and measure: the spread at the first and at the last epoch stored for every weight. */
export function overviewTable(results: readonly FigureResult[]): DataFrame {
  const rows = spreadCurves(results).map((curve) => {
    const last = curve.epochs.length - 1;
    return {
      figure: curve.figure,
      variant: curve.variant,
      measure: MEASURE_LABELS[curve.measure],
      seeds: curve.seeds,
      weights: curve.weights,
      'first epoch': curve.epochs[0]!,
      'spread first': round(curve.spread[0]!),
      'last epoch': curve.epochs[last]!,
      'spread last': round(curve.spread[last]!),
    };
  });
  return rows.length === 0 ? new DataFrame([], { columns: [...OVERVIEW_COLUMNS] }) : new DataFrame(rows);
}

/**
 * Per figure and variant, at the first evaluated epoch after all its nets left the constant predictor
 * and at the last epoch: each weight's effect f(w) - f(1:1), the 1:1 seeds' noise floor and whether the
 * effect is outside it (src/experiments/effects.ts). Figures without 1:1 runs or with one 1:1 seed say
 * so in the verdict column, with blanks instead of numbers.
 */
export function overviewEffectTable(results: readonly FigureResult[]): DataFrame {
  const rows = effectTableRows(results.flatMap(effectRows), true);
  return rows.length === 0 ? new DataFrame([], { columns: ['figure', ...EFFECT_COLUMNS] }) : new DataFrame(rows);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * What the store holds of each figure (stored: complete, partial or none; runs finished, unfinished
 * and missing of those expected) and, where incomplete, the command that trains the rest.
 */
export function coverageTable(figures: readonly StoredFigure[]): DataFrame {
  const rows = coverageRows(figures).map((row) => ({ ...row, command: row.command || '-' }));
  return rows.length === 0 ? new DataFrame([], { columns: ['figure', 'stored', 'finished', 'unfinished', 'missing', 'expected', 'command'] }) : new DataFrame(rows);
}
