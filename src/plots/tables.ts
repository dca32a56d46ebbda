import { DataFrame } from 'danfojs-node';
import { engineLabel } from '../engine/provenance';
import { formatWeight } from '../experiments/expand';
import { seedCurve } from '../experiments/stats';
import type { EpochMetrics, FigureResult } from '../experiments/types';
import { seedCount } from './bands';
import { kernelDisplayWriter } from './display';

/**
 * One row per (variant, class weight), one column per chosen epoch, holding a metric averaged over
 * seeds (the 'seeds' column says over how many: k); plus, per variant, a 'spread' row (max minus min
 * over weights of those means), the number that shows an effect fading. Epochs default to the
 * figure's snapshot epochs, else powers of ten.
 */
export function metricTable(result: FigureResult, metric: keyof EpochMetrics, epochs?: readonly number[]): DataFrame {
  const lastEpoch = Math.max(0, ...result.runs.flatMap((run) => run.metrics.map((m) => m.epoch)));
  const chosen = epochs ?? defaultEpochs(result, lastEpoch);
  const rows: Record<string, string | number>[] = [];
  for (const variant of result.spec.variants) {
    const runs = result.runs.filter((run) => run.config.variant === variant.id);
    if (runs.length === 0) continue;
    const weights = [...new Set(runs.map((run) => run.config.classWeight))].sort((a, b) => a - b);
    const means = weights.map((weight) => {
      const curve = seedCurve(runs.filter((run) => run.config.classWeight === weight).map((run) => run.metrics), (line) => numberOrUndefined(line[metric]));
      return chosen.map((epoch) => curve.mean[curve.epochs.indexOf(epoch)] ?? Number.NaN);
    });
    const seeds = weights.map((weight) => seedCount(runs.filter((run) => run.config.classWeight === weight)));
    weights.forEach((weight, i) => rows.push(row(variant.id, formatWeight(weight), seeds[i]!, chosen, means[i]!)));
    const spread = chosen.map((_, j) => {
      const column = means.map((values) => values[j]!).filter(Number.isFinite);
      return column.length > 1 ? Math.max(...column) - Math.min(...column) : Number.NaN;
    });
    rows.push(row(variant.id, 'spread', Math.min(...seeds), chosen, spread));
  }
  return new DataFrame(rows);
}

/**
 * Which engine trained each run: backend, TensorFlow version and threads per training session (a
 * resumed run lists each, with the epoch it started at), so numbers are read with what made them.
 */
export function engineTable(result: FigureResult): DataFrame {
  const rows = result.runs.map((run) => ({
    variant: run.config.variant,
    weight: formatWeight(run.config.classWeight),
    seed: run.config.seed,
    epochs: run.metrics.length,
    engine: run.engine === undefined ? 'not recorded' : run.engine.map((session) => (session.startEpoch === 0 ? '' : `from epoch ${session.startEpoch}: `) + engineLabel(session)).join('; '),
  }));
  return new DataFrame(rows);
}

/** The toy figure's table: boundary offsets at the snapshot epochs. */
export function boundaryTable(result: FigureResult): DataFrame {
  return metricTable(result, 'boundaryOffset');
}

function row(variant: string, weight: string, seeds: number, epochs: readonly number[], values: number[]): Record<string, string | number> {
  const out: Record<string, string | number> = { variant, weight, seeds };
  epochs.forEach((epoch, j) => (out[`epoch ${epoch}`] = Number.isFinite(values[j]) ? Math.round(values[j]! * 1000) / 1000 : 'n/a'));
  return out;
}

/** A metrics field as a curve value: the string field (variant) has none. */
function numberOrUndefined(value: EpochMetrics[keyof EpochMetrics]): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function defaultEpochs(result: FigureResult, lastEpoch: number): number[] {
  const snapshots = result.spec.scales[result.scale].snapshotEpochs?.filter((e) => e >= 1 && e <= lastEpoch);
  if (snapshots && snapshots.length > 0) return [...snapshots];
  const epochs = [];
  for (let e = 1; e < lastEpoch; e *= 10) epochs.push(e);
  return [...epochs, lastEpoch];
}

/** A DataFrame as CSV (RFC 4180: fields with a comma, quote or line break quoted, quotes doubled; CRLF rows). */
export function tableCsv(frame: DataFrame): string {
  const field = (value: unknown) => {
    const text = String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [frame.columns, ...(frame.values as unknown[][])].map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}

/** A file name for a table's CSV, from its caption. */
export function csvFileName(caption: string | undefined): string {
  const stem = (caption ?? 'table').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
  return `${stem || 'table'}.csv`;
}

/**
 * A DataFrame as a plain HTML table (no styling beyond Jupyter's own), numbers right-aligned, with a
 * link under it that downloads the same rows as CSV. The link is a data: URI, so it works in an
 * offline report and in a notebook output with nothing to serve the file.
 */
export function tableHtml(frame: DataFrame, caption?: string): string {
  const escape = (value: unknown) => String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const header = frame.columns.map((column) => `<th>${escape(column)}</th>`).join('');
  const body = (frame.values as unknown[][])
    .map((row) => `<tr>${row.map((cell) => `<td style="text-align:${typeof cell === 'number' ? 'right' : 'left'}">${escape(cell)}</td>`).join('')}</tr>`)
    .join('\n');
  const file = csvFileName(caption);
  const link = `<p class="iwlab-table-download"><a download="${escape(file)}" href="data:text/csv;charset=utf-8,${encodeURIComponent(tableCsv(frame))}">Download CSV (${escape(file)})</a></p>`;
  return `<table>${caption ? `<caption>${escape(caption)}</caption>` : ''}<thead><tr>${header}</tr></thead><tbody>\n${body}\n</tbody></table>\n${link}`;
}

/** Shows a DataFrame in a notebook cell: an HTML table with its CSV download link, the box-drawn text as the fallback. */
export function showTable(frame: DataFrame, caption?: string): void {
  kernelDisplayWriter('showTable')({ data: { 'text/html': tableHtml(frame, caption), 'text/plain': tableText(frame, caption) }, metadata: {}, transient: {} }, false);
}

/** The box-drawn text of a table; danfojs's toString throws on a table with no rows, which says so instead. */
export function tableText(frame: DataFrame, caption?: string): string {
  if (frame.shape[0] === 0) return `${caption ? `${caption}: ` : ''}no rows (columns: ${frame.columns.join(', ')})`;
  return frame.toString();
}
