import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CIFAR10_DIR, CIFAR10_TRAIN_FILES } from '../../src/data/cifar10';
import { DataSpecError } from '../../src/data/errors';
import { loadImageData, type ImageDataSpec } from '../../src/data/images';
import type { ExampleSource } from '../../src/data/types';
import { realDataDir, writeTinyDataDir } from './fixtures';

// The tiny CIFAR-10: 5 train files of 20 images (label = id % 10, so 10 of each class), a test file
// of 100 (10 per class). The tiny MNIST: 40 train images (4 per digit), 30 test (3 per digit).
const dataDir = writeTinyDataDir();
after(() => rmSync(dataDir, { recursive: true }));
const cifar = (extra: Partial<ImageDataSpec> = {}): ImageDataSpec => ({ source: 'cifar10', classes: ['dog', 'cat'], ...extra });

async function firstValues(source: ExampleSource, index: number, count: number): Promise<number[]> {
  const batch = source.batch([index]);
  const values = Array.from((await batch.data()).subarray(0, count));
  batch.dispose();
  return values;
}

const normalised = (byte: number) => (byte / 255 - 0.5) / 0.5;

test('CIFAR-10 pair: dog (label 1) and cat from train, the same pair in-domain, the other 8 classes out of domain', async () => {
  await tf.setBackend('cpu');
  const data = await loadImageData(cifar(), { dataDir, seed: 0 });
  assert.equal(data.train.count, 20);
  assert.equal(data.train.labels.filter((label) => label === 1).length, 10);
  assert.deepEqual(data.train.exampleShape, [32, 32, 3]);
  assert.equal(data.inDomain!.count, 20);
  assert.equal(data.inDomain!.labels.filter((label) => label === 1).length, 10);
  assert.equal(data.outOfDomain!.count, 80);
  assert.ok(data.outOfDomain!.labels.every((label) => label === 0));
  // File order is kept: the first training image is id 3 (a cat), the second id 5 (a dog).
  assert.deepEqual([...data.train.labels.slice(0, 4)], [0, 1, 0, 1]);
  // Image id 5's first pixel: red, green, blue from the three planes, normalised.
  const [r, g, b] = await firstValues(data.train, 1, 3);
  const expected = [(5 * 31) % 256, (5 * 31 + 71) % 256, (5 * 31 + 142) % 256].map(normalised);
  [r, g, b].forEach((value, c) => assert.ok(Math.abs(value! - expected[c]!) < 1e-6));
});

test('subsets are seeded: the same seed gives the same images, another seed others', async () => {
  const spec = cifar({ perClass: 4, testPerClass: 3, outOfDomainCount: 10 });
  const a = await loadImageData(spec, { dataDir, seed: 1 });
  const b = await loadImageData(spec, { dataDir, seed: 1 });
  const c = await loadImageData(spec, { dataDir, seed: 2 });
  assert.equal(a.train.count, 8);
  assert.equal(a.train.labels.filter((label) => label === 1).length, 4);
  assert.equal(a.inDomain!.count, 6);
  assert.equal(a.outOfDomain!.count, 10);
  const pixelsOf = async (data: typeof a) => {
    const batch = data.train.batch(Array.from({ length: data.train.count }, (_, i) => i));
    const values = Array.from(await batch.data());
    batch.dispose();
    return values;
  };
  assert.deepEqual(await pixelsOf(a), await pixelsOf(b));
  assert.notDeepEqual(await pixelsOf(a), await pixelsOf(c));
});

test('changing the out-of-domain size leaves the training subset unchanged (separate streams)', async () => {
  const small = await loadImageData(cifar({ perClass: 5, outOfDomainCount: 5 }), { dataDir, seed: 3 });
  const large = await loadImageData(cifar({ perClass: 5, outOfDomainCount: 50 }), { dataDir, seed: 3 });
  const all = Array.from({ length: 10 }, (_, i) => i);
  const [x, y] = [small.train.batch(all), large.train.batch(all)];
  assert.deepEqual(Array.from(await x.data()), Array.from(await y.data()));
  tf.dispose([x, y]);
});

test('baseClassFraction keeps that share of the base class only', async () => {
  const data = await loadImageData(cifar({ baseClassFraction: 0.3 }), { dataDir, seed: 4 });
  assert.equal(data.train.labels.filter((label) => label === 1).length, 3); // round(0.3 * 10)
  assert.equal(data.train.labels.filter((label) => label === 0).length, 10);
  assert.equal(data.inDomain!.count, 20, 'test sets are not sub-sampled');
});

