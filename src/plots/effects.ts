/**
 * The effect of each class weight against the 1:1 noise floor (src/experiments/effects.ts): a table
 * (effectTable) and a figure (effectFigure) per figure, and the milestones of every run (milestoneTable).
 */
import { DataFrame } from 'danfojs-node';
import { type EffectMeasure, type EffectMoment, type EffectRow, effectRows } from '../experiments/effects';
import { formatWeight, runLabel } from '../experiments/expand';
import { CONSTANT_PREDICTOR_SHARE, FITTED_TRAIN_ACCURACY, runMilestones } from '../experiments/milestones';
import type { FigureResult } from '../experiments/types';
import { titleWithSeeds } from './bands';
import { axisSuffix, figureConfig, gridLayout, panelTitle, titleLines, weightAxis, wrapTitle } from './style';
import type { PlotlyFigure } from './types';

const MEASURE_TITLES: Record<EffectMeasure, string> = { inDomainFraction: 'in-domain fraction', outOfDomainFraction: 'out-of-domain fraction' };
const MOMENT_LOOKS: Record<EffectMoment, { color: string; name: string }> = {
  'left constant': { color: '#1f77b4', name: 'after every net left the constant predictor' },
  last: { color: '#111111', name: 'last epoch' },
};

export const EFFECT_COLUMNS = ['variant', 'measure', 'at', 'epoch', 'step', '1:1 epoch', 'weight', 'seeds', '1:1 seeds', 'effect', 'noise floor', 'verdict'] as const;

/** Numbers to three decimals; a value not measured is a blank, never a made-up number. */
function cell(value: number | undefined): number | string {
  return value === undefined || !Number.isFinite(value) ? '' : Math.round(value * 1000) / 1000;
}

/** Rows of effectRows as a table: effect f(w) - f(1:1), the 1:1 seeds' range, and the verdict. */
export function effectTableRows(rows: readonly EffectRow[], withFigure = false): Record<string, string | number>[] {
  return rows.map((row) => ({
    ...(withFigure ? { figure: row.figure } : {}),
    variant: row.variant,
    measure: MEASURE_TITLES[row.measure],
    at: row.moment,
    epoch: cell(row.epoch),
    step: cell(row.step),
    '1:1 epoch': cell(row.referenceEpoch),
    weight: formatWeight(row.classWeight),
    seeds: row.seeds,
    '1:1 seeds': row.referenceSeeds,
    effect: cell(row.effect),
    'noise floor': cell(row.noiseFloor),
    verdict: row.verdict,
  }));
}

/** Per variant, measure and moment, the effect of each weight against the noise floor of one figure. */
export function effectTable(result: FigureResult): DataFrame {
  const rows = effectTableRows(effectRows(result));
  return rows.length === 0 ? new DataFrame([], { columns: [...EFFECT_COLUMNS] }) : new DataFrame(rows);
}

export const MILESTONE_COLUMNS = ['run', 'left constant epoch', 'left constant step', 'fitted epoch', 'fitted step', 'fitted'] as const;

/**
 * Per run: when it left the constant predictor (no class above CONSTANT_PREDICTOR_SHARE of the
 * in-domain predictions) and when it fitted (training accuracy >= FITTED_TRAIN_ACCURACY), or 'did not fit'.
 */
export function milestoneTable(result: FigureResult): DataFrame {
  const rows = result.runs.map((run) => {
    const milestones = runMilestones(run);
    return {
      run: runLabel(run.config),
      'left constant epoch': cell(milestones.leftConstantEpoch),
      'left constant step': cell(milestones.leftConstantStep),
      'fitted epoch': cell(milestones.fittedEpoch),
      'fitted step': cell(milestones.fittedStep),
      fitted: !milestones.hasFitted ? 'did not fit' : milestones.fellBackStep !== undefined ? `yes; fell back by step ${milestones.fellBackStep}` : 'yes',
    };
  });
  return rows.length === 0 ? new DataFrame([], { columns: [...MILESTONE_COLUMNS] }) : new DataFrame(rows);
}

/** The caption that says how the table's numbers are defined. */
export const EFFECT_CAPTION =
  `effect = f(w) - f(1:1), seed means; noise floor = range of the 1:1 seeds at that epoch (a sub-sampled weight: at equal SGD steps); ` +
  `left constant = no class above ${CONSTANT_PREDICTOR_SHARE * 100}% of the in-domain predictions; fitted = training accuracy >= ${FITTED_TRAIN_ACCURACY}`;

/**
 * The effect of each weight (x, log axis) at the two moments, one panel per measure and a row per
 * variant; the grey band is +-noise floor at the last epoch (the blue dotted lines at the left-constant
 * epoch). A filled marker is outside the noise; an open one is within it or has no floor.
 */
