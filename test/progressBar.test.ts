import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressBars, formatBytes, formatCounts, formatDuration } from '../src/progressBar';

/** A terminal stand-in that keeps what was written, and a clock the test moves by hand. */
function setup(isTTY: boolean, options: { lineIntervalMs?: number; redrawIntervalMs?: number } = {}) {
  const writes: string[] = [];
  let now = 0;
  const bars = new ProgressBars({ stream: { write: (chunk: string) => writes.push(chunk), isTTY, columns: 200 }, now: () => now, barWidth: 10, ...options });
  return { bars, writes, tick: (ms: number) => (now += ms) };
}

test('a bar shows fill, percent, counts, rate and ETA from its own clock', () => {
  const { bars, tick } = setup(false);
  const bar = bars.add('cnn dog:cat 16:1', { total: 100, unit: 'epochs' });
  tick(10_000);
  bar.update(50);
  // 50 epochs in 10 s: 5 per second, 50 left, so 10 s to go.
  assert.equal(bars.formatLine(bar), 'cnn dog:cat 16:1  [#####-----]   50%  50/100 epochs  5.00 epochs/s  ETA 10s');
});

test('without a TTY, a bar prints at its start, then at most once per interval, and when it finishes', () => {
  const { bars, writes, tick } = setup(false, { lineIntervalMs: 5000 });
  const bar = bars.add('download', { total: 4, unit: 'files' });
  assert.equal(writes.length, 1);
  tick(1000);
  bar.increment();
  tick(1000);
  bar.increment();
  assert.equal(writes.length, 1, 'updates inside the interval stay quiet');
  tick(4000);
  bar.increment();
  assert.equal(writes.length, 2);
  tick(1000);
  bar.finish('verified');
  assert.equal(writes.length, 3);
  assert.equal(writes[2], 'download  [########--]   75%  3/4 files  done in 7.0s  verified\n');
  assert.ok(writes.every((line) => !line.includes('\x1b')), 'no escape codes in logs');
  bar.update(4);
  bar.finish();
  assert.equal(writes.length, 3, 'a finished bar stays finished');
});

test('on a TTY the whole block of bars is redrawn in place', () => {
  const { bars, writes, tick } = setup(true, { redrawIntervalMs: 100 });
  const a = bars.add('a', { total: 10 });
  const b = bars.add('b', { total: 10 });
  tick(200);
  a.update(5);
  const last = writes.at(-1)!;
  assert.ok(last.startsWith('\x1b[2A'), 'moves up over the two bars drawn before');
  assert.equal(last.split('\n').length - 1, 2, 'redraws both lines');
  assert.ok(last.includes('\r\x1b[2Ka  [#####-----]'), 'clears each line before drawing it');
  const count = writes.length;
  tick(10);
  b.update(1);
  assert.equal(writes.length, count, 'redraws are throttled');
  b.fail('network down');
  assert.match(writes.at(-1)!, /b .*FAILED {2}network down/);
});

test('a resumed bar counts only new progress in its rate', () => {
  const { bars, tick } = setup(false);
  const bar = bars.add('file', { total: 4096, current: 2048, unit: 'bytes' });
  tick(2000);
  bar.update(3072);
  assert.equal(bar.rate(2000), 512);
  assert.equal(bar.eta(2000), 2);
  assert.match(bars.formatLine(bar), /3\.0\/4\.0 KiB {2}512 B\/s {2}ETA 2\.0s/);
});

test('a bar without a total shows counts only', () => {
  const { bars } = setup(false);
  const bar = bars.add('scan', { unit: 'bytes' });
  bar.update(1536);
  assert.equal(bars.formatLine(bar), 'scan  1.5 KiB');
  assert.equal(bar.eta(0), undefined);
});

test('units and durations format for people', () => {
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(175.8 * 1024 * 1024), '175.8 MiB');
  assert.equal(formatCounts(12 * 1024 * 1024, 170 * 1024 * 1024, 'bytes'), '12.0/170.0 MiB');
  assert.equal(formatCounts(3, 10, 'runs'), '3/10 runs');
  assert.equal(formatDuration(4.25), '4.3s');
  assert.equal(formatDuration(0.0042), '4ms', 'a toy epoch in milliseconds, not 0.0s');
  assert.equal(formatDuration(0.00042), '0.42ms');
  assert.equal(formatDuration(0), '0.0s');
  assert.equal(formatDuration(95), '1m35s');
  assert.equal(formatDuration(3725), '1h02m');
});

test('a terminal reporting 0 columns still gets whole lines; long ones are cut to the width', () => {
  const writes: string[] = [];
  const narrow = new ProgressBars({ stream: { write: (chunk: string) => writes.push(chunk), isTTY: true, columns: 0 } });
  narrow.add('label', { total: 10 });
  assert.ok(writes[0]!.includes('label  ['));
  const tiny = new ProgressBars({ stream: { write: (chunk: string) => writes.push(chunk), isTTY: true, columns: 12 } });
  tiny.add('a long label', { total: 10 });
  // 12 columns: 11 characters, the last an ellipsis, so the cursor never wraps onto a new line.
  assert.equal(writes.at(-1), '\r\x1b[2Ka long lab…\n');
});