test('MNIST pair: 0 is the base class, resized to 32x32, 1 channel unless 3 are asked for', async () => {
  await tf.setBackend('cpu');
  const data = await loadImageData({ source: 'mnist', classes: ['0', '1'] }, { dataDir, seed: 0 });
  assert.deepEqual(data.train.exampleShape, [32, 32, 1]);
  assert.equal(data.train.count, 8);
  assert.deepEqual([...data.train.labels.slice(0, 2)], [1, 0]);
  assert.equal(data.inDomain!.count, 6);
  assert.equal(data.outOfDomain!.count, 24);
  // The top-left output pixel sees only the top-left input pixel (PIL's edge handling).
  assert.ok(Math.abs((await firstValues(data.train, 0, 1))[0]! - normalised(0)) < 1e-6);
  const rgb = await loadImageData({ source: 'mnist', classes: ['0', '1'] }, { dataDir, seed: 0, channels: 3 });
  assert.deepEqual(rgb.train.exampleShape, [32, 32, 3]);
  const [r, g, b] = await firstValues(rgb.train, 1, 3);
  assert.ok(r === g && g === b);
});

test('bad specs are refused with what to change', async () => {
  await assert.rejects(loadImageData(cifar({ classes: ['dog', 'kitten'] }), { dataDir, seed: 0 }), (error: Error) => error instanceof DataSpecError && /no class 'kitten'/.test(error.message) && /'cat'/.test(error.message));
  await assert.rejects(loadImageData(cifar({ classes: ['dog', 'dog'] }), { dataDir, seed: 0 }), DataSpecError);
  await assert.rejects(loadImageData(cifar({ perClass: 11 }), { dataDir, seed: 0 }), /perClass 11 is not possible: CIFAR-10 train has 10 images of 'dog'/);
  await assert.rejects(loadImageData(cifar({ outOfDomainCount: 81 }), { dataDir, seed: 0 }), /outOfDomainCount 81 exceeds the 80/);
  await assert.rejects(loadImageData({ source: 'mnist', classes: ['0', '1'] }, { dataDir: `${dataDir}/nowhere`, seed: 0 }), /npx iwlab data mnist/);
});

const realCifar = realDataDir('cifar10');

test('real CIFAR-10 dog/cat: 5000 + 5000 train, 1000 + 1000 in-domain, 8000 out of domain; normalised channel means', { skip: realCifar === undefined && 'no CIFAR-10 in data/ or ../shared/data' }, async () => {
  await tf.setBackend('cpu');
  const data = await loadImageData(cifar(), { dataDir: realCifar!, seed: 0 });
  assert.equal(data.train.count, 10000);
  assert.equal(data.train.labels.filter((label) => label === 1).length, 5000);
  assert.equal(data.inDomain!.count, 2000);
  assert.equal(data.inDomain!.labels.filter((label) => label === 1).length, 1000);
  assert.equal(data.outOfDomain!.count, 8000);
  // data_batch_1's labels start 6 9 9 4 1 1 2 7 8 3 ...: its first cat (3) comes before its first dog; test_batch starts with a cat.
  assert.deepEqual([...data.train.labels.slice(0, 2)], [0, 0]);
  assert.equal(data.inDomain!.labels[0], 0);
  // Channel means of the normalised training set equal 2 * m / 255 - 1, m the raw byte means of the
  // cat and dog records summed straight from the planar files (an independent reading of the format).
  const sums = [0, 0, 0];
  for (const file of CIFAR10_TRAIN_FILES) {
    const bytes = readFileSync(path.join(realCifar!, CIFAR10_DIR, file));
    for (let at = 0; at < bytes.length; at += 3073) {
      if (bytes[at] !== 3 && bytes[at] !== 5) continue;
      for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) sums[c] += bytes[at + 1 + c * 1024 + p]!;
    }
  }
  const means = [0, 0, 0];
  for (let first = 0; first < 10000; first += 1000) {
    const chunk = tf.tidy(() => data.train.batch(Array.from({ length: 1000 }, (_, i) => first + i)).mean([0, 1, 2]).arraySync() as number[]);
    chunk.forEach((mean, c) => (means[c] += mean / 10));
  }
  sums.forEach((sum, c) => assert.ok(Math.abs(means[c]! - (2 * sum / (10000 * 1024 * 255) - 1)) < 1e-4, `channel ${c}: ${means[c]}`));
});

const realMnist = realDataDir('mnist');

test('real MNIST 0/1: 5923 + 6742 train, 980 + 1135 in-domain, 7885 out of domain, 32x32', { skip: realMnist === undefined && 'no MNIST in data/ or ../shared/data' }, async () => {
  const data = await loadImageData({ source: 'mnist', classes: ['0', '1'] }, { dataDir: realMnist!, seed: 0 });
  assert.equal(data.train.count, 12665);
  assert.equal(data.train.labels.filter((label) => label === 1).length, 5923);
  assert.equal(data.inDomain!.count, 2115);
  assert.equal(data.inDomain!.labels.filter((label) => label === 1).length, 980);
  assert.equal(data.outOfDomain!.count, 7885);
  assert.deepEqual(data.train.exampleShape, [32, 32, 1]);
  // The first training image is a 5, so the first of the pair is image 1, a 0 (base class).
  assert.equal(data.train.labels[0], 1);
});
