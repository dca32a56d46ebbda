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

/**
 * The fewest and the most seeds of any (variant, class weight) in a result or a set of its runs. They
 * differ where a scale gives the 1:1 runs more seeds than the others (ScaleSettings.referenceSeeds).
 */
export function seedRange(source: FigureResult | readonly RunResult[]): { fewest: number; most: number } {
  const runs = 'runs' in source ? source.runs : source;
  const seeds = new Map<string, Set<number>>();
  for (const run of runs) {
    const key = `${run.config.variant}\u0000${run.config.classWeight}`;
    seeds.set(key, (seeds.get(key) ?? new Set()).add(run.config.seed));
  }
  const counts = [...seeds.values()].map((set) => set.size);
  return counts.length === 0 ? { fewest: 0, most: 0 } : { fewest: Math.min(...counts), most: Math.max(...counts) };
}

/**
 * What a figure's title says about its seeds: "k = 3 seeds, bands: 95% t-interval of the mean", "k = 1 seed",
 * or, where the 1:1 runs have more (`most`), "k = 1 seed (2 at 1:1), bands: 95% t-interval of the mean where k > 1".
 */
export function seedsNote(seeds: number, most = seeds): string {
  const count = seedsCount(seeds, most);
  if (most > seeds) return `${count}, bands: 95% t-interval of the mean where k > 1`;
  return seeds > 1 ? `${count}, bands: 95% t-interval of the mean` : count;
}

/** The seeds alone, for one-line summaries: "k = 3 seeds", "k = 1 seed (2 at 1:1)". */
export function seedsCount(seeds: number, most = seeds): string {
  return `k = ${seeds} seed${seeds === 1 ? '' : 's'}${most > seeds ? ` (${most} at 1:1)` : ''}`;
}

/** The seeds note of a result or a set of its runs. */
export function resultSeedsNote(source: FigureResult | readonly RunResult[]): string {
  const { fewest, most } = seedRange(source);
  return seedsNote(fewest, most);
}

/** A title with a second, smaller line: the scale and the seeds note. */
export function titleWithSeeds(title: string, result: FigureResult): string {
  return `${title}<br><sup>${result.scale} scale, ${resultSeedsNote(result)}</sup>`;
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
