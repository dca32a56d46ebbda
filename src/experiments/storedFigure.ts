/**
 * A figure from the result store alone: no engine, no data, no training. Gives whatever the store
 * holds of the figure's runs at one scale (finished, failed, or part-way) and lists the runs it holds
 * nothing of, with the command that trains them. The overview notebook reads every figure this way.
 */
import path from 'node:path';
import { expandRuns } from './expand';
import { getFigure } from './figures';
import { defaultResultStore, type ResultStore } from './resultStore';
import { runId } from './runId';
import { isReusable, readStoredResult } from './storedResult';
import type { FigureResult, FigureSpec, RunConfig, RunResult, ScaleName } from './types';

export interface LoadStoredFigureOptions {
  scale: ScaleName;
  /** k seeds per (variant, weight), seeds 0..k-1; default the scale's own count. */
  seeds?: number;
  /** Default: <repo>/results. */
  store?: ResultStore;
}

/** A run the figure expects and the store holds no epoch of. */
export interface MissingRun {
  runId: string;
  config: RunConfig;
}

export interface StoredFigure extends FigureResult {
  /**
   * The stored runs, in expansion order: status 'done' or 'failed' when finished, 'stopped' for a run
   * with some epochs and no end marker (training, interrupted, or waiting to resume) or one that will
   * be trained again (stopReason 'stale'), 'failed' with stopReason 'damaged' for an unreadable one.
   */
  runs: RunResult[];
  /** Runs with nothing stored; they are not in `runs`. */
  missing: MissingRun[];
  /** Runs the figure has at this scale and k: runs.length + missing.length. */
  expected: number;
  /** The command that trains the missing and unfinished runs (finished ones are reused). */
  command: string;
}

/** Loads a figure's runs at one scale from the store, training nothing. */
export function loadStoredFigure(specOrId: FigureSpec | string, options: LoadStoredFigureOptions): StoredFigure {
  const spec = typeof specOrId === 'string' ? getFigure(specOrId) : specOrId;
  const store = options.store ?? defaultResultStore();
  const configs = expandRuns(spec, options.scale, options.seeds);
  const runs: RunResult[] = [];
  const missing: MissingRun[] = [];
  for (const config of configs) {
    const id = runId(config);
    const stored = readStoredResult(store.run(spec.id, id), config);
    if (stored === undefined) missing.push({ runId: id, config });
    else runs.push(stored);
  }
  return {
    spec,
    scale: options.scale,
    runs,
    missing,
    expected: configs.length,
    command: trainCommand(spec.id, options.scale, options.seeds, store),
  };
}

/** `npm run iwlab -- run <figure> --scale <scale> [--seeds k] [--results dir]`: trains what the store lacks. */
export function trainCommand(figure: string, scale: ScaleName, seeds?: number, store?: ResultStore): string {
  const parts = ['npm run iwlab -- run', figure, '--scale', scale];
  if (seeds !== undefined) parts.push('--seeds', String(seeds));
  if (store !== undefined && path.resolve(store.root) !== path.resolve(defaultResultStore().root)) parts.push('--results', quote(store.root));
  return parts.join(' ');
}

/** One row per figure: how much of it the store holds, and the command for the rest. */
export interface CoverageRow {
  figure: string;
  /** 'complete' (every run finished), 'partial' (some runs missing or unfinished), or 'none'. */
  stored: 'complete' | 'partial' | 'none';
  finished: number;
  unfinished: number;
  missing: number;
  expected: number;
  /** Empty when complete. */
  command: string;
}

export function coverageRows(figures: readonly StoredFigure[]): CoverageRow[] {
  return figures.map((figure) => {
    // Damaged or stale runs are not finished: the command trains them again.
    const finished = figure.runs.filter(isReusable).length;
    const unfinished = figure.runs.length - finished;
    const stored = finished === figure.expected ? 'complete' : figure.runs.length === 0 ? 'none' : 'partial';
    return { figure: figure.spec.id, stored, finished, unfinished, missing: figure.missing.length, expected: figure.expected, command: stored === 'complete' ? '' : figure.command };
  });
}

function quote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
