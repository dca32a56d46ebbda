/**
 * A small terminal progress display with no dependency: one or more labelled bars showing
 * current/total, rate and ETA. On a TTY the block of bars is redrawn in place; elsewhere (CI logs,
 * pipes, notebooks' captured stderr) each bar prints a plain line at its start, every few seconds,
 * and when it ends, so logs stay readable. Used for downloads (unit 'bytes'); training progress has its
 * own reducer (src/experiments/progress.ts) and shares the formatting helpers below.
 */

/** Where bars are drawn: process.stderr by default; anything with write() works (tests pass a collector). */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressBarsOptions {
  stream?: ProgressStream;
  /** Milliseconds between redraws on a TTY (default 100). */
  redrawIntervalMs?: number;
  /** Milliseconds between plain lines per bar when not a TTY (default 5000). */
  lineIntervalMs?: number;
  /** Clock in milliseconds; tests pass their own to get exact rates and ETAs. */
  now?: () => number;
  /** Cells in the bar itself (default 24). */
  barWidth?: number;
}

export interface ProgressBarOptions {
  /** Expected final value; undefined when unknown (no percentage, no ETA). */
  total?: number;
  /** Value already reached at start (a resumed download); the rate counts only what follows. */
  current?: number;
  /** 'bytes' prints KiB/MiB/GiB; any other word is printed after the counts ('epochs', 'runs'). */
  unit?: string;
}

type BarState = 'running' | 'done' | 'failed';

export class ProgressBar {
  readonly label: string;
  total: number | undefined;
  current: number;
  readonly unit: string;
  state: BarState = 'running';
  message = '';
  readonly startValue: number;
  readonly startTime: number;
  endTime: number | undefined;
  /** When this bar last printed a plain line (non-TTY mode). */
  lastLineTime = -Infinity;

  constructor(
    private readonly owner: ProgressBars,
    label: string,
    options: ProgressBarOptions,
    now: number,
  ) {
    this.label = label;
    this.total = options.total;
    this.current = options.current ?? 0;
    this.unit = options.unit ?? '';
    this.startValue = this.current;
    this.startTime = now;
  }

  /** Sets the current value (and optionally a total learnt late, e.g. from a Content-Length). */
  update(current: number, total?: number): void {
    this.current = current;
    if (total !== undefined) this.total = total;
    this.owner.changed(this, false);
  }

  increment(amount = 1): void {
    this.update(this.current + amount);
  }

  /** Marks the bar complete; an optional message replaces the rate (e.g. 'verified'). */
  finish(message = ''): void {
    this.settle('done', message);
  }

  /** Marks the bar failed; it stays on screen with the message. */
  fail(message: string): void {
    this.settle('failed', message);
  }

  /** Units per second since the bar started, counting only progress made after the start value. */
  rate(now: number): number {
    const seconds = ((this.endTime ?? now) - this.startTime) / 1000;
    return seconds > 0 ? (this.current - this.startValue) / seconds : 0;
  }

  /** Seconds left at the current rate; undefined when the total or the rate is unknown. */
  eta(now: number): number | undefined {
    const rate = this.rate(now);
    if (this.total === undefined || rate <= 0) return undefined;
    return Math.max(0, (this.total - this.current) / rate);
  }

  private settle(state: BarState, message: string): void {
    if (this.state !== 'running') return;
    this.state = state;
    this.message = message;
    this.endTime = this.owner.now();
    this.owner.changed(this, true);
  }
}

/** A set of bars drawn together. Create one per task (a download of several files, a figure's runs). */
export class ProgressBars {
  readonly bars: ProgressBar[] = [];
  private readonly stream: ProgressStream;
  private readonly isTTY: boolean;
  private readonly redrawIntervalMs: number;
  private readonly lineIntervalMs: number;
  private readonly barWidth: number;
  readonly now: () => number;
  private linesOnScreen = 0;
  private lastRedraw = -Infinity;

  constructor(options: ProgressBarsOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.isTTY = this.stream.isTTY === true;
    this.redrawIntervalMs = options.redrawIntervalMs ?? 100;
    this.lineIntervalMs = options.lineIntervalMs ?? 5000;
    this.barWidth = options.barWidth ?? 24;
    this.now = options.now ?? (() => performance.now());
  }

  add(label: string, options: ProgressBarOptions = {}): ProgressBar {
    const bar = new ProgressBar(this, label, options, this.now());
    this.bars.push(bar);
    this.changed(bar, true);
    return bar;
  }

