/**
 * Training progress in a notebook: one output, updated in place (update_display_data), drawing the
 * state that reduceProgress (src/experiments/progress.ts) folds from the ProgressEvent stream: a
 * headline with a measured ETA, a row per active run with its own time, and at the end how it
 * ended. The terminal renderer of the same state is src/experiments/terminalProgress.ts.
 */
import { randomBytes } from 'node:crypto';
import { type FigureProgress, type RunProgress, activeRuns, epochsLeft, etaSeconds, finishedRuns, initialProgress, reduceProgress, runSeconds, secondsPerEpoch, stoppedCount, stoppedRuns } from '../experiments/progress';
import { watchStopSignals } from '../experiments/stopSignals';
import type { ProgressListener } from '../experiments/types';
import { formatBar, formatDuration } from '../progressBar';
import { type DisplayWriter, kernelDisplayWriter } from './display';
import { escapeHtml } from './html';

/** At most this many display updates per second reach the front end (each is a websocket message). */
const UPDATES_PER_SECOND = 4;
/** More active runs than this are summarised in one row; a worker pool rarely has more. */
const MAX_ROWS = 8;

/** What the cell says once the figure ended with runs stopped part-way (a kernel interrupt). */
export function stoppedNotice(state: FigureProgress): string | undefined {
  const stopped = stoppedRuns(state);
  if (stopped.length === 0 || state.seconds === undefined) return undefined;
  const at = stopped.length === 1 ? `epoch ${stopped[0]!.epoch} of ${stopped[0]!.epochs}` : `epochs ${stopped.map((run) => run.epoch).join(', ')} of ${stopped[0]!.epochs}`;
  return `stopped at ${at}; run the cell again to resume`;
}

function headline(state: FigureProgress, now: number): string {
  const name = state.figure === undefined ? 'waiting for the first run' : `${state.figure} (${state.scale ?? '?'})`;
  const notice = stoppedNotice(state);
  if (notice !== undefined) return `${name}: ${notice} (${finishedRuns(state)}/${state.runs} runs finished)`;
  const parts = [`${name}: ${finishedRuns(state)}/${state.runs} runs finished`];
  if (state.reused > 0) parts.push(`${state.reused} reused`);
  if ((state.ended.failed ?? 0) > 0) parts.push(`${state.ended.failed} failed`);
  if (stoppedCount(state) > 0) parts.push(`${stoppedCount(state)} stopped`);
  if (state.seconds !== undefined) parts.push(`${state.seconds.toFixed(1)} s, done`);
  else if (state.startedAt !== undefined) {
    parts.push(`${((now - state.startedAt) / 1000).toFixed(1)} s`);
    const left = epochsLeft(state);
    if (left !== undefined && left > 0) {
      const eta = etaSeconds(state);
      parts.push(eta === undefined ? 'ETA after the first epochs' : `ETA ${formatDuration(eta)}`);
    }
  }
  return parts.join(', ');
}

/** A run's row: its bar, epochs, its own time (and seconds per epoch once measured), its loss. */
function rowText(run: RunProgress, now: number): string {
  const perEpoch = secondsPerEpoch(run);
  const time = `${formatDuration(runSeconds(run, now))}${perEpoch === undefined ? '' : `, ${formatDuration(perEpoch)}/epoch`}`;
  const loss = run.trainLoss === undefined ? '' : `  loss ${run.trainLoss.toPrecision(3)}`;
  return `${run.label}  [${formatBar(run.epoch / Math.max(1, run.epochs), 20, '#', '.')}] epoch ${run.epoch}/${run.epochs}  ${time}${loss}`;
}

/** Runs that failed, with why (a stop is not a failure). */
function errors(state: FigureProgress): string[] {
  return [...state.trained.values()].filter((run) => run.error !== undefined && run.status !== 'done').map((run) => `${run.label}: ${run.error}`);
}

/** Plain text: one line for the figure, one per active run, one per failure. */
export function renderProgressText(state: FigureProgress, now: number): string {
  const rows = activeRuns(state);
  const lines = [headline(state, now)];
  for (const run of rows.slice(0, MAX_ROWS)) lines.push(`  ${rowText(run, now)}`);
  if (rows.length > MAX_ROWS) lines.push(`  ... and ${rows.length - MAX_ROWS} more runs`);
  for (const error of errors(state)) lines.push(`  ! ${error}`);
  return lines.join('\n');
}

