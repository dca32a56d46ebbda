import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { expandRuns } from '../../src/experiments/expand';
import { runId, stableStringify } from '../../src/experiments/runId';
import type { ResultStore } from '../../src/experiments/resultStore';
import { coverageRows, loadStoredFigure, trainCommand } from '../../src/experiments/storedFigure';
import type { EpochMetrics, RunConfig } from '../../src/experiments/types';
import { tempStore, tinyFigure } from './tinyFigure';

// tiny at smoke: 2 weights x 2 seeds, 6 epochs each.
const spec = tinyFigure();
const configs = expandRuns(spec, 'smoke');

function line(config: RunConfig, epoch: number): EpochMetrics {
  return { epoch, classWeight: config.classWeight, seed: config.seed, variant: config.variant, trainLoss: 1 / epoch, trainAccuracy: 1, wallTime: epoch, boundaryOffset: config.classWeight * epoch };
}

/** Writes a run as the trainer would have: config, `epochs` metrics lines, and the end marker if finished. */
function store(results: ResultStore, config: RunConfig, epochs: number, marker?: 'done' | 'failed'): void {
  const run = results.run(config.figure, runId(config));
  run.ensureConfig(stableStringify(config));
  run.rewriteMetrics(Array.from({ length: epochs }, (_, i) => line(config, i + 1)));
  if (marker) run.writeMarker({ status: marker, epochs, finishedAt: 'then', ...(marker === 'failed' ? { error: 'Training diverged at epoch 3.' } : {}) });
}

test('loadStoredFigure returns finished and partial runs, lists the missing ones, and trains nothing', () => {
  const results = tempStore();
  const [finished, failed, partial, missing] = configs as [RunConfig, RunConfig, RunConfig, RunConfig];
  store(results, finished, 6, 'done');
  store(results, failed, 3, 'failed');
  store(results, partial, 4);
  // A directory with a config and nothing else (a run that started and stopped before its first epoch) holds nothing.
  results.run(missing.figure, runId(missing)).ensureConfig(stableStringify(missing));

  const figure = loadStoredFigure(spec, { scale: 'smoke', store: results });
  assert.equal(figure.spec, spec);
  assert.equal(figure.scale, 'smoke');
  assert.equal(figure.expected, 4);
  assert.deepEqual(figure.runs.map((run) => [run.runId, run.status, run.metrics.length]), [
    [runId(finished), 'done', 6],
    [runId(failed), 'failed', 3],
    [runId(partial), 'stopped', 4],
  ]);
  assert.equal(figure.runs[1]!.error, 'Training diverged at epoch 3.');
  assert.match(figure.runs[2]!.error!, /unfinished: 4 of 6 epochs/);
  assert.deepEqual(figure.runs[0]!.metrics, Array.from({ length: 6 }, (_, i) => line(finished, i + 1)));
  assert.deepEqual(figure.missing.map((run) => run.runId), [runId(missing)]);
  assert.equal(figure.missing[0]!.config.seed, missing.seed);
  assert.match(figure.command, /^npm run iwlab -- run tiny --scale smoke --results /);
  assert.equal(fs.existsSync(results.run(missing.figure, runId(missing)).metricsPath), false, 'nothing was written for the missing run');

  assert.deepEqual(coverageRows([figure]), [
    { figure: 'tiny', stored: 'partial', finished: 2, unfinished: 1, missing: 1, expected: 4, command: figure.command },
  ]);
});

test('an empty store gives no runs and lists every run as missing; k seeds look for seeds 0..k-1', () => {
  const results = tempStore();
  const empty = loadStoredFigure(spec, { scale: 'smoke', store: results });
  assert.deepEqual(empty.runs, []);
  assert.equal(empty.missing.length, 4);
  assert.equal(coverageRows([empty])[0]!.stored, 'none');

  for (const config of configs) store(results, config, 6, 'done');
  const complete = loadStoredFigure(spec, { scale: 'smoke', store: results });
  assert.equal(complete.missing.length, 0);
  assert.deepEqual(coverageRows([complete])[0], { figure: 'tiny', stored: 'complete', finished: 4, unfinished: 0, missing: 0, expected: 4, command: '' });

  const three = loadStoredFigure(spec, { scale: 'smoke', seeds: 3, store: results });
  assert.equal(three.runs.length, 4, 'seeds 0 and 1 are stored');
  assert.deepEqual(three.missing.map((run) => run.config.seed), [2, 2]);
  assert.match(three.command, /--seeds 3/);
  assert.equal(coverageRows([three])[0]!.stored, 'partial');
  const one = loadStoredFigure(spec, { scale: 'smoke', seeds: 1, store: results });
  assert.deepEqual(one.runs.map((run) => run.config.seed), [0, 0]);
  assert.equal(one.missing.length, 0);
  assert.throws(() => loadStoredFigure(spec, { scale: 'smoke', seeds: -2, store: results }), /positive integer/);
});

test('the train command names the scale, k only when given, and a store other than the default', () => {
  assert.equal(trainCommand('cifar-cnn', 'quick'), 'npm run iwlab -- run cifar-cnn --scale quick');
  assert.equal(trainCommand('cifar-cnn', 'paper', 3), 'npm run iwlab -- run cifar-cnn --scale paper --seeds 3');
  const results = tempStore();
  assert.equal(trainCommand('mnist', 'smoke', undefined, results), `npm run iwlab -- run mnist --scale smoke --results ${results.root}`);
});

test('loading stored results loads no tfjs at all (no engine, no training)', async () => {
  const { spawnSync } = await import('node:child_process');
  const path = await import('node:path');
  const script = [
    "const { loadStoredFigure } = require('./src/experiments/storedFigure');",
    "const { FIGURES } = require('./src/experiments/figures');",
    "for (const spec of FIGURES) loadStoredFigure(spec, { scale: 'smoke' });",
    "const tf = Object.keys(require.cache).filter((file) => file.includes('@tensorflow') || file.includes('danfojs'));",
    'console.log(JSON.stringify(tf));',
  ].join('\n');
  const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: path.resolve(__dirname, '..', '..'), encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  assert.deepEqual(JSON.parse(child.stdout.trim().split('\n').pop()!), []);
});

test('a damaged or stale run is shown with its reason and counted as unfinished, not finished', () => {
  const results = tempStore();
  for (const config of configs) store(results, config, 6, 'done');
  const [damaged, stale] = configs as [RunConfig, RunConfig];
  fs.writeFileSync(results.run(damaged.figure, runId(damaged)).markerPath, '{"status":"do');
  results.run(stale.figure, runId(stale)).rewriteMetrics([line(stale, 1)]);
  const figure = loadStoredFigure(spec, { scale: 'smoke', store: results });
  assert.equal(figure.runs[0]!.stopReason?.type, 'damaged');
  assert.match(figure.runs[0]!.error!, /done is not valid JSON/);
  assert.equal(figure.runs[1]!.stopReason?.type, 'stale');
  assert.deepEqual(coverageRows([figure])[0], { figure: 'tiny', stored: 'partial', finished: 2, unfinished: 2, missing: 0, expected: 4, command: figure.command });
});
