/**
 * A figure's metrics as danfojs DataFrames: one row per run and epoch (metricsFrame, or
 * loadMetricsFrame straight from the result store), the mean and t-based 95% interval over seeds
 * (aggregateOverSeeds), and CSV files beside the figure's report (writeFigureCsv).
 */
import path from 'node:path';
import fs from 'node:fs';
import type { DataFrame } from 'danfojs-node';
import { defaultResultStore, type ResultStore, writeFileAtomic } from './resultStore';
import { readStoredResult, unfinishedResult } from './storedResult';
import { meanInterval } from './stats';
import type { EpochMetrics, FigureResult, RunConfig, RunResult, ScaleName } from './types';

/**
 * danfojs, loaded when a frame is first asked for: it loads all of tfjs (a second or more), which
 * writing CSV files or listing runs never needs.
 */
function danfo(): typeof import('danfojs-node') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('danfojs-node') as typeof import('danfojs-node');
}

/** The numeric columns of a metrics line, in the order the frames show them. */
export const METRIC_COLUMNS = [
  'trainLoss',
  'trainAccuracy',
  'inDomainFraction',
  'outOfDomainFraction',
  'boundaryAngle',
  'boundaryOffset',
  'maxMarginAngle',
  'modelMargin',
  'svmMargin',
  'wallTime',
  // Added with issue 13, after the old columns so existing CSV readers keep their columns' places; a
  // stored run from before them has NaN (a blank in the tables) in these.
  'inDomainAccuracy',
  'baseClassRecall',
  'otherClassRecall',
  'inDomainBaseProbability',
  'outOfDomainBaseProbability',
  'inDomainLoss',
  'peakMemoryMiB',
] as const satisfies readonly (keyof EpochMetrics)[];
export type MetricColumn = (typeof METRIC_COLUMNS)[number];

/** Columns that identify a row of metricsFrame. */
export const KEY_COLUMNS = ['runId', 'figure', 'scale', 'variant', 'classWeight', 'seed', 'status', 'epoch'] as const;

export class NoResultsError extends Error {
  override name = 'NoResultsError';
}

export type MetricsRow = Record<(typeof KEY_COLUMNS)[number], string | number> & Partial<Record<MetricColumn, number>>;

/** Plain rows, one per run and epoch; a metric a line lacks is NaN (danfojs needs full columns). */
export function metricsRows(runs: readonly RunResult[]): MetricsRow[] {
  const present = METRIC_COLUMNS.filter((column) => runs.some((run) => run.metrics.some((line) => typeof line[column] === 'number')));
  return runs.flatMap((run) =>
    run.metrics.map((line) => {
      const row: MetricsRow = {
        runId: run.runId,
        figure: run.config.figure,
        scale: run.config.scale,
        variant: run.config.variant,
        classWeight: run.config.classWeight,
        seed: run.config.seed,
        status: run.status,
        epoch: line.epoch,
      };
      for (const column of present) row[column] = typeof line[column] === 'number' ? line[column] : Number.NaN;
      return row;
    }),
  );
}

/** One row per run and epoch, from a figure result or a list of runs. */
export function metricsFrame(source: FigureResult | readonly RunResult[]): DataFrame {
  const runs = 'runs' in source ? source.runs : source;
  const rows = metricsRows(runs);
  if (rows.length === 0) throw new NoResultsError('These runs have no finished epochs yet: train them first (runFigure or `iwlab run <figure>`).');
  return new (danfo().DataFrame)(rows);
}

export interface LoadMetricsOptions {
  /** Only runs at this scale; default every scale in the store. */
  scale?: ScaleName;
  store?: ResultStore;
}

/**
 * Every run of a figure that the store holds (finished or not), as RunResults; unfinished ones have
 * status 'stopped'. That includes runs of earlier versions of the figure's registry entry, which
 * keep their directories: to see exactly the current figure, use metricsFrame(await runFigure(...)).
 */
export function loadStoredRuns(figure: string, options: LoadMetricsOptions = {}): RunResult[] {
  const store = options.store ?? defaultResultStore();
  const runs: RunResult[] = [];
  for (const id of store.listRunIds(figure)) {
    const run = store.run(figure, id);
    const config = run.readConfig() as RunConfig;
    if (options.scale !== undefined && config.scale !== options.scale) continue;
    runs.push(readStoredResult(run, config) ?? unfinishedResult(run, config, { type: 'unfinished', epochs: 0, of: config.epochs }));
  }
  return runs;
}

