/**
 * Training progress in a terminal, read from the ProgressEvent stream: a bar per active run and an
 * overall bar (epochs over all runs) with an ETA. On a TTY the block is redrawn in place and each run
 * that ends leaves one permanent line above it; elsewhere (logs, CI) plain lines are printed at a run's
 * start and end and every few seconds. The notebook's counterpart is src/plots/progressDisplay.ts.
 */
import { type ProgressBar, ProgressBars, type ProgressStream, formatDuration } from '../progressBar';
import type { ProgressEvent, ProgressListener, RunStatus } from './types';

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

interface ActiveRun {
  label: string;
  bar: ProgressBar;
  lastLine: number;
}

export function terminalProgress(options: TerminalProgressOptions = {}): ProgressListener {
  const stream = options.stream ?? process.stderr;
  const isTTY = stream.isTTY === true;
  const now = options.now ?? (() => performance.now());
  const redrawIntervalMs = options.redrawIntervalMs ?? 100;
  const lineIntervalMs = options.lineIntervalMs ?? 10_000;
  const maxRows = options.maxRows ?? 10;
  // The generic bars do the arithmetic (rate, ETA, formatting); this renderer decides what is on screen.
  const bars = new ProgressBars({ stream: { write: () => true }, now, barWidth: 20 });
  const active = new Map<string, ActiveRun>();
  const ended: Partial<Record<RunStatus | 'reused', number>> = {};
  let overall: ProgressBar | undefined;
  let figure = '';
  let totalRuns = 0;
  let linesOnScreen = 0;
  let lastRedraw = -Infinity;
  let lastOverallLine = -Infinity;

  const headline = (withBar = true): string => {
    const finished = Object.values(ended).reduce((a, b) => a + (b ?? 0), 0);
    const parts = [`${figure}: ${finished}/${totalRuns} runs`];
    if (ended.reused) parts.push(`${ended.reused} reused`);
    const failed = (ended.failed ?? 0) + (ended.stopped ?? 0);
    if (failed > 0) parts.push(`${failed} failed or stopped`);
    return overall && withBar ? `${parts.join(', ')}  ${bars.formatLine(overall, now())}` : parts.join(', ');
  };

  const block = (time: number): string[] => {
    const rows = [...active.values()];
    const lines = [headline()];
    for (const run of rows.slice(0, maxRows)) lines.push(`  ${bars.formatLine(run.bar, time)}`);
    if (rows.length > maxRows) lines.push(`  ... and ${rows.length - maxRows} more runs`);
    return lines;
  };

  /** TTY: rewrites the block in place, with optional permanent lines printed above it first. */
  const redraw = (permanent: string[] = []) => {
    const time = now();
    lastRedraw = time;
    const columns = Math.max(20, (stream.columns ?? 100) - 1);
    let out = linesOnScreen > 0 ? `\x1b[${linesOnScreen}A\r\x1b[J` : '';
    for (const line of permanent) out += line + '\n';
    const lines = block(time).map((line) => (line.length > columns ? line.slice(0, columns - 1) + '…' : line));
    out += lines.map((line) => line + '\n').join('');
    linesOnScreen = lines.length;
    stream.write(out);
  };

  const print = (line: string) => stream.write(line + '\n');

  return (event: ProgressEvent) => {
    const time = now();
    switch (event.type) {
      case 'figureStart': {
        figure = `${event.figure} (${event.scale})`;
        totalRuns = event.runs;
        overall = event.runs > event.reused ? bars.add('all runs', { total: event.epochs, unit: 'epochs' }) : undefined;
        const reused = event.reused > 0 ? `, ${event.reused} reused from the result store` : '';
        if (isTTY) redraw([`${figure}: ${event.runs} runs${reused}`]);
        else print(`${figure}: ${event.runs} runs${reused}`);
        break;
      }
      case 'runStart': {
        const bar = bars.add(event.label, { total: event.epochs, current: event.startEpoch, unit: 'epochs' });
        active.set(event.runId, { label: event.label, bar, lastLine: time });
        const from = event.startEpoch > 0 ? ` (resumed after epoch ${event.startEpoch})` : '';
        if (isTTY) redraw();
        else print(`start ${event.label}${from}`);
        break;
      }
      case 'epochEnd': {
        const run = active.get(event.runId);
        run?.bar.update(event.epoch);
        overall?.increment();
        if (isTTY) {
          if (time - lastRedraw >= redrawIntervalMs) redraw();
        } else {
          if (run && time - run.lastLine >= lineIntervalMs) {
            run.lastLine = time;
            print(`  ${bars.formatLine(run.bar, time)}  loss ${event.metrics.trainLoss.toPrecision(3)}`);
          }
          if (overall && time - lastOverallLine >= lineIntervalMs) {
            lastOverallLine = time;
            print(headline());
          }
        }
        break;
      }
      case 'runEnd': {
        ended[event.status] = (ended[event.status] ?? 0) + 1;
        if (event.status === 'reused') break; // announced in bulk at figureStart
        const run = active.get(event.runId);
        active.delete(event.runId);
        const label = run?.label ?? event.runId;
        if (!run && event.status === 'stopped' && event.error === undefined) break; // never started: the summary counts it
        let line: string;
        if (run && event.status === 'stopped' && event.error === undefined) {
          run.bar.fail('stopped');
          line = `${label}  stopped after epoch ${run.bar.current}/${run.bar.total ?? '?'} (a rerun resumes it)`;
        } else if (run) {
          if (event.status === 'done') run.bar.finish();
          else run.bar.fail(event.error ?? event.status);
          line = bars.formatLine(run.bar, time); // ends in "done in 3.2s" or "FAILED <reason>"
        } else {
          line = `${label}  ${event.status.toUpperCase()}${event.error ? `  ${event.error}` : ''}`;
        }
        if (isTTY) redraw([line]);
        else print(line);
        break;
      }
      case 'figureEnd': {
        active.clear();
        const summary = `${headline(false)}; finished in ${formatDuration(event.seconds)}`;
        overall = undefined;
        if (isTTY) {
          redraw();
          // Replace the live block with the summary alone.
          stream.write(`\x1b[${linesOnScreen}A\r\x1b[J${summary}\n`);
          linesOnScreen = 0;
        } else print(summary);
        break;
      }
    }
  };
}
