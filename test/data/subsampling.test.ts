// Sub-sampled training sets: the right class counts, seeded, without replacement, nested across fractions.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { loadFigureData } from '../../src/data/index';
import { loadImageData, type ImageDataSpec } from '../../src/data/images';
import { generateToyGaussian, subsampleBaseClass, toyClassMeans, toyTrainingData } from '../../src/data/toyGaussian';
import type { ExampleSource } from '../../src/data/types';
import { expandRuns } from '../../src/experiments/expand';
import { subsampling, subsamplingToy } from '../../src/experiments/figures';
import { classMeans } from '../../src/train/evaluate';
import { Rng, streamSeed } from '../../src/rng';
import { writeTinyDataDir } from './fixtures';

// The tiny CIFAR-10 (test/data/fixtures.ts): 10 training images per class; image id's first red byte is (id * 31) % 256.
const dataDir = writeTinyDataDir();
after(() => rmSync(dataDir, { recursive: true }));

/** The ids of a source's base-class images, read back from their first red value. */
async function baseIds(source: ExampleSource): Promise<number[]> {
  const indices = [...source.labels.keys()].filter((i) => source.labels[i] === 1);
  const batch = source.batch(indices);
  const values = await batch.data();
  batch.dispose();
  const perImage = values.length / indices.length;
  return indices.map((_, i) => {
    const byte = Math.round(((values[i * perImage]! * 0.5 + 0.5) * 255));
    return [...Array(256).keys()].find((id) => (id * 31) % 256 === byte)!;
  }).sort((a, b) => a - b);
}

/** The subsampling figure's run for `weight`, with the tiny fixture's sizes (all 10 images per class). */
function cifarRun(variant: 'weighted' | 'subsampled', weight: number): ImageDataSpec {
  const config = expandRuns({ ...subsampling, classWeights: [1, 1 / 4, 1 / 10] }, 'paper').find((r) => r.variant === variant && r.classWeight === weight)!;
  assert.equal(config.data.source, 'cifar10');
  return config.data as ImageDataSpec;
}

test('CIFAR: a sub-sampled run keeps round(w * dogs) dogs and every cat; the weighted run keeps all', async () => {
  await tf.setBackend('cpu');
  const weighted = await loadFigureData(cifarRun('weighted', 1 / 4), { dataDir, seed: 0 });
  const quarter = await loadFigureData(cifarRun('subsampled', 1 / 4), { dataDir, seed: 0 });
  const whole = await loadFigureData(cifarRun('subsampled', 1), { dataDir, seed: 0 });
  const count = (source: ExampleSource, label: number) => source.labels.filter((l) => l === label).length;
  assert.deepEqual([count(weighted.train, 1), count(weighted.train, 0)], [10, 10]);
  assert.deepEqual([count(quarter.train, 1), count(quarter.train, 0)], [3, 10]); // round(2.5) = 3
  assert.deepEqual([count(whole.train, 1), count(whole.train, 0)], [10, 10]);
  assert.equal(quarter.inDomain!.count, weighted.inDomain!.count, 'test sets are never sub-sampled');
  assert.equal(new Set(await baseIds(quarter.train)).size, 3, 'without replacement');
});

test('CIFAR: the kept dogs are seeded, and a smaller fraction keeps a subset of a larger one', async () => {
  await tf.setBackend('cpu');
  const ids = async (weight: number, seed: number) => baseIds((await loadImageData(cifarRun('subsampled', weight), { dataDir, seed })).train);
  const quarter = await ids(1 / 4, 0);
  assert.deepEqual(await ids(1 / 4, 0), quarter);
  const others = await Promise.all([1, 2, 3, 4, 5].map((seed) => ids(1 / 4, seed)));
  assert.ok(others.some((o) => JSON.stringify(o) !== JSON.stringify(quarter)), 'other seeds keep other dogs');
  const tenth = await ids(1 / 10, 0);
  assert.equal(tenth.length, 1);
  assert.ok(quarter.includes(tenth[0]!));
  // The kept dogs are dogs of the full set (class 5 of the fixture: id % 10 === 5).
  assert.ok(quarter.every((id) => id % 10 === 5));
});