/** A small HTML table with the same content. */
export function renderProgressHtml(state: FigureProgress, now: number): string {
  const rows = activeRuns(state);
  const cells = rows.slice(0, MAX_ROWS).map((run) => {
    const percent = Math.round((100 * run.epoch) / Math.max(1, run.epochs));
    const perEpoch = secondsPerEpoch(run);
    return (
      `<tr><td>${escapeHtml(run.label)}</td>` +
      `<td><progress max="${run.epochs}" value="${run.epoch}" style="width:10em"></progress> ${percent}%</td>` +
      `<td>epoch ${run.epoch}/${run.epochs}</td><td>${formatDuration(runSeconds(run, now))}${perEpoch === undefined ? '' : `, ${formatDuration(perEpoch)}/epoch`}</td>` +
      `<td>${run.trainLoss === undefined ? '' : `loss ${run.trainLoss.toPrecision(3)}`}</td></tr>`
    );
  });
  if (rows.length > MAX_ROWS) cells.push(`<tr><td colspan="5">... and ${rows.length - MAX_ROWS} more runs</td></tr>`);
  const failures = errors(state).map((error) => `<div style="color:#b00">${escapeHtml(error)}</div>`);
  return [
    '<div class="iwlab-progress" style="font-family:monospace;font-size:90%">',
    `<div>${escapeHtml(headline(state, now))}</div>`,
    cells.length > 0 ? `<table>${cells.join('')}</table>` : '',
    ...failures,
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
  let state = initialProgress();
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
    state = reduceProgress(state, event, time);
    if (event.type === 'figureEnd' || time - lastSent >= interval) {
      if (timer !== undefined) clearTimer(timer);
      send();
    } else if (timer === undefined) {
      timer = setTimer(send, interval - (time - lastSent));
    }
  };
}

/** The message tslab (1.0.22) rejects an interrupted cell with, and prints with its stack. */
const TSLAB_INTERRUPT = 'Interrupted asynchronously';

/** The line printed instead of tslab's trace. */
const INTERRUPT_LINE = 'Interrupted: each run stops after its current step and keeps its epochs; the progress above says where.\n';

/**
 * While a figure trains, a kernel interrupt makes tslab reject the cell with its own error and print
 * it, stack and all, through the cell's stderr (tslab 1.0.22 sets process.stderr.write per cell and
 * its executor logs with a console captured at start-up, so the stream is the one place to catch it).
 * The runs stop cleanly (runFigure's SIGINT), and the progress display says where: so that error is
 * printed as one line instead. Returns the function that puts the stream back.
 */
export function replaceInterruptTrace(target: { write: (chunk: string | Uint8Array, ...rest: never[]) => boolean } = process.stderr): () => void {
  const original = target.write;
  const filtered = (chunk: string | Uint8Array, ...rest: never[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.startsWith(`Error: ${TSLAB_INTERRUPT}`)) return original.call(target, INTERRUPT_LINE);
    return original.call(target, chunk, ...rest);
  };
  target.write = filtered;
  return () => {
    if (target.write === filtered) target.write = original; // a later cell may have set its own
  };
}

/**
 * Progress for `runFigure(..., { onProgress: notebookProgress() })` in a notebook cell. Call it in
 * the cell that runs the figure: the display belongs to that cell even if training outlives it.
 */
export function notebookProgress(): ProgressListener {
  const display = createProgressDisplay({ write: kernelDisplayWriter('notebookProgress') });
  let release: (() => void) | undefined;
  return (event) => {
    if (event.type === 'figureStart' && event.runs > event.reused && release === undefined) {
      // Subscribed through the process's one SIGINT owner: tslab's own listener keeps the kernel alive.
      let restore: (() => void) | undefined;
      const watch = watchStopSignals({ signals: ['SIGINT'], onStop: () => (restore = replaceInterruptTrace()) });
      release = () => {
        watch.dispose();
        restore?.();
      };
    }
    display(event);
    if (event.type === 'figureEnd') {
      release?.();
      release = undefined;
    }
  };
}
