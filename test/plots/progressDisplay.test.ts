import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EpochMetrics, ProgressEvent } from '../../src/experiments/types';
import type { DisplayBundle } from '../../src/plots/display';
import { notebookProgress } from '../../src/plots/progressDisplay';
import { createProgressDisplay, renderProgressHtml, renderProgressText, replaceInterruptTrace } from '../../src/plots/progressDisplay';
import { type FigureProgress, initialProgress, reduceProgress } from '../../src/experiments/progress';
import { NotInKernelError } from '../../src/plots/display';

function metrics(epoch: number, trainLoss: number): EpochMetrics {
  return { epoch, classWeight: 1, seed: 0, variant: 'mlp', trainLoss, trainAccuracy: 1, wallTime: epoch };
}

const events: ProgressEvent[] = [
  { type: 'figureStart', figure: 'toy-gaussian', scale: 'smoke', runs: 4, reused: 1 },
  { type: 'runStart', runId: 'r1', label: 'mlp w=16', epochs: 10, startEpoch: 0 },
  { type: 'runStart', runId: 'r2', label: 'mlp w=1/16 <b>', epochs: 10, startEpoch: 3 },
  { type: 'epochEnd', runId: 'r1', epoch: 5, epochs: 10, metrics: metrics(5, 0.25) },
  { type: 'runEnd', runId: 'r2', status: 'failed', error: 'diverged at epoch 4' },
];

/** Folds events into a state, the i-th at `times[i]` (default 1000 * i) milliseconds. */
function fold(list: readonly ProgressEvent[], times?: readonly number[], state: FigureProgress = initialProgress()): FigureProgress {
  return list.reduce((current, event, index) => reduceProgress(current, event, times?.[index] ?? 1000 * index), state);
}

