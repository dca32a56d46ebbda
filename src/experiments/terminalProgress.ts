/**
 * Training progress in a terminal: draws the state that reduceProgress (./progress.ts) folds from the
 * ProgressEvent stream. A headline (runs finished, epochs, a measured ETA) and a bar per active run.
 * On a TTY the block is redrawn in place and each run that ends leaves one permanent line above it;
 * elsewhere (logs, CI) plain lines are printed at a run's start and end and every few seconds. The
 * notebook renderer of the same state is src/plots/progressDisplay.ts.
 */
import { formatBar, formatDuration, type ProgressStream } from '../progressBar';
import { type FigureProgress, type RunProgress, activeRuns, epochsLeft, etaSeconds, finishedRuns, initialProgress, reduceProgress, runSeconds, secondsPerEpoch, stoppedCount } from './progress';
import type { ProgressEvent, ProgressListener } from './types';

export interface TerminalProgressOptions {
  /** Default process.stderr (stdout stays clean for --list and summaries). */
  stream?: ProgressStream;
  /** Milliseconds; tests pass their own clock. */
  now?: () => number;
  /** Minimum milliseconds between redraws on a TTY (default 100). */
  redrawIntervalMs?: number;
  /** Milliseconds between progress lines when not a TTY (default 10 s). */
  lineIntervalMs?: number;
  /** Active runs shown on a TTY before the rest are summarised (default 10). */
  maxRows?: number;
}

/** `tiny (smoke): 1/3 runs finished, 1 reused, 11/16 epochs, ETA 5s`. */
export function progressHeadline(state: FigureProgress, options: { withEta?: boolean } = {}): string {
  const parts = [`${state.figure ?? '?'} (${state.scale ?? '?'}): ${finishedRuns(state)}/${state.runs} runs finished`];
  if (state.reused > 0) parts.push(`${state.reused} reused`);
  if ((state.ended.failed ?? 0) > 0) parts.push(`${state.ended.failed} failed`);
  const stopped = stoppedCount(state);
  if (stopped > 0) parts.push(`${stopped} stopped (a rerun resumes ${stopped === 1 ? 'it' : 'them'})`);
  const left = epochsLeft(state);
  if (options.withEta !== false && state.epochsToTrain !== undefined && state.epochsToTrain > 0 && left !== undefined && state.seconds === undefined) {
    parts.push(`${state.epochsToTrain - left}/${state.epochsToTrain} epochs`);
    const eta = etaSeconds(state);
    parts.push(eta === undefined ? 'ETA after the first epochs' : `ETA ${formatDuration(eta)}`);
  }
  return parts.join(', ');
}

/** One run: `label [####------]  40%  4/10 epochs  0.52 s/epoch  loss 0.500`, or how it ended, with its own time. */
export function runLine(run: RunProgress, now: number, barWidth = 20): string {
  const total = Math.max(1, run.epochs);
  const parts = [run.label, `[${formatBar(run.epoch / total, barWidth, '#', '-')}]`, `${Math.round((100 * run.epoch) / total).toString().padStart(3)}%`, `${run.epoch}/${run.epochs} epochs`];
  if (run.status === undefined) {
    const perEpoch = secondsPerEpoch(run);
    if (perEpoch !== undefined) parts.push(`${formatDuration(perEpoch)}/epoch`);
    if (run.trainLoss !== undefined) parts.push(`loss ${run.trainLoss.toPrecision(3)}`);
  } else if (run.status === 'done') {
    parts.push(`done in ${formatDuration(runSeconds(run, now))}`);
  } else if (run.status === 'stopped' && run.error === undefined) {
    return `${run.label}  stopped after epoch ${run.epoch}/${run.epochs} (a rerun resumes it)`;
  } else {
    parts.push(`FAILED after ${formatDuration(runSeconds(run, now))}`, ...(run.error === undefined ? [] : [run.error]));
  }
  return parts.join('  ');
}

