/**
 * The compute table: per figure and scale, how many runs, how many SGD steps they take, on which engine
 * they ran, and what they cost as measured in the stored runs (wall time summed over resumed sessions,
 * the process's peak memory), with the estimate for every epoch of the scale. Read from the result store
 * alone, like the overview: nothing trains. `npm run compute-table` prints it as markdown for the README.
 */
import { engineLabel } from '../engine/provenance';
import { expandRuns } from './expand';
import { defaultResultStore, type ResultStore } from './resultStore';
import { runId } from './runId';
import { stepsAtEpoch } from './steps';
import type { StoredRun } from './storedRun';
import type { EpochMetrics, FigureSpec, ScaleName } from './types';

export interface ComputeRow {
  figure: string;
  scale: ScaleName;
  /** Runs the figure has at this scale (its own seed count). */
  runs: number;
  /** Of those, runs with at least one stored epoch, and runs marked done. */
  stored: number;
  done: number;
  /** SGD steps of all runs over all their epochs. */
  steps: number;
  /** Engines the stored runs record (their provenance record), or '-' where none says. */
  engine: string;
  /** Training seconds of the stored runs, summed over runs (not the figure's wall clock when workers run in parallel). */
  runSeconds?: number;
  /** Mean over stored runs of their seconds per epoch. */
  secondsPerEpoch?: number;
  /** Largest peak memory any stored run recorded (MiB; a pool worker's is its whole process's). */
  peakMemoryMiB?: number;
  /** secondsPerEpoch x every epoch of every run, in hours: one worker's time for the whole scale. */
  estimatedHours?: number;
}

/** The engines a stored run records (engine.json, one session per training session), as "tensorflow 2.21.0, 1 thread". */
export function storedEngines(run: StoredRun): string[] {
  return (run.readEngineSessions() ?? []).map((session) => engineLabel(session));
}

/** Seconds a run's stored epochs took: its last line's wall time (summed over sessions) per epoch. */
function timing(metrics: readonly EpochMetrics[]): { seconds: number; perEpoch: number; peak?: number } | undefined {
  const last = metrics.at(-1);
  if (!last || !(last.wallTime > 0)) return undefined;
  const peaks = metrics.map((line) => line.peakMemoryMiB).filter((value): value is number => typeof value === 'number');
  return { seconds: last.wallTime, perEpoch: last.wallTime / last.epoch, ...(peaks.length === 0 ? {} : { peak: Math.max(...peaks) }) };
}

/** One row per figure and scale. */
export function computeRows(figures: readonly FigureSpec[], scales: readonly ScaleName[], store: ResultStore = defaultResultStore()): ComputeRow[] {
  const rows: ComputeRow[] = [];
  for (const spec of figures) {
    for (const scale of scales) {
      const configs = expandRuns(spec, scale);
      const engines = new Set<string>();
      const timings: NonNullable<ReturnType<typeof timing>>[] = [];
      let stored = 0;
      let done = 0;
      for (const config of configs) {
        const run = store.run(spec.id, runId(config));
        const metrics = run.readMetrics();
        const marker = run.readMarker();
        if (metrics.length > 0) stored += 1;
        if (marker?.status === 'done') done += 1;
        if (metrics.length > 0) for (const engine of storedEngines(run)) engines.add(engine);
        const measured = timing(metrics);
        if (measured) timings.push(measured);
      }
      const epochs = configs.reduce((sum, config) => sum + config.epochs, 0);
      const perEpoch = timings.length === 0 ? undefined : timings.reduce((sum, t) => sum + t.perEpoch, 0) / timings.length;
      const peaks = timings.flatMap((t) => (t.peak === undefined ? [] : [t.peak]));
      rows.push({
        figure: spec.id,
        scale,
        runs: configs.length,
        stored,
        done,
        steps: configs.reduce((sum, config) => sum + stepsAtEpoch(config, config.epochs), 0),
        engine: engines.size === 0 ? '-' : [...engines].sort().join('; '),
        ...(timings.length === 0 ? {} : { runSeconds: timings.reduce((sum, t) => sum + t.seconds, 0) }),
        ...(perEpoch === undefined ? {} : { secondsPerEpoch: perEpoch, estimatedHours: (perEpoch * epochs) / 3600 }),
        ...(peaks.length === 0 ? {} : { peakMemoryMiB: Math.max(...peaks) }),
      });
    }
  }
  return rows;
}

/** The rows as a markdown table; a number the store does not hold is '-'. */
export function computeMarkdown(rows: readonly ComputeRow[]): string {
  const format = (value: number | undefined, digits: number) => (value === undefined ? '-' : value.toFixed(digits));
  const header = ['figure', 'scale', 'runs (stored / done)', 'SGD steps', 'engine', 'measured run-seconds', 's / epoch', 'peak MiB', 'estimated hours, all epochs'];
  const lines = rows.map((row) =>
    [
      row.figure,
      row.scale,
      `${row.runs} (${row.stored} / ${row.done})`,
      row.steps.toLocaleString('en-US'),
      row.engine,
      format(row.runSeconds, 0),
      format(row.secondsPerEpoch, 2),
      format(row.peakMemoryMiB, 0),
      format(row.estimatedHours, 1),
    ].join(' | '),
  );
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...lines.map((line) => `| ${line} |`)].join('\n') + '\n';
}
