import { test } from 'node:test';
import assert from 'node:assert/strict';
import { terminalProgress } from '../../src/experiments/terminalProgress';
import type { EpochMetrics, ProgressEvent } from '../../src/experiments/types';

function collector(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns: 200, write: (chunk: string) => chunks.push(chunk) } };
}

const ESC = String.fromCharCode(27);

const line = (epoch: number): EpochMetrics => ({ epoch, classWeight: 4, seed: 0, variant: 'mlp', trainLoss: 0.5, trainAccuracy: 1, wallTime: epoch });

/** Two runs of 10 epochs, one resumed after epoch 4; one reused; 1 s per epoch on the fake clock. */
function play(listener: (event: ProgressEvent) => void, clock: { now: number }): void {
  const events: ProgressEvent[] = [
    { type: 'figureStart', figure: 'tiny', scale: 'smoke', runs: 3, reused: 1, epochs: 16 },
    { type: 'runEnd', runId: 'old', status: 'reused' },
    { type: 'runStart', runId: 'a', label: 'mlp, weight 4:1, seed 0', epochs: 10, startEpoch: 0 },
    { type: 'runStart', runId: 'b', label: 'mlp, weight 1:4, seed 0', epochs: 10, startEpoch: 4 },
  ];
  for (const event of events) listener(event);
  for (let epoch = 1; epoch <= 10; epoch++) {
    clock.now += 1000;
    listener({ type: 'epochEnd', runId: 'a', epoch, epochs: 10, metrics: line(epoch) });
    if (epoch + 4 <= 10) listener({ type: 'epochEnd', runId: 'b', epoch: epoch + 4, epochs: 10, metrics: line(epoch + 4) });
    if (epoch + 4 === 10) listener({ type: 'runEnd', runId: 'b', status: 'failed', error: 'Training diverged at epoch 11' });
  }
  listener({ type: 'runEnd', runId: 'a', status: 'done' });
  listener({ type: 'figureEnd', figure: 'tiny', seconds: 10 });
}

test('in a log (no TTY) each run prints its start and end, and the figure a summary', () => {
  const { chunks, stream } = collector(false);
  const clock = { now: 0 };
  play(terminalProgress({ stream, now: () => clock.now, lineIntervalMs: 5000 }), clock);
  const text = chunks.join('');
  assert.match(text, /^tiny \(smoke\): 3 runs, 1 reused from the result store\n/);
  assert.match(text, /start mlp, weight 1:4, seed 0 \(resumed after epoch 4\)/);
  assert.match(text, /mlp, weight 4:1, seed 0 .*10\/10 epochs +done in 10s/);
  // Each run's own time: run b trained from 0 s to 6 s, while the figure took 10 s.
  assert.match(text, /mlp, weight 1:4, seed 0 .*10\/10 epochs +FAILED after 6\.0s +Training diverged at epoch 11/);
  assert.match(text, /tiny \(smoke\): 3\/3 runs finished, 1 reused, 1 failed; finished in 10s\n$/);
  // Lines come every 5 s: at 1 s (run a's epoch 1) no run has timed an epoch after its first, so no ETA
  // yet; at 6 s both runs measure 1 s per epoch, 5 epochs are left over 2 runs side by side: 2.5 s.
  assert.match(text, /tiny \(smoke\): 1\/3 runs finished, 1 reused, 1\/16 epochs, ETA after the first epochs\n/);
  assert.match(text, /tiny \(smoke\): 1\/3 runs finished, 1 reused, 11\/16 epochs, ETA 2\.5s\n/);
  assert.match(text, / {2}mlp, weight 4:1, seed 0 .* 6\/10 epochs +1\.0s\/epoch +loss 0\.500\n/);
  assert.ok(!text.includes(`${ESC}[`), 'no escape codes in a log');
});

test('on a TTY the block is redrawn in place and ends as one summary line', () => {
  const { chunks, stream } = collector(true);
  const clock = { now: 0 };
  play(terminalProgress({ stream, now: () => clock.now }), clock);
  const last = chunks.at(-1)!;
  const cursorUp = new RegExp(`^${ESC}\\[\\d+A`);
  assert.match(last, cursorUp);
  assert.ok(last.endsWith(`\r${ESC}[Jtiny (smoke): 3/3 runs finished, 1 reused, 1 failed; finished in 10s\n`));
  assert.ok(chunks.some((chunk) => cursorUp.test(chunk) && chunk.includes('mlp, weight 4:1, seed 0')));
});

test('a run ending is counted at once, and a run stopped part-way says where it stopped', () => {
  const { chunks, stream } = collector(false);
  const clock = { now: 0 };
  const listener = terminalProgress({ stream, now: () => clock.now, lineIntervalMs: 0 });
  listener({ type: 'figureStart', figure: 'tiny', scale: 'smoke', runs: 2, reused: 0, epochs: 4 });
  listener({ type: 'runStart', runId: 'a', label: 'a', epochs: 2, startEpoch: 0 });
  listener({ type: 'runStart', runId: 'b', label: 'b', epochs: 2, startEpoch: 0 });
  clock.now = 1000;
  listener({ type: 'epochEnd', runId: 'a', epoch: 1, epochs: 2, metrics: line(1) });
  listener({ type: 'epochEnd', runId: 'a', epoch: 2, epochs: 2, metrics: line(2) });
  listener({ type: 'runEnd', runId: 'a', status: 'done' });
  listener({ type: 'epochEnd', runId: 'b', epoch: 1, epochs: 2, metrics: line(1) });
  listener({ type: 'runEnd', runId: 'b', status: 'stopped' });
  const text = chunks.join('');
  assert.match(text, /tiny \(smoke\): 1\/2 runs finished, 3\/4 epochs/);
  assert.match(text, /b {2}stopped after epoch 1\/2 \(a rerun resumes it\)/);
});

test('a note (the stop notice) goes above the live block on a TTY, and is a plain line in a log', () => {
  const tty = collector(true);
  const listener = terminalProgress({ stream: tty.stream, now: () => 0 });
  listener({ type: 'figureStart', figure: 'tiny', scale: 'smoke', runs: 1, reused: 0, epochs: 2 });
  listener({ type: 'runStart', runId: 'a', label: 'a', epochs: 2, startEpoch: 0 });
  listener.note('SIGINT: stopping');
  const last = tty.chunks.at(-1)!;
  assert.match(last, new RegExp(`^${ESC}\\[\\d+A\\r${ESC}\\[JSIGINT: stopping\\ntiny \\(smoke\\): 0/1 runs finished`), 'the block is rewritten below the note');
  const log = collector(false);
  terminalProgress({ stream: log.stream }).note('SIGINT: stopping');
  assert.deepEqual(log.chunks, ['SIGINT: stopping\n']);
});
