/**
 * The store never builds on damage (issue 16, item 1): a torn metrics tail, a finished run that lost
 * metrics lines, and a damaged checkpoint, each met by a rerun of the figure with the real trainer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { expandRuns } from '../../src/experiments/expand';
import type { ResultStore } from '../../src/experiments/resultStore';
import { runFigure } from '../../src/experiments/runFigure';
import { runId } from '../../src/experiments/runId';
import { loadStoredFigure } from '../../src/experiments/storedFigure';
import type { FigureResult, ProgressEvent } from '../../src/experiments/types';
import { figureNumbers, tempStore, tinyFigure } from './tinyFigure';

// One seed, two weights, 6 epochs: two runs of a fraction of a second each.
const spec = tinyFigure({ seeds: 1 });
const [firstConfig] = expandRuns(spec, 'smoke');
const firstId = runId(firstConfig!);

async function train(store: ResultStore, events: ProgressEvent[] = []): Promise<FigureResult> {
  return runFigure(spec, { scale: 'smoke', store, workers: 1, checkpointEverySeconds: 0, stopOnSigint: false, onProgress: (event) => events.push(event) });
}

/** Trains the first run to epoch 3 and stops (checkpoint at 3), as a kill or Ctrl-C would leave it. */
async function trainPartway(store: ResultStore): Promise<void> {
  const controller = new AbortController();
  await runFigure(spec, {
    scale: 'smoke',
    store,
    workers: 1,
    checkpointEverySeconds: 0,
    stopOnSigint: false,
    signal: controller.signal,
    onProgress: (event) => {
      if (event.type === 'epochEnd' && event.epoch === 3) controller.abort();
    },
  });
  assert.equal(store.run(spec.id, firstId).readCheckpointHeader()?.epoch, 3);
}

let reference: Record<string, unknown> | undefined;
async function uninterrupted(): Promise<Record<string, unknown>> {
  reference ??= figureNumbers(await train(tempStore()));
  return reference;
}

test('a torn last metrics line is cut back before resuming: the run ends with the numbers of an uninterrupted one, and reruns read it', async () => {
  const store = tempStore();
  await trainPartway(store);
  const run = store.run(spec.id, firstId);
  fs.appendFileSync(run.metricsPath, '{"epoch":4,"classWeight":0.25,"se'); // a crash mid-append
  const resumed = await train(store);
  assert.deepEqual(figureNumbers(resumed), await uninterrupted());
  assert.deepEqual(run.readMetrics().map((line) => line.epoch), [1, 2, 3, 4, 5, 6]);
  const reused = await train(store); // today: "line 4 is not JSON"
  assert.deepEqual(figureNumbers(reused), await uninterrupted());
});

test('a finished run whose metrics lost lines is trained again, not reused, and says why', async () => {
  const store = tempStore();
  await train(store);
  const run = store.run(spec.id, firstId);
  const lines = fs.readFileSync(run.metricsPath, 'utf8').split('\n');
  fs.writeFileSync(run.metricsPath, [...lines.slice(0, 2), ...lines.slice(3)].join('\n')); // epoch 3 deleted
  const events: ProgressEvent[] = [];
  const warnings = await captureStderr(async () => {
    const again = await train(store, events);
    assert.deepEqual(figureNumbers(again), await uninterrupted());
  });
  assert.equal(events[0]?.type === 'figureStart' && events[0].epochs, 6, 'the ETA counts the stale run from its first epoch');
  const ends = new Map(events.flatMap((event) => (event.type === 'runEnd' ? [[event.runId, event.status] as const] : [])));
  assert.equal(ends.get(firstId), 'done', 'trained again');
  assert.deepEqual([...ends.values()].sort(), ['done', 'reused'], 'the intact run is reused');
  assert.match(warnings, new RegExp(`${firstId}.*metrics.jsonl holds 5 of the 6 epochs its done marker records`));
  // The whole file gone: the same.
  fs.rmSync(run.metricsPath);
  await captureStderr(async () => assert.deepEqual(figureNumbers(await train(store)), await uninterrupted()));
});

test('a checkpoint cut inside its header fails that run only, naming the file and the fix; --list and the stored view still read', async () => {
  const store = tempStore();
  await trainPartway(store);
  const run = store.run(spec.id, firstId);
  fs.truncateSync(run.checkpointPath, 20);
  assert.equal(run.state().kind, 'damaged');
  const result = await train(store);
  const [damaged, other] = result.runs;
  assert.equal(damaged!.status, 'failed');
  assert.ok(damaged!.error?.includes(run.checkpointPath), damaged!.error);
  assert.match(damaged!.error!, /Delete it to restart the run from its first epoch/);
  assert.equal(other!.status, 'done', 'the other run of the figure trains');
  assert.equal(loadStoredFigure(spec, { scale: 'smoke', store }).runs.length, 2);
});

test('a finished run whose checkpoint body or header is damaged does not block the figure', async () => {
  const store = tempStore();
  await train(store);
  const run = store.run(spec.id, firstId);
  fs.writeFileSync(run.checkpointPath, Buffer.concat([fs.readFileSync(run.checkpointPath).subarray(0, 8), Buffer.from('{"version":1,"epo')]));
  const result = await train(store); // today: a bare SyntaxError out of runFigure
  assert.equal(result.runs[0]!.status, 'failed');
  assert.ok(result.runs[0]!.error?.includes(run.checkpointPath));
  assert.equal(result.runs[1]!.status, 'done');
});

async function captureStderr(body: () => Promise<void>): Promise<string> {
  const original = console.error;
  let text = '';
  console.error = (...parts: unknown[]) => {
    text += parts.join(' ') + '\n';
  };
  try {
    await body();
  } finally {
    console.error = original;
  }
  return text;
}
