import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expandRuns } from '../../src/experiments/expand';
import { cifarResnet, mnist, subsampling, toyGaussian } from '../../src/experiments/figures';
import { runId, stableStringify } from '../../src/experiments/runId';
import { stepsAtEpoch } from '../../src/experiments/steps';
import { MS_PER_STEP, estimateTraining } from '../../src/experiments/trainingEstimate';
import { REPO_ROOT } from '../../src/paths';
import { tempStore } from './tinyFigure';

test('steps are epochs left x batches per epoch; a full-batch epoch is one step; finished runs count nothing', () => {
  const store = tempStore();
  const configs = expandRuns(toyGaussian, 'quick');
  const fresh = estimateTraining(configs, store, { backend: 'wasm', workers: 2 });
  assert.equal(fresh.runs, configs.length);
  assert.equal(fresh.steps, configs.reduce((sum, config) => sum + config.epochs, 0), 'toy-gaussian trains full-batch');
  // One run done, one resumed after 400 of its epochs.
  const done = store.run(toyGaussian.id, runId(configs[0]!));
  done.ensureConfig(stableStringify(configs[0]));
  done.writeMarker({ status: 'done', epochs: configs[0]!.epochs, finishedAt: 'then' });
  const partial = store.run(toyGaussian.id, runId(configs[1]!));
  partial.ensureConfig(stableStringify(configs[1]));
  partial.writeCheckpoint({ epoch: 400, params: [], buffers: [], optimizer: [], rng: [1, 2, 3, 4], wallTime: 1, snapshots: [] });
  const later = estimateTraining(configs, store, { backend: 'wasm', workers: 2 });
  assert.equal(later.runs, configs.length - 1);
  assert.equal(later.steps, fresh.steps - configs[0]!.epochs - 400);
  assert.equal(estimateTraining(configs, store, { backend: 'wasm', workers: 2, retrain: true }).steps, fresh.steps, '--retrain counts every run in full');
  // --until-epoch 500: the fresh runs count 500 epochs, the resumed one the 100 from its checkpoint to 500.
  const until = estimateTraining(configs, store, { backend: 'wasm', workers: 2, untilEpoch: 500 });
  assert.equal(until.runs, configs.length - 1);
  assert.equal(until.steps, (configs.length - 2) * 500 + 100);
  assert.equal(estimateTraining(configs, store, { backend: 'wasm', workers: 2, untilEpoch: 400 }).runs, configs.length - 2, 'a run already at --until-epoch has nothing left');
});

test('the estimate counts the steps the trainer takes: full training sets at the paper scale, sub-sampled sets, full batches only', () => {
  // MNIST's paper scale trains on all 5,923 zeros and 6,742 ones (791 steps an epoch at batch 16), not on a
  // rounded 6,000 a class; a sub-sampled run on the dogs it keeps.
  for (const configs of [expandRuns(mnist, 'paper'), expandRuns(subsampling, 'quick')]) {
    for (const config of configs) {
      const estimate = estimateTraining([config], tempStore(), { backend: 'wasm', workers: 1, untilEpoch: 2 });
      assert.equal(estimate.steps, stepsAtEpoch(config, 2), runId(config));
    }
  }
  assert.equal(stepsAtEpoch(expandRuns(mnist, 'paper')[0]!, 1), Math.floor((5923 + 6742) / 16));
});

test('seconds come from the measured per-step table over the workers; a backend without measurements gives none', () => {
  const configs = expandRuns(cifarResnet, 'quick');
  const one = estimateTraining(configs.slice(0, 1), tempStore(), { backend: 'wasm', workers: 4 });
  const { overhead, fullWidth } = MS_PER_STEP.wasm!.resnet;
  const model = configs[0]!.model as { width: number };
  const batch = configs[0]!.optimizer.batchSize;
  assert.equal(one.workers, 1, 'one run uses one worker');
  assert.ok(Math.abs(one.seconds! - (one.steps * (overhead + fullWidth * model.width ** 2) * (batch / 16)) / 1000) < 1e-6);
  const both = estimateTraining(configs.slice(0, 2), tempStore(), { backend: 'wasm', workers: 2 });
  assert.ok(Math.abs(both.seconds! - one.seconds!) < 1e-6 * one.seconds!, 'two equal runs on two workers take as long as one');
  const native = estimateTraining(configs, tempStore(), { backend: 'tensorflow', workers: 2 });
  assert.ok(native.seconds !== undefined && native.seconds > 0, 'the native engine has measured costs');
  const unmeasured = estimateTraining(configs, tempStore(), { backend: 'tensorflow-gpu', workers: 1 });
  assert.equal(unmeasured.seconds, undefined);
  assert.match(unmeasured.source, /no per-step cost measured for the tensorflow-gpu backend/);
});

test('iwlab run says how long a training of more than ten minutes will take, and where the figure comes from, before it starts', () => {
  const [first] = expandRuns(cifarResnet, 'quick');
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'iwlab-estimate-data-'));
  const results = fs.mkdtempSync(path.join(os.tmpdir(), 'iwlab-estimate-results-'));
  // No datasets in the data folder: the run fails at once, after the announcement.
  const result = spawnSync(path.join(REPO_ROOT, 'bin', 'iwlab'), ['run', 'cifar-resnet', '--scale', 'quick', '--only', runId(first!), '--workers', '1', '--backend', 'wasm', '--data', empty, '--results', results, '--csv', results], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, IWLAB_SCALE: '', IWLAB_RESULTS: '', IWLAB_DATA_DIR: '' },
  });
  assert.match(result.stderr, /^cifar-resnet: 1 run to train, [\d,]+ SGD steps, expected to take about \d+m\d\ds on 1 worker \(per-step costs measured with wasm on the 2-core development machine \(src\/experiments\/trainingEstimate\.ts\)\)/m, result.stderr);
});