export function effectFigure(result: FigureResult): PlotlyFigure {
  const rows = effectRows(result);
  const variants = result.spec.variants.filter((variant) => rows.some((row) => row.variant === variant.id));
  const measures = ['inDomainFraction', 'outOfDomainFraction'] as const;
  const data: Record<string, unknown>[] = [];
  const annotations: Record<string, unknown>[] = [];
  const shapes: Record<string, unknown>[] = [];
  const shown = new Set<string>();
  // Said under the title, not over the panels, where it would cover their ticks.
  const missing =
    variants.length === 0 ? 'No effects to show: the figure has no stored fractions' : !rows.some((row) => row.referenceSeeds > 0) ? 'No 1:1 run: the effect f(w) - f(1:1) cannot be measured' : undefined;
  // A title over every panel ("L2 1e-3: in-domain fraction"): rows per variant get room between them.
  const titleOf = (variant: (typeof variants)[number], measure: EffectMeasure) => wrapTitle(`${variants.length > 1 ? `${variant.label}: ` : ''}${MEASURE_TITLES[measure]}`, 40);
  const titles = variants.flatMap((variant) => measures.map((measure) => titleOf(variant, measure)));
  const { layout: frame } = gridLayout({
    title: titleWithSeeds(`${result.spec.title}: effect of each weight against the 1:1 noise floor`, result) + (missing === undefined ? '' : `<br><sup>${missing}</sup>`),
    rows: Math.max(1, variants.length),
    columns: measures.length,
    panelHeight: 250,
    panelTitleLines: Math.max(1, ...titles.map(titleLines)),
    columnTitles: false,
    xTitle: true,
    yTitle: true,
    legend: { names: Object.values(MOMENT_LOOKS).map((look) => look.name) },
  });
  const layout: Record<string, unknown> = { ...frame, annotations, shapes };
  const weights = rows.map((row) => row.classWeight);
  variants.forEach((variant, row) => {
    measures.forEach((measure, column) => {
      const axis = row * measures.length + column + 1;
      const suffix = axisSuffix(axis);
      for (const moment of ['left constant', 'last'] as const) {
        const points = rows.filter((r) => r.variant === variant.id && r.measure === measure && r.moment === moment && r.effect !== undefined);
        if (points.length === 0) continue;
        const look = MOMENT_LOOKS[moment];
        const floor = points[0]!.noiseFloor;
        if (floor !== undefined) {
          const band = { type: 'rect', xref: `x${suffix} domain`, yref: `y${suffix}`, x0: 0, x1: 1, y0: -floor, y1: floor, line: { width: 0 } };
          shapes.push(moment === 'last' ? { ...band, fillcolor: 'rgba(0, 0, 0, 0.1)', layer: 'below' } : { ...band, fillcolor: 'rgba(0, 0, 0, 0)', line: { color: look.color, width: 1, dash: 'dot' } });
        }
        const name = look.name;
        data.push({
          type: 'scatter',
          mode: 'lines+markers',
          xaxis: `x${suffix}`,
          yaxis: `y${suffix}`,
          x: points.map((p) => p.classWeight),
          y: points.map((p) => p.effect),
          text: points.map((p) => `${formatWeight(p.classWeight)}, epoch ${p.epoch}: ${p.verdict}`),
          line: { color: look.color, width: 1.5 },
          marker: { color: look.color, size: 9, symbol: points.map((p) => (p.verdict === 'outside the noise' ? 'circle' : 'circle-open')) },
          name,
          legendgroup: moment,
          showlegend: !shown.has(moment),
          hovertemplate: `%{text}<br>effect %{y:.3f}${floor === undefined ? ' (one 1:1 seed: no floor)' : `, floor ${floor.toFixed(3)}`}<extra></extra>`,
        });
        shown.add(moment);
      }
      // Plotly lays out only axes that carry a trace: an empty one keeps a panel without effects in its
      // grid cell (else its title and axes fall onto the whole figure, over every other panel).
      data.push({ type: 'scatter', mode: 'markers', xaxis: `x${suffix}`, yaxis: `y${suffix}`, x: [], y: [], showlegend: false, hoverinfo: 'skip' });
      annotations.push(panelTitle(titleOf(variant, measure), axis, 'top'));
      const isBottom = row === variants.length - 1;
      layout[`xaxis${suffix}`] = weightAxis(weights, { title: isBottom ? { text: 'base : other weight' } : undefined });
      // Effects are differences of fractions: one fixed range and ticks every 0.5 keep panels comparable and their labels apart.
      layout[`yaxis${suffix}`] = { zeroline: true, range: [-1.05, 1.05], dtick: 0.5, title: { text: column === 0 ? 'f(w) - f(1:1)' : '' } };
    });
  });
  return { data, layout, config: figureConfig(`${result.spec.id}-effects`) };
}
