/**
 * Data verified where training reads it (issue 16, item 2): a same-length damage to a dataset file is
 * refused before any training, every run records the checksums of the data it trained on, and a
 * finished run whose record differs from the data now installed is trained again, saying why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { MNIST_MANIFEST } from '../../src/data/datasets';
import { MNIST_DIR, MNIST_FILES } from '../../src/data/mnist';
import { expandRuns } from '../../src/experiments/expand';
import { getFigure } from '../../src/experiments/figures';
import { runFigure } from '../../src/experiments/runFigure';
import { runId } from '../../src/experiments/runId';
import type { TrainFunction } from '../../src/experiments/runWorker';
import type { RunResult } from '../../src/experiments/types';
import { realDataDir, tempDir } from '../data/fixtures';
import { tempStore } from './tinyFigure';

const realMnist = realDataDir('mnist');
const spec = getFigure('mnist');
const [config] = expandRuns(spec, 'smoke');
const only = [runId(config!)];

/** A copy of the real MNIST; the test labels decompressed (a form the loader and the manifest accept). */
function mnistCopy(): string {
  const dataDir = tempDir('verify');
  fs.mkdirSync(path.join(dataDir, MNIST_DIR));
  for (const name of [MNIST_FILES.train.images, MNIST_FILES.train.labels, MNIST_FILES.test.images]) {
    fs.copyFileSync(path.join(realMnist!, MNIST_DIR, `${name}.gz`), path.join(dataDir, MNIST_DIR, `${name}.gz`));
  }
  const labels = gunzipSync(fs.readFileSync(path.join(realMnist!, MNIST_DIR, `${MNIST_FILES.test.labels}.gz`)));
  fs.writeFileSync(path.join(dataDir, MNIST_DIR, MNIST_FILES.test.labels), labels);
  return dataDir;
}

/** Stands in for the trainer: counts calls, finishes at once. */
function countingTrainer(): { train: TrainFunction; calls: number[] } {
  const calls: number[] = [];
  const train: TrainFunction = async (runConfig, _data, hooks) => {
    calls.push(1);
    const metrics = Array.from({ length: runConfig.epochs }, (_, i) => ({ epoch: i + 1, classWeight: runConfig.classWeight, seed: runConfig.seed, variant: runConfig.variant, trainLoss: 1, wallTime: 0 }));
    for (const line of metrics) await hooks.onEpoch?.(line);
    return { runId: '', config: runConfig, status: 'done', metrics, snapshots: [] } satisfies RunResult;
  };
  return { train, calls };
}

test('a dataset file with same-length damage (two test labels swapped) is refused before any training, naming the file and the fix', { skip: realMnist === undefined && 'no MNIST' }, async () => {
  const dataDir = mnistCopy();
  const labelsPath = path.join(dataDir, MNIST_DIR, MNIST_FILES.test.labels);
  const labels = fs.readFileSync(labelsPath);
  [labels[8], labels[9]] = [labels[9]!, labels[8]!]; // labels 7 and 2 change places: same size, same format
  fs.writeFileSync(labelsPath, labels);
  const { train, calls } = countingTrainer();
  const result = await runFigure(spec, { scale: 'smoke', store: tempStore(), workers: 1, only, dataDir, train, stopOnSigint: false });
  assert.equal(calls.length, 0, 'nothing trains on damaged data');
  assert.equal(result.runs[0]!.status, 'failed');
  assert.ok(result.runs[0]!.error?.includes(labelsPath), result.runs[0]!.error);
  assert.match(result.runs[0]!.error!, /iwlab data mnist --force/);
});

test('a run records the checksums of the data it trained on; a finished run whose record differs is trained again', { skip: realMnist === undefined && 'no MNIST' }, async () => {
  const dataDir = mnistCopy();
  const store = tempStore();
  const { train, calls } = countingTrainer();
  await runFigure(spec, { scale: 'smoke', store, workers: 1, only, dataDir, train, stopOnSigint: false });
  const run = store.run(spec.id, only[0]!);
  const record = JSON.parse(fs.readFileSync(path.join(run.dir, 'data.json'), 'utf8'));
  const official = MNIST_MANIFEST.files.find((file) => file.alternative?.name === MNIST_FILES.test.labels)!.alternative!.md5;
  assert.equal(record.files[`${MNIST_DIR}/${MNIST_FILES.test.labels}`], official);
  assert.equal(Object.keys(record.files).length, 4);
  assert.equal(fs.existsSync(run.configPath), true);

  await runFigure(spec, { scale: 'smoke', store, workers: 1, only, dataDir, train, stopOnSigint: false });
  assert.equal(calls.length, 1, 'a run trained on the data installed now is reused');

  // As a run trained on a damaged copy (before data was checked) would have recorded it.
  record.files[`${MNIST_DIR}/${MNIST_FILES.test.labels}`] = '0'.repeat(32);
  fs.writeFileSync(path.join(run.dir, 'data.json'), JSON.stringify(record));
  const warnings: string[] = [];
  const original = console.error;
  console.error = (...parts: unknown[]) => void warnings.push(parts.join(' '));
  try {
    await runFigure(spec, { scale: 'smoke', store, workers: 1, only, dataDir, train, stopOnSigint: false });
  } finally {
    console.error = original;
  }
  assert.equal(calls.length, 2, 'the run made from other data is trained again');
  assert.match(warnings.join('\n'), /trained on other data.*t10k-labels-idx1-ubyte/);
});