test('the state counts reused, finished and failed runs and keeps a row per active run', () => {
  let state = fold(events);
  const text = renderProgressText(state, 4000);
  assert.match(text, /^toy-gaussian \(smoke\): 2\/4 runs finished, 1 reused, 1 failed, 4\.0 s$/m);
  assert.match(text, /mlp w=16 +\[#{10}\.{10}\] epoch 5\/10 +3\.0s +loss 0\.250/, "the run's own time: 3 s since its start at 1 s");
  assert.ok(!text.includes('w=1/16 <b>  ['));
  assert.match(text, /! mlp w=1\/16 <b>: diverged at epoch 4/);
  const html = renderProgressHtml(state, 4000);
  assert.ok(html.includes('mlp w=1/16 &lt;b&gt;: diverged'));
  assert.ok(html.includes('<progress max="10" value="5"'));
  state = reduceProgress(state, { type: 'runEnd', runId: 'r1', status: 'done' }, 5000);
  state = reduceProgress(state, { type: 'figureEnd', figure: 'toy-gaussian', seconds: 12.5 }, 6000);
  assert.match(renderProgressText(state, 9000), /^toy-gaussian \(smoke\): 3\/4 runs finished, 1 reused, 1 failed, 12\.5 s, done$/m);
});

test('reused runs announced with runEnd are not counted twice', () => {
  const state = fold([
    { type: 'figureStart', figure: 'f', scale: 'quick', runs: 2, reused: 2 },
    { type: 'runEnd', runId: 'a', status: 'reused' },
    { type: 'runEnd', runId: 'b', status: 'reused' },
  ]);
  assert.match(renderProgressText(state, 0), /2\/2 runs finished/);
});

test('the display is created once, then updated in place under one display id, throttled with a trailing update', () => {
  const sent: { bundle: DisplayBundle; update: boolean }[] = [];
  const timers: { callback: () => void; ms: number }[] = [];
  let clock = 0;
  const listener = createProgressDisplay({
    write: (bundle, update) => sent.push({ bundle, update }),
    now: () => clock,
    setTimer: (callback, ms) => timers.push({ callback, ms }),
    clearTimer: () => timers.splice(0),
  });
  listener(events[0]!);
  assert.equal(sent.length, 1);
  clock = 10;
  listener(events[1]!);
  listener(events[2]!);
  assert.equal(sent.length, 1, 'updates within the throttle interval wait');
  assert.equal(timers.length, 1, 'one trailing update is scheduled for the burst');
  assert.ok(timers[0]!.ms > 0 && timers[0]!.ms <= 250);
  clock = 300;
  timers.shift()!.callback();
  assert.equal(sent.length, 2);
  assert.match(sent[1]!.bundle.data['text/plain'] as string, /w=1\/16/);
  clock = 310;
  listener({ type: 'figureEnd', figure: 'toy-gaussian', seconds: 1 });
  assert.equal(sent.length, 3, 'the end of the figure is shown at once');
  assert.deepEqual(sent.map((entry) => entry.update), [false, true, true]);
  const ids = new Set(sent.map((entry) => entry.bundle.transient.display_id));
  assert.equal(ids.size, 1);
  assert.ok([...ids][0]);
});

test('notebookProgress outside a kernel fails clearly', () => {
  assert.throws(() => notebookProgress(), NotInKernelError);
});

test('the reducer is pure: folding an event leaves the state it was given unchanged', () => {
  const before = fold(events.slice(0, 3));
  const snapshot = renderProgressText(before, 3000);
  reduceProgress(before, events[3]!, 3000);
  reduceProgress(before, { type: 'runEnd', runId: 'r1', status: 'done' }, 3000);
  assert.equal(renderProgressText(before, 3000), snapshot);
});

test('a run is counted finished the moment its runEnd arrives, not when the figure ends', () => {
  const state = fold([
    { type: 'figureStart', figure: 'f', scale: 'smoke', runs: 3, reused: 0, epochs: 6 },
    { type: 'runStart', runId: 'a', label: 'a', epochs: 2, startEpoch: 0 },
    { type: 'epochEnd', runId: 'a', epoch: 1, epochs: 2, metrics: metrics(1, 0.5) },
    { type: 'epochEnd', runId: 'a', epoch: 2, epochs: 2, metrics: metrics(2, 0.5) },
    { type: 'runEnd', runId: 'a', status: 'done' },
  ]);
  assert.match(renderProgressText(state, 5000), /^f \(smoke\): 1\/3 runs finished/);
});

test('no ETA until a run has timed an epoch after its first; then epochs left x seconds per epoch over the runs side by side', () => {
  // Two runs of 10 epochs side by side, 20 epochs to train. The first epoch of each takes 30 s (start-up),
  // the next ones 2 s: a rate over the figure's time would say 30 s per epoch; the measured one says 2 s.
  const start: ProgressEvent[] = [
    { type: 'figureStart', figure: 'f', scale: 'quick', runs: 2, reused: 0, epochs: 20 },
    { type: 'runStart', runId: 'a', label: 'a', epochs: 10, startEpoch: 0 },
    { type: 'runStart', runId: 'b', label: 'b', epochs: 10, startEpoch: 0 },
    { type: 'epochEnd', runId: 'a', epoch: 1, epochs: 10, metrics: metrics(1, 0.5) },
    { type: 'epochEnd', runId: 'b', epoch: 1, epochs: 10, metrics: metrics(1, 0.5) },
  ];
  const early = fold(start, [0, 0, 0, 30_000, 30_000]);
  assert.match(renderProgressText(early, 30_000), /ETA after the first epochs/);
  const later = fold(
    [
      { type: 'epochEnd', runId: 'a', epoch: 2, epochs: 10, metrics: metrics(2, 0.5) },
      { type: 'epochEnd', runId: 'b', epoch: 2, epochs: 10, metrics: metrics(2, 0.5) },
    ],
    [32_000, 32_000],
    early,
  );
  // 16 epochs left x 2 s / 2 runs = 16 s.
  assert.match(renderProgressText(later, 32_000), /ETA 16s/);
  assert.match(renderProgressText(later, 32_000), /a +\[#{4}\.{16}\] epoch 2\/10 +32s, 2\.0s\/epoch/);
});

test('an interrupted figure says where each run stopped and how to resume, not "done"', () => {
  const state = fold([
    { type: 'figureStart', figure: 'f', scale: 'quick', runs: 2, reused: 1, epochs: 10 },
    { type: 'runStart', runId: 'a', label: 'a', epochs: 10, startEpoch: 0 },
    { type: 'epochEnd', runId: 'a', epoch: 3, epochs: 10, metrics: metrics(3, 0.5) },
    { type: 'runEnd', runId: 'a', status: 'stopped' },
    { type: 'figureEnd', figure: 'f', seconds: 4 },
  ]);
  const text = renderProgressText(state, 5000);
  assert.match(text, /^f \(quick\): stopped at epoch 3 of 10; run the cell again to resume \(1\/2 runs finished\)$/m);
  assert.ok(!/done/.test(text));
});

test("tslab's interrupt error prints as one line while a figure trains; other output passes through", () => {
  const written: string[] = [];
  const target = { write: (chunk: string | Uint8Array) => written.push(String(chunk)) > 0 };
  const restore = replaceInterruptTrace(target);
  target.write('Error: Interrupted asynchronously\n    at createExecutor (/x/tslab/dist/executor.js:87:23)\n    at Object.startKernel (/x/main.js:86:52)\n');
  target.write('something else\n');
  restore();
  target.write('Error: Interrupted asynchronously\n    at createExecutor\n');
  assert.equal(written.length, 3);
  assert.equal(written[0], 'Interrupted: each run stops after its current step and keeps its epochs; the progress above says where.\n');
  assert.equal(written[1], 'something else\n');
  assert.match(written[2]!, /^Error: Interrupted asynchronously\n {4}at /, 'restored');
});

test('a figure interrupted by SIGINT (a kernel interrupt) ends its display with where it stopped and how to resume', async () => {
  const { runFigure } = await import('../../src/experiments/runFigure');
  const { killFigure, tempStore } = await import('../experiments/tinyFigure');
  const sent: DisplayBundle[] = [];
  const display = createProgressDisplay({ write: (bundle) => sent.push(bundle) });
  const keepAlive = () => undefined; // the kernel's own SIGINT listener (tslab's), so a signal never exits
  process.on('SIGINT', keepAlive);
  try {
    const result = await runFigure(killFigure(100_000), {
      scale: 'smoke',
      store: tempStore(),
      workers: 1,
      onProgress: (event) => {
        display(event);
        if (event.type === 'epochEnd' && event.epoch === 3) process.kill(process.pid, 'SIGINT');
      },
    });
    assert.ok(result.runs.every((run) => run.status === 'stopped'));
  } finally {
    process.off('SIGINT', keepAlive);
  }
  const last = sent.at(-1)!.data['text/plain'] as string;
  assert.match(last, /^tiny \(smoke\): stopped at epoch \d+ of 100000; run the cell again to resume \(0\/2 runs finished\)$/m);
});
