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
  assert.match(text, /mlp, weight 1:4, seed 0 .*10\/10 epochs +FAILED +Training diverged at epoch 11/);
  assert.match(text, /tiny \(smoke\): 3\/3 runs, 1 reused, 1 failed or stopped; finished in 10s\n$/);
  // The overall bar counts the 16 epochs left to train. Lines come every 5 s: at 1 s (run a's epoch 1),
  // then at 6 s after run a's epoch 6: 6 + 5 (run b, epochs 5-9) = 11 epochs, 11/6 per second, 5 left.
  assert.match(text, /all runs .* 1\/16 epochs +1\.00 epochs\/s +ETA 15s\n/);
  assert.match(text, /all runs .* 11\/16 epochs +1\.83 epochs\/s +ETA 2\.7s\n/);
  assert.ok(!text.includes(`${ESC}[`), 'no escape codes in a log');
});

test('on a TTY the block is redrawn in place and ends as one summary line', () => {
  const { chunks, stream } = collector(true);
  const clock = { now: 0 };
  play(terminalProgress({ stream, now: () => clock.now }), clock);
  const last = chunks.at(-1)!;
  const cursorUp = new RegExp(`^${ESC}\\[\\d+A`);
  assert.match(last, cursorUp);
  assert.ok(last.endsWith(`\r${ESC}[Jtiny (smoke): 3/3 runs, 1 reused, 1 failed or stopped; finished in 10s\n`));
  assert.ok(chunks.some((chunk) => cursorUp.test(chunk) && chunk.includes('mlp, weight 4:1, seed 0')));
});