  /** Called by a bar when it moves; throttles output. `force` draws now (start, finish, fail). */
  changed(bar: ProgressBar, force: boolean): void {
    const now = this.now();
    if (this.isTTY) {
      if (!force && now - this.lastRedraw < this.redrawIntervalMs) return;
      this.lastRedraw = now;
      this.redraw(now);
    } else {
      if (!force && now - bar.lastLineTime < this.lineIntervalMs) return;
      bar.lastLineTime = now;
      this.stream.write(this.formatLine(bar, now) + '\n');
    }
  }

  /** One bar as text: `label [#####-----]  45%  12.3/27.0 MiB  3.2 MiB/s  ETA 5s`. */
  formatLine(bar: ProgressBar, now = this.now()): string {
    const parts = [bar.label];
    const { total, current } = bar;
    if (total !== undefined && total > 0) {
      const ratio = Math.min(1, Math.max(0, current / total));
      parts.push(`[${formatBar(ratio, this.barWidth)}]`, `${(ratio * 100).toFixed(0).padStart(3)}%`);
    }
    parts.push(formatCounts(current, total, bar.unit));
    if (bar.state === 'running') {
      const rate = bar.rate(now);
      if (rate > 0) parts.push(`${formatAmount(rate, bar.unit)}/s`);
      const eta = bar.eta(now);
      if (eta !== undefined) parts.push(`ETA ${formatDuration(eta)}`);
    } else {
      const seconds = ((bar.endTime ?? now) - bar.startTime) / 1000;
      parts.push(bar.state === 'done' ? `done in ${formatDuration(seconds)}` : 'FAILED');
      if (bar.message !== '') parts.push(bar.message);
    }
    return parts.join('  ');
  }

  private redraw(now: number): void {
    // A pseudo-terminal may report 0 columns; fall back to a common width then.
    const columns = (this.stream.columns ?? 0) > 0 ? this.stream.columns! : 100;
    let out = this.linesOnScreen > 0 ? `\x1b[${this.linesOnScreen}A` : '';
    for (const bar of this.bars) out += `\r\x1b[2K${truncate(this.formatLine(bar, now), columns - 1)}\n`;
    this.linesOnScreen = this.bars.length;
    this.stream.write(out);
  }
}

/** The cells of a bar `fraction` full: `#####-----`. Shared by the download bars and both training renderers. */
export function formatBar(fraction: number, width: number, full = '#', empty = '-'): string {
  const filled = Math.round(Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0)) * width);
  return full.repeat(filled) + empty.repeat(width - filled);
}

/** `12.3/27.0 MiB` for bytes, `3/10 epochs` otherwise. */
export function formatCounts(current: number, total: number | undefined, unit: string): string {
  if (unit === 'bytes') {
    return total === undefined ? formatBytes(current) : `${formatBytes(current, unitFor(total)).split(' ')[0]}/${formatBytes(total)}`;
  }
  const suffix = unit === '' ? '' : ` ${unit}`;
  return total === undefined ? `${current}${suffix}` : `${current}/${total}${suffix}`;
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

function unitFor(bytes: number): number {
  let index = 0;
  while (bytes >= 1024 && index < BYTE_UNITS.length - 1) {
    bytes /= 1024;
    index++;
  }
  return index;
}

/** Bytes in binary units: 1536 -> '1.5 KiB'. `unitIndex` forces a unit (to print 12.3/27.0 MiB). */
export function formatBytes(bytes: number, unitIndex = unitFor(bytes)): string {
  const value = bytes / 1024 ** unitIndex;
  return unitIndex === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${BYTE_UNITS[unitIndex]}`;
}

function formatAmount(amount: number, unit: string): string {
  if (unit === 'bytes') return formatBytes(amount);
  const value = amount >= 100 ? amount.toFixed(0) : amount >= 10 ? amount.toFixed(1) : amount.toFixed(2);
  return unit === '' ? value : `${value} ${unit}`;
}

/** 5 -> '5s', 95 -> '1m35s', 3725 -> '1h02m'. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  // Under a tenth of a second (a toy epoch) in milliseconds: "0.0s/epoch" would say nothing.
  if (seconds > 0 && seconds < 0.1) return seconds < 0.001 ? `${(seconds * 1000).toFixed(2)}ms` : `${Math.round(seconds * 1000)}ms`;
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole}s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

function truncate(line: string, width: number): string {
  return line.length <= width ? line : line.slice(0, Math.max(0, width - 1)) + '…';
}