test('toy: sub-sampling keeps w of the base class, all of the other, at their full-set coordinates', () => {
  const { data, full } = toyTrainingData({ source: 'toy-gaussian', perClass: 64, baseClassFraction: 1 / 4 }, 7);
  assert.equal(data.labels.filter((l) => l === 1).length, 16);
  assert.equal(data.labels.filter((l) => l === 0).length, 64);
  assert.deepEqual([...data.labels.slice(0, 16)], Array(16).fill(1), 'base class first');
  const key = (points: Float32Array, i: number) => `${points[2 * i]},${points[2 * i + 1]}`;
  const fullBase = new Set([...Array(64).keys()].map((i) => key(full.points, i)));
  const kept = [...Array(16).keys()].map((i) => key(data.points, i));
  assert.equal(new Set(kept).size, 16, 'without replacement');
  assert.ok(kept.every((k) => fullBase.has(k)), 'kept points are full-set points');
  assert.deepEqual(data.points.slice(32), full.points.slice(128), 'the other class is untouched');
  assert.deepEqual([data.mean, data.std], [full.mean, full.std], "the full set's standardisation");
});

test('toy: sub-sampling is seeded, nested across fractions, and absent at fraction 1', () => {
  const kept = (fraction: number, seed: number) => {
    const { data } = toyTrainingData({ source: 'toy-gaussian', perClass: 64, baseClassFraction: fraction }, seed);
    return [...data.labels.keys()].filter((i) => data.labels[i] === 1).map((i) => `${data.points[2 * i]},${data.points[2 * i + 1]}`);
  };
  assert.deepEqual(kept(1 / 4, 3), kept(1 / 4, 3));
  assert.notDeepEqual(kept(1 / 4, 3), kept(1 / 4, 4));
  const quarter = new Set(kept(1 / 4, 3));
  assert.ok(kept(1 / 16, 3).every((point) => quarter.has(point)));
  for (const spec of [{ source: 'toy-gaussian', perClass: 8 } as const, { source: 'toy-gaussian', perClass: 8, baseClassFraction: 1 } as const]) {
    const { data, full } = toyTrainingData(spec, 0);
    assert.equal(data, full);
    assert.deepEqual(data, generateToyGaussian(8, new Rng(streamSeed(0, 'data'))));
  }
  assert.throws(() => subsampleBaseClass(generateToyGaussian(8, new Rng(0)), 1.5, new Rng(0)), /baseClassFraction must be in \(0, 1\]/);
});

test('toy: a sub-sampled run measures its boundary along the full set\'s class means', async () => {
  await tf.setBackend('cpu');
  const config = expandRuns(subsamplingToy, 'smoke').find((r) => r.variant === 'mlp-subsampled' && r.classWeight === 1 / 16)!;
  const data = await loadFigureData(config.data, { seed: config.seed });
  assert.equal(data.train.labels.filter((l) => l === 1).length, 4); // 64 / 16
  const { full } = toyTrainingData({ source: 'toy-gaussian', perClass: 64 }, config.seed);
  assert.deepEqual(data.classMeans, toyClassMeans(full));
  assert.notDeepEqual(data.classMeans, classMeans(data.train), 'the subset alone has other means');
  // A weighted run's data gives no override: the trainer takes its own (full) training set's means.
  const weighted = expandRuns(subsamplingToy, 'smoke').find((r) => r.variant === 'mlp' && r.classWeight === 1 / 16)!;
  const weightedData = await loadFigureData(weighted.data, { seed: weighted.seed });
  assert.equal(weightedData.classMeans, undefined);
  const [a, b] = [classMeans(weightedData.train), toyClassMeans(full)];
  a.flat().forEach((value, i) => assert.ok(Math.abs(value - b.flat()[i]!) < 1e-6));
});
