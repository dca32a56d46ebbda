import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EpochMetrics, ProgressEvent } from '../../src/experiments/types';
import type { DisplayBundle } from '../../src/plots/display';
import { notebookProgress } from '../../src/plots/progressDisplay';
import { applyProgress, createProgressDisplay, emptyProgress, renderProgressHtml, renderProgressText } from '../../src/plots/progressDisplay';
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

test('the state counts reused, finished and failed runs and keeps a row per active run', () => {
  const state = emptyProgress();
  events.forEach((event, index) => applyProgress(state, event, 1000 * index));
  const text = renderProgressText(state, 4000);
  assert.match(text, /^toy-gaussian \(smoke\): 2\/4 runs finished, 1 reused, 1 failed or stopped, 4\.0 s$/m);
  assert.match(text, /mlp w=16 +\[#{10}\.{10}\] epoch 5\/10 +loss 0\.250/);
  assert.ok(!text.includes('w=1/16 <b>  ['));
  assert.match(text, /! mlp w=1\/16 <b>: diverged at epoch 4/);
  const html = renderProgressHtml(state, 4000);
  assert.ok(html.includes('mlp w=1/16 &lt;b&gt;: diverged'));
  assert.ok(html.includes('<progress max="10" value="5"'));
  applyProgress(state, { type: 'runEnd', runId: 'r1', status: 'done' }, 5000);
  applyProgress(state, { type: 'figureEnd', figure: 'toy-gaussian', seconds: 12.5 }, 6000);
  assert.match(renderProgressText(state, 9000), /^toy-gaussian \(smoke\): 3\/4 runs finished, 1 reused, 1 failed or stopped, 12\.5 s, done$/m);
});

test('reused runs announced with runEnd are not counted twice', () => {
  const state = emptyProgress();
  applyProgress(state, { type: 'figureStart', figure: 'f', scale: 'quick', runs: 2, reused: 2 }, 0);
  applyProgress(state, { type: 'runEnd', runId: 'a', status: 'reused' }, 0);
  applyProgress(state, { type: 'runEnd', runId: 'b', status: 'reused' }, 0);
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
