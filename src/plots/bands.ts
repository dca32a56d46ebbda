/**
 * Seeds in the plots: every curve is the mean over a figure's k seeds, drawn with a band holding the
 * 95% t-interval of that mean (src/experiments/stats.ts) when k > 1 and as a plain line when k = 1;
 * every title says which (seedsNote).
 */
import type { SeedCurve } from '../experiments/stats';
import type { FigureResult, RunResult } from '../experiments/types';

/** A curve over seeds, as seedCurve (src/experiments/stats.ts) returns it. */
export type BandCurve = SeedCurve;

/** How a curve's mean line looks; the band takes its colour at low opacity. */
export interface CurveStyle {
  xaxis: string;
  yaxis: string;
  color: string;
  name: string;
  legendgroup: string;
  showlegend: boolean;
  width?: number;
  /** Plotly line dash ('dash' for sub-sampled runs); default solid. */
  dash?: string;
  /** Default: the name, the epoch and the value, and how many seeds the mean is over. */
  hovertemplate?: string;
}

/** Seeds (k) in a result or a set of its runs: the distinct seeds among the runs. */
export function seedCount(source: FigureResult | readonly RunResult[]): number {
  const runs = 'runs' in source ? source.runs : source;
  return new Set(runs.map((run) => run.config.seed)).size;
}

/** What a figure's title says about its seeds: "k = 3 seeds, bands: 95% t-interval of the mean" or "k = 1 seed". */
export function seedsNote(seeds: number): string {
  return seeds > 1 ? `k = ${seeds} seeds, bands: 95% t-interval of the mean` : `k = ${seeds} seed`;
}

/** A title with a second, smaller line: the scale and the seeds note. */
export function titleWithSeeds(title: string, result: FigureResult): string {
  return `${title}<br><sup>${result.scale} scale, ${seedsNote(seedCount(result))}</sup>`;
}

/**
 * Plotly traces for one curve: the band (95% t-interval of the mean; only where the curve has more
 * than one seed somewhere) first, then the mean line. An empty curve gives no traces.
 */
export function seedTraces(curve: BandCurve, style: CurveStyle): Record<string, unknown>[] {
  if (curve.epochs.length === 0) return [];
  const seeds = Math.max(...curve.counts);
  const traces: Record<string, unknown>[] = [];
  if (seeds > 1) {
    traces.push({
      type: 'scatter',
      mode: 'lines',
      xaxis: style.xaxis,
      yaxis: style.yaxis,
      x: [...curve.epochs, ...[...curve.epochs].reverse()],
      y: [...curve.high, ...[...curve.low].reverse()],
      fill: 'toself',
      fillcolor: withAlpha(style.color, 0.15),
      line: { width: 0 },
      hoverinfo: 'skip',
      name: `${style.name} (95% t-interval)`,
      legendgroup: style.legendgroup,
      showlegend: false,
    });
  }
  traces.push({
    type: 'scatter',
    mode: 'lines',
    xaxis: style.xaxis,
    yaxis: style.yaxis,
    x: curve.epochs,
    y: curve.mean,
    line: { color: style.color, width: style.width ?? 1.8, ...(style.dash === undefined ? {} : { dash: style.dash }) },
    name: style.name,
    legendgroup: style.legendgroup,
    showlegend: style.showlegend,
    hovertemplate: style.hovertemplate ?? `${style.name}, epoch %{x}: %{y:.3f}${seeds > 1 ? ` (mean of ${seeds} seeds)` : ''}<extra></extra>`,
  });
  return traces;
}

/** '#rrggbb' or 'rgb(r, g, b)' as 'rgba(r, g, b, alpha)'. */
export function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (hex) return `rgba(${parseInt(hex[1]!, 16)}, ${parseInt(hex[2]!, 16)}, ${parseInt(hex[3]!, 16)}, ${alpha})`;
  const rgb = /^rgb\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(color);
  if (rgb) return `rgba(${rgb[1]}, ${rgb[2]}, ${rgb[3]}, ${alpha})`;
  throw new Error(`withAlpha takes '#rrggbb' or 'rgb(r, g, b)', got '${color}'.`);
}
