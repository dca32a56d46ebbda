/**
 * How much of the weights' effect is left at the end, against the class weight: the seed-mean base-class
 * fraction at the last epoch every run of a variant reached (x: the weight, log axis), one line per variant.
 * For the L2 figure each line is a strength, and its legend gives learning rate x lambda x steps, the
 * total shrinkage the decay applies (about e^-that on an unused weight): how much L2 it takes for how much
 * effect (Byrd & Lipton's claim C2). Weights whose runs did not all fit their training data are drawn
 * with open markers and a dotted line, so a net that never learnt is not read as a kept effect.
 */
import { formatWeight } from '../experiments/expand';
import { runMilestones } from '../experiments/milestones';
import { meanInterval } from '../experiments/stats';
import { stepsAtEpoch } from '../experiments/steps';
import type { FigureResult, RunResult } from '../experiments/types';
import { titleWithSeeds } from './bands';
import { axisSuffix, figureConfig, gridLayout, panelTitle, weightAxis, wrapTitle } from './style';
import type { PlotlyFigure } from './types';

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];

/** The last epoch at which every run of a variant has the measure. */
function lastCommonEpoch(runs: readonly RunResult[], measure: 'inDomainFraction' | 'outOfDomainFraction'): number | undefined {
  const last = runs.map((run) => run.metrics.filter((line) => typeof line[measure] === 'number').at(-1)?.epoch);
  return last.every((epoch) => epoch !== undefined) && last.length > 0 ? Math.min(...(last as number[])) : undefined;
}

/** learning rate x lambda x steps of a run over all its epochs: the decay's total pull (0 without L2). */
export function decayExposure(run: Pick<RunResult, 'config'>): number {
  return run.config.optimizer.learningRate * run.config.optimizer.weightDecay * stepsAtEpoch(run.config, run.config.epochs);
}

export function finalFractionFigure(result: FigureResult): PlotlyFigure {
  const measures = [
    { measure: 'inDomainFraction', title: 'in-domain test set' },
    { measure: 'outOfDomainFraction', title: 'out-of-domain test set' },
  ] as const;
  const variants = result.spec.variants.filter((variant) => result.runs.some((run) => run.config.variant === variant.id && run.metrics.length > 0));
  const data: Record<string, unknown>[] = [];
  const annotations: Record<string, unknown>[] = [];
  const columnTitles = measures.map(({ title }) => wrapTitle(title));
  const names = variants.map((variant) => legendName(variant, result));
  const { layout: frame } = gridLayout({
    title: titleWithSeeds(`${result.spec.title}: base-class fraction at the last epoch against the class weight`, result),
    rows: 1,
    columns: measures.length,
    panelHeight: 300,
    panelTitleLines: 1,
    columnTitles: true,
    xTitle: true,
    yTitle: true,
    legend: { names },
  });
  const layout: Record<string, unknown> = { ...frame, annotations };
  const allWeights = result.runs.map((run) => run.config.classWeight);
  measures.forEach(({ measure }, column) => {
    const suffix = axisSuffix(column + 1);
    variants.forEach((variant, index) => {
      const runs = result.runs.filter((run) => run.config.variant === variant.id && run.metrics.length > 0);
      const epoch = lastCommonEpoch(runs, measure);
      if (epoch === undefined) return;
      const weights = [...new Set(runs.map((run) => run.config.classWeight))].sort((a, b) => a - b);
      const points = weights.map((weight) => {
        const weightRuns = runs.filter((run) => run.config.classWeight === weight);
        const values = weightRuns.flatMap((run) => {
          const value = run.metrics.find((line) => line.epoch === epoch)?.[measure];
          return typeof value === 'number' ? [value] : [];
        });
        return { weight, ...meanInterval(values), hasFitted: weightRuns.every((run) => runMilestones(run).hasFitted) };
      });
      const color = PALETTE[index % PALETTE.length];
      const name = legendName(variant, result);
      data.push({
        type: 'scatter',
        mode: 'lines+markers',
        xaxis: `x${suffix}`,
        yaxis: `y${suffix}`,
        x: points.map((p) => p.weight),
        y: points.map((p) => p.mean),
        error_y: { type: 'data', symmetric: false, array: points.map((p) => p.high - p.mean), arrayminus: points.map((p) => p.mean - p.low), visible: points.some((p) => p.count > 1) },
        text: points.map((p) => `${formatWeight(p.weight)}, epoch ${epoch}${p.hasFitted ? '' : ', did not fit'}`),
        line: { color, dash: points.every((p) => p.hasFitted) ? 'solid' : 'dot' },
        marker: { color, size: 9, symbol: points.map((p) => (p.hasFitted ? 'circle' : 'circle-open')) },
        name,
        legendgroup: variant.id,
        showlegend: column === 0,
        hovertemplate: `${name}<br>%{text}: %{y:.3f}<extra></extra>`,
      });
    });
    annotations.push(panelTitle(columnTitles[column]!, column + 1, 'top'));
    layout[`xaxis${suffix}`] = weightAxis(allWeights, { title: { text: 'base : other weight' } });
    layout[`yaxis${suffix}`] = { range: [-0.02, 1.02], title: { text: column === 0 ? 'base-class fraction, last epoch' : '' } };
  });
  return { data, layout, config: figureConfig(`${result.spec.id}-final-fractions`) };
}

/** A variant's legend entry, with how much weight decay it saw (learning rate x lambda x steps). */
function legendName(variant: FigureResult['spec']['variants'][number], result: FigureResult): string {
  const run = result.runs.find((candidate) => candidate.config.variant === variant.id && candidate.metrics.length > 0);
  const exposure = run === undefined ? 0 : decayExposure(run);
  return `${variant.label}${exposure > 0 ? ` (lr x lambda x steps ${exposure.toPrecision(2)})` : ''}`;
}
