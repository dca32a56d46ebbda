/**
 * Training progress in a notebook: one output that is updated in place (update_display_data),
 * showing a row per active run and a line for the whole figure. The terminal's counterpart reads
 * the same ProgressEvent stream (src/experiments/terminalProgress.ts).
 */
import { randomBytes } from 'node:crypto';
import type { ProgressEvent, ProgressListener, ScaleName } from '../experiments/types';
import { type DisplayWriter, kernelDisplayWriter } from './display';
import { escapeHtml } from './html';

/** At most this many display updates per second reach the front end (each is a websocket message). */
const UPDATES_PER_SECOND = 4;
/** More active runs than this are summarised in one row; a worker pool rarely has more. */
const MAX_ROWS = 8;

interface RunRow {
  label: string;
  epoch: number;
  epochs: number;
  trainLoss?: number;
}

/** What the display shows; a pure reduction of the events seen so far. */
export interface ProgressState {
  figure?: string;
  scale?: ScaleName;
  total: number;
  reused: number;
  /** Runs that ended, by status ('done', 'failed', 'stopped', 'reused'). */
  ended: Record<string, number>;
  active: Map<string, RunRow>;
  startedAt?: number;
  /** Set by figureEnd. */
  seconds?: number;
  errors: string[];
}

export function emptyProgress(): ProgressState {
  return { total: 0, reused: 0, ended: {}, active: new Map(), errors: [] };
}

/** Folds one event into the state (mutating it), at time `now` in milliseconds. */
export function applyProgress(state: ProgressState, event: ProgressEvent, now: number): void {
  switch (event.type) {
    case 'figureStart':
      state.figure = event.figure;
      state.scale = event.scale;
      state.total = event.runs;
      state.reused = event.reused;
      state.startedAt = now;
      break;
    case 'runStart':
      state.active.set(event.runId, { label: event.label, epoch: event.startEpoch, epochs: event.epochs });
      break;
    case 'epochEnd': {
      const row = state.active.get(event.runId) ?? { label: event.runId, epoch: 0, epochs: event.epochs };
      row.epoch = event.epoch;
      row.epochs = event.epochs;
      row.trainLoss = event.metrics.trainLoss;
      state.active.set(event.runId, row);
      break;
    }
    case 'runEnd': {
      const label = state.active.get(event.runId)?.label ?? event.runId;
      state.active.delete(event.runId);
      state.ended[event.status] = (state.ended[event.status] ?? 0) + 1;
      if (event.error !== undefined) state.errors.push(`${label}: ${event.error}`);
      break;
    }
    case 'figureEnd':
      state.seconds = event.seconds;
      state.active.clear();
      break;
  }
}

/** Runs finished so far, counting reused runs whether or not they were announced with runEnd. */
function finishedRuns(state: ProgressState): number {
  const announcedReused = state.ended.reused ?? 0;
  const trained = Object.entries(state.ended).reduce((sum, [status, count]) => (status === 'reused' ? sum : sum + count), 0);
  return trained + Math.max(announcedReused, state.reused);
}

function headline(state: ProgressState, now: number): string {
  const name = state.figure === undefined ? 'waiting for the first run' : `${state.figure} (${state.scale ?? '?'})`;
  const failed = (state.ended.failed ?? 0) + (state.ended.stopped ?? 0);
  const parts = [`${name}: ${finishedRuns(state)}/${state.total} runs finished`];
  if (state.reused > 0) parts.push(`${state.reused} reused`);
  if (failed > 0) parts.push(`${failed} failed or stopped`);
  const seconds = state.seconds ?? (state.startedAt === undefined ? undefined : (now - state.startedAt) / 1000);
  if (seconds !== undefined) parts.push(`${seconds.toFixed(1)} s${state.seconds === undefined ? '' : ', done'}`);
  return parts.join(', ');
}

function bar(fraction: number, width: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return '#'.repeat(filled) + '.'.repeat(width - filled);
}