/** The listener, and a way to print a line above the live block without breaking it (a stop notice). */
export interface TerminalProgress extends ProgressListener {
  note(line: string): void;
}

export function terminalProgress(options: TerminalProgressOptions = {}): TerminalProgress {
  const stream = options.stream ?? process.stderr;
  const isTTY = stream.isTTY === true;
  const now = options.now ?? (() => performance.now());
  const redrawIntervalMs = options.redrawIntervalMs ?? 100;
  const lineIntervalMs = options.lineIntervalMs ?? 10_000;
  const maxRows = options.maxRows ?? 10;
  let state = initialProgress();
  let linesOnScreen = 0;
  let lastRedraw = -Infinity;
  let lastLines = -Infinity;

  const block = (time: number): string[] => {
    const rows = activeRuns(state);
    const lines = [progressHeadline(state)];
    for (const run of rows.slice(0, maxRows)) lines.push(`  ${runLine(run, time)}`);
    if (rows.length > maxRows) lines.push(`  ... and ${rows.length - maxRows} more runs`);
    return lines;
  };

  /** TTY: rewrites the block in place, with optional permanent lines printed above it first. */
  const redraw = (time: number, permanent: string[] = []) => {
    lastRedraw = time;
    // A pseudo-terminal may report 0 columns (as progressBar.ts notes): fall back to a common width.
    const columns = Math.max(20, ((stream.columns ?? 0) > 0 ? stream.columns! : 100) - 1);
    let out = linesOnScreen > 0 ? `\x1b[${linesOnScreen}A\r\x1b[J` : '';
    for (const line of permanent) out += line + '\n';
    const lines = block(time).map((line) => (line.length > columns ? line.slice(0, columns - 1) + '…' : line));
    out += lines.map((line) => line + '\n').join('');
    linesOnScreen = lines.length;
    stream.write(out);
  };

  const print = (line: string) => stream.write(line + '\n');

  const listener = (event: ProgressEvent) => {
    const time = now();
    state = reduceProgress(state, event, time);
    switch (event.type) {
      case 'figureStart': {
        const reused = event.reused > 0 ? `, ${event.reused} reused from the result store` : '';
        const line = `${event.figure} (${event.scale}): ${event.runs} runs${reused}`;
        if (isTTY) redraw(time, [line]);
        else print(line);
        break;
      }
      case 'runStart': {
        const from = event.startEpoch > 0 ? ` (resumed after epoch ${event.startEpoch})` : '';
        if (isTTY) redraw(time);
        else print(`start ${event.label}${from}`);
        break;
      }
      case 'epochEnd':
        if (isTTY) {
          if (time - lastRedraw >= redrawIntervalMs) redraw(time);
        } else if (time - lastLines >= lineIntervalMs) {
          // Every few seconds: each active run and the headline, one line each.
          lastLines = time;
          for (const run of activeRuns(state)) print(`  ${runLine(run, time)}`);
          print(progressHeadline(state));
        }
        break;
      case 'runEnd': {
        if (event.status === 'reused') break; // announced in bulk at figureStart
        const run = state.trained.get(event.runId);
        if (run === undefined) break; // stopped while queued: the summary counts it
        const line = run.epochs === 0 ? `${event.runId}  ${event.status.toUpperCase()}${event.error ? `  ${event.error}` : ''}` : runLine(run, time);
        if (isTTY) redraw(time, [line]);
        else print(line);
        break;
      }
      case 'figureEnd': {
        const summary = `${progressHeadline(state, { withEta: false })}; finished in ${formatDuration(event.seconds)}`;
        if (isTTY) {
          // Replace the live block with the summary alone.
          stream.write(`${linesOnScreen > 0 ? `\x1b[${linesOnScreen}A\r\x1b[J` : ''}${summary}\n`);
          linesOnScreen = 0;
        } else print(summary);
        break;
      }
    }
  };
  const note = (line: string) => {
    if (isTTY && linesOnScreen > 0) redraw(now(), [line]);
    else print(line);
  };
  return Object.assign(listener, { note });
}