/** A figure's metrics straight from the result store (no training, no engine). */
export function loadMetricsFrame(figure: string, options: LoadMetricsOptions = {}): DataFrame {
  const runs = loadStoredRuns(figure, options);
  if (runs.length === 0) {
    const root = (options.store ?? defaultResultStore()).root;
    throw new NoResultsError(`No runs of '${figure}'${options.scale ? ` at ${options.scale} scale` : ''} in ${root}. Train them first: iwlab run ${figure}${options.scale ? ` --scale ${options.scale}` : ''}.`);
  }
  return metricsFrame(runs);
}

/**
 * Mean and 95% interval (Student's t, seeds - 1 degrees of freedom) of each metric over seeds, per
 * (variant, class weight, epoch): columns `<metric>Mean`, `<metric>Low`, `<metric>High`, and
 * `seeds`, the number of seeds with that epoch. One seed gives a zero-width interval. Rows keep the
 * runs' order (variant, then weight as the figure lists them, then epoch).
 */
export function aggregateOverSeeds(source: DataFrame | FigureResult | readonly RunResult[], metrics?: readonly MetricColumn[]): DataFrame {
  const rows = source instanceof danfo().DataFrame ? frameRows(source as DataFrame) : metricsRows('runs' in source ? source.runs : source);
  const out = seedAggregateRows(rows, metrics);
  if (out.length === 0) throw new NoResultsError('Nothing to aggregate: the runs have no finished epochs yet.');
  return new (danfo().DataFrame)(out);
}

/** aggregateOverSeeds on plain rows. */
export function seedAggregateRows(rows: readonly MetricsRow[], metrics?: readonly MetricColumn[]): Record<string, string | number>[] {
  const columns = (metrics ?? METRIC_COLUMNS).filter((column) => rows.some((row) => typeof row[column] === 'number'));
  const groups = new Map<string, MetricsRow[]>();
  for (const row of rows) {
    const key = JSON.stringify([row.variant, row.classWeight, row.epoch]);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  const out: Record<string, string | number>[] = [];
  for (const group of groups.values()) {
    const first = group[0]!;
    const row: Record<string, string | number> = { variant: first.variant, classWeight: first.classWeight, epoch: first.epoch, seeds: new Set(group.map((r) => r.seed)).size };
    for (const column of columns) {
      // One seed (the usual case) is its own mean and interval: skip the arithmetic on 10^5 rows.
      const { mean, low, high } = group.length === 1 ? single(first[column]) : meanInterval(group.map((r) => r[column] ?? Number.NaN));
      row[`${column}Mean`] = mean;
      row[`${column}Low`] = low;
      row[`${column}High`] = high;
    }
    out.push(row);
  }
  return out;
}

function single(value: number | undefined): { mean: number; low: number; high: number } {
  const mean = value !== undefined && Number.isFinite(value) ? value : Number.NaN;
  return { mean, low: mean, high: mean };
}

/** A DataFrame's rows as plain objects. */
export function frameRows(frame: DataFrame): MetricsRow[] {
  const columns = frame.columns;
  return (frame.values as unknown[][]).map((values) => Object.fromEntries(columns.map((column, i) => [column, values[i]])) as MetricsRow);
}

export interface FigureCsvFiles {
  metrics: string;
  summary: string;
}

/**
 * Writes <dir>/<figure>-<scale>.metrics.csv (every run and epoch) and .summary.csv (over seeds),
 * atomically, next to the figure's report; returns their paths. The text is what danfojs' toCSV
 * writes for metricsFrame and aggregateOverSeeds (tested), built from plain rows: a paper-scale
 * figure has ~10^5 rows, which danfojs takes seconds to frame and print.
 */
export function writeFigureCsv(result: FigureResult, dir: string): FigureCsvFiles {
  const rows = metricsRows(result.runs);
  if (rows.length === 0) throw new NoResultsError(`${result.spec.id} has no finished epochs yet: nothing to write.`);
  fs.mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `${result.spec.id}-${result.scale}`);
  const files = { metrics: `${base}.metrics.csv`, summary: `${base}.summary.csv` };
  writeFileAtomic(files.metrics, rowsToCsv(rows));
  writeFileAtomic(files.summary, rowsToCsv(seedAggregateRows(rows)));
  return files;
}

/** CSV as danfojs-node's toCSV writes it: a header of the first row's keys, comma-separated, NaN as "NaN". */
export function rowsToCsv(rows: readonly Record<string, string | number | undefined>[]): string {
  if (rows.length === 0) return '';
  const columns = Object.keys(rows[0]!);
  const cell = (value: string | number | undefined) => {
    const text = String(value);
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [columns.join(','), ...rows.map((row) => columns.map((column) => cell(row[column])).join(','))].join('\n') + '\n';
}
