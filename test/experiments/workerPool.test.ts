import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { expandRuns } from '../../src/experiments/expand';
import { runId } from '../../src/experiments/runId';
import type { ProgressEvent, RunConfig } from '../../src/experiments/types';
import { runInWorkers } from '../../src/experiments/workerPool';
import { tempStore, tinyFigure } from './tinyFigure';

const [good, other] = expandRuns(tinyFigure({ seeds: 1 }), 'smoke') as [RunConfig, RunConfig];

test('a failing run reports which run and why; the others finish', async () => {
  const store = tempStore();
  // A linear model that expects 3 inputs on 2-D data: the first matMul throws inside the worker.
  const broken: RunConfig = { ...other, model: { kind: 'linear', inputSize: 3 } };
  const outcomes = await runInWorkers([{ config: broken, settings: {} }, { config: good, settings: {} }], { size: 2, store });
  const failed = outcomes.get(runId(broken));
  assert.equal(failed?.kind, 'error');
  assert.ok(failed?.kind === 'error' && /shape|size|match/i.test(failed.message), JSON.stringify(failed));
  const done = outcomes.get(runId(good));
  assert.ok(done?.kind === 'outcome' && done.outcome.result.status === 'done' && done.outcome.result.metrics.length === good.epochs);
  assert.equal(store.run(broken.figure, runId(broken)).hasLockFile(), false, 'the failed run frees its lock');
});

test('an abort stops every worker cleanly: running runs keep their epochs, queued ones never start', async () => {
  const store = tempStore();
  const long = (config: RunConfig): RunConfig => ({ ...config, epochs: 100_000 });
  const third: RunConfig = { ...long(good), seed: 7 };
  const tasks = [long(good), long(other), third].map((config) => ({ config, settings: {} }));
  const controller = new AbortController();
  const seen = new Set<string>();
  const events: ProgressEvent[] = [];
  const outcomes = await runInWorkers(tasks, {
    size: 2,
    store,
    signal: controller.signal,
    onProgress: (event) => {
      events.push(event);
      if (event.type === 'epochEnd') seen.add(event.runId);
      if (seen.size === 2 && !controller.signal.aborted) controller.abort();
    },
  });
  for (const task of tasks.slice(0, 2)) {
    const id = runId(task.config);
    const outcome = outcomes.get(id);
    assert.ok(outcome?.kind === 'outcome', JSON.stringify(outcome));
    assert.equal(outcome.outcome.result.status, 'stopped');
    const epochs = outcome.outcome.result.metrics.length;
    assert.ok(epochs >= 1);
    const run = store.run(task.config.figure, id);
    assert.equal(run.readCheckpointHeader()?.epoch, epochs, 'a stop checkpoints the last finished epoch');
    assert.equal(run.hasLockFile(), false);
    assert.equal(fs.existsSync(run.markerPath), false, 'a stopped run is not marked done');
  }
  assert.deepEqual(outcomes.get(runId(third)), { kind: 'notStarted' });
  assert.ok(!events.some((event) => event.type === 'runStart' && event.runId === runId(third)));
});

test('a worker that crashes fails its run alone; a fresh worker takes the rest', async () => {
  const store = tempStore();
  const crashing: RunConfig = { ...good, seed: 13, epochs: 100_000 };
  const after: RunConfig = { ...other, seed: 1 };
  const tasks = [good, crashing, after].map((config) => ({ config, settings: {} }));
  const outcomes = await runInWorkers(tasks, { size: 1, store, entry: path.join(__dirname, 'crashingWorker.ts') });
  assert.ok(outcomes.get(runId(good))?.kind === 'outcome');
  const crashed = outcomes.get(runId(crashing));
  assert.ok(crashed?.kind === 'error' && crashed.name === 'WorkerCrashError' && /simulated crash/.test(crashed.message), JSON.stringify(crashed));
  assert.equal(store.run(crashing.figure, runId(crashing)).hasLockFile(), false, "the dead worker's lock is released");
  const last = outcomes.get(runId(after));
  assert.ok(last?.kind === 'outcome' && last.outcome.result.status === 'done', JSON.stringify(last));
});