/** Plain text: one line for the figure, one per active run. */
export function renderProgressText(state: ProgressState, now: number): string {
  const rows = [...state.active.values()];
  const lines = [headline(state, now)];
  for (const row of rows.slice(0, MAX_ROWS)) {
    const loss = row.trainLoss === undefined ? '' : `  loss ${row.trainLoss.toPrecision(3)}`;
    lines.push(`  ${row.label}  [${bar(row.epoch / Math.max(1, row.epochs), 20)}] epoch ${row.epoch}/${row.epochs}${loss}`);
  }
  if (rows.length > MAX_ROWS) lines.push(`  ... and ${rows.length - MAX_ROWS} more runs`);
  for (const error of state.errors) lines.push(`  ! ${error}`);
  return lines.join('\n');
}

/** A small HTML table with the same content. */
export function renderProgressHtml(state: ProgressState, now: number): string {
  const rows = [...state.active.values()];
  const cells = rows.slice(0, MAX_ROWS).map((row) => {
    const percent = Math.round((100 * row.epoch) / Math.max(1, row.epochs));
    const loss = row.trainLoss === undefined ? '' : row.trainLoss.toPrecision(3);
    return (
      `<tr><td>${escapeHtml(row.label)}</td>` +
      `<td><progress max="${row.epochs}" value="${row.epoch}" style="width:10em"></progress> ${percent}%</td>` +
      `<td>epoch ${row.epoch}/${row.epochs}</td><td>${loss === '' ? '' : `loss ${loss}`}</td></tr>`
    );
  });
  if (rows.length > MAX_ROWS) cells.push(`<tr><td colspan="4">... and ${rows.length - MAX_ROWS} more runs</td></tr>`);
  const errors = state.errors.map((error) => `<div style="color:#b00">${escapeHtml(error)}</div>`);
  return [
    '<div class="iwlab-progress" style="font-family:monospace;font-size:90%">',
    `<div>${escapeHtml(headline(state, now))}</div>`,
    cells.length > 0 ? `<table>${cells.join('')}</table>` : '',
    ...errors,
    '</div>',
  ].join('');
}

export interface ProgressDisplayOptions {
  write: DisplayWriter;
  /** Milliseconds; injectable so tests can drive the throttle without waiting. */
  now?: () => number;
  /** Schedules the trailing update of a throttled burst. */
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/**
 * A ProgressListener that keeps one display up to date through `write`, throttled to a few
 * updates per second; the last state of a burst is always sent (a trailing update), and the
 * figure's end is sent at once.
 */
export function createProgressDisplay(options: ProgressDisplayOptions): ProgressListener {
  const now = options.now ?? (() => Date.now());
  const setTimer = options.setTimer ?? ((callback: () => void, ms: number) => setTimeout(callback, ms));
  const clearTimer = options.clearTimer ?? ((handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  const displayId = `iwlab-progress-${randomBytes(6).toString('hex')}`;
  const interval = 1000 / UPDATES_PER_SECOND;
  const state = emptyProgress();
  let shown = false;
  let lastSent = -Infinity;
  let timer: unknown;

  const send = (): void => {
    timer = undefined;
    const time = now();
    lastSent = time;
    const data = { 'text/html': renderProgressHtml(state, time), 'text/plain': renderProgressText(state, time) };
    options.write({ data, metadata: {}, transient: { display_id: displayId } }, shown);
    shown = true;
  };

  return (event) => {
    const time = now();
    applyProgress(state, event, time);
    if (event.type === 'figureEnd' || time - lastSent >= interval) {
      if (timer !== undefined) clearTimer(timer);
      send();
    } else if (timer === undefined) {
      timer = setTimer(send, interval - (time - lastSent));
    }
  };
}

/**
 * Progress for `runFigure(..., { onProgress: notebookProgress() })` in a notebook cell. Call it in
 * the cell that runs the figure: the display belongs to that cell even if training outlives it.
 */
export function notebookProgress(): ProgressListener {
  return createProgressDisplay({ write: kernelDisplayWriter('notebookProgress') });
}
