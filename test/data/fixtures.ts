/**
 * Tiny dataset files in the real formats, written by the tests themselves, plus where the real
 * datasets may be. Pixel values encode (image, channel, position), so a test can tell which image
 * landed where.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { CIFAR10_DIR, CIFAR10_RECORD_BYTES, CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES } from '../../src/data/cifar10';
import { DEFAULT_DATA_DIR } from '../../src/data/dataDir';
import { MNIST_DIR, MNIST_FILES } from '../../src/data/mnist';
import { REPO_ROOT } from '../../src/paths';

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `iwlab-${prefix}-`));
}

/** Byte of image `id`, channel c, pixel p (row-major in its plane). */
export function fixturePixel(id: number, channel: number, p: number): number {
  return (id * 31 + channel * 71 + p * 7) % 256;
}

/** One CIFAR-10 batch: label byte, then R, G, B planes of 32x32, for each (id, label). */
export function cifarBatch(images: readonly { id: number; label: number }[]): Uint8Array {
  const bytes = new Uint8Array(images.length * CIFAR10_RECORD_BYTES);
  images.forEach(({ id, label }, i) => {
    const at = i * CIFAR10_RECORD_BYTES;
    bytes[at] = label;
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) bytes[at + 1 + c * 1024 + p] = fixturePixel(id, c, p);
  });
  return bytes;
}

export function idxImages(ids: readonly number[], size = 28): Uint8Array {
  const bytes = new Uint8Array(16 + ids.length * size * size);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 2051);
  view.setUint32(4, ids.length);
  view.setUint32(8, size);
  view.setUint32(12, size);
  ids.forEach((id, i) => {
    for (let p = 0; p < size * size; p++) bytes[16 + i * size * size + p] = fixturePixel(id, 0, p);
  });
  return bytes;
}

export function idxLabels(labels: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(8 + labels.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 2049);
  view.setUint32(4, labels.length);
  bytes.set(labels, 8);
  return bytes;
}

/**
 * A data dir with a small CIFAR-10 (each train file `perFile` images, labels cycling 0-9, so
 * `perFile / 2` of each class over five files; test file 10 of each class) and a small gzipped
 * MNIST (train 40 images, test 30, labels cycling). Image ids are global per split.
 */
export function writeTinyDataDir(perFile = 20): string {
  const dataDir = tempDir('data');
  const cifar = path.join(dataDir, CIFAR10_DIR);
  mkdirSync(cifar);
  CIFAR10_TRAIN_FILES.forEach((file, f) => {
    const images = Array.from({ length: perFile }, (_, i) => ({ id: f * perFile + i, label: (f * perFile + i) % 10 }));
    writeFileSync(path.join(cifar, file), cifarBatch(images));
  });
  writeFileSync(path.join(cifar, CIFAR10_TEST_FILE), cifarBatch(Array.from({ length: 100 }, (_, i) => ({ id: 1000 + i, label: i % 10 }))));
  const mnist = path.join(dataDir, MNIST_DIR);
  mkdirSync(mnist);
  const trainIds = Array.from({ length: 40 }, (_, i) => i);
  const testIds = Array.from({ length: 30 }, (_, i) => 1000 + i);
  writeFileSync(path.join(mnist, `${MNIST_FILES.train.images}.gz`), gzipSync(idxImages(trainIds)));
  writeFileSync(path.join(mnist, `${MNIST_FILES.train.labels}.gz`), gzipSync(idxLabels(trainIds.map((i) => i % 10))));
  // The test split stored decompressed, as a mirror may hold it: the loader must take both forms.
  writeFileSync(path.join(mnist, MNIST_FILES.test.images), idxImages(testIds));
  writeFileSync(path.join(mnist, MNIST_FILES.test.labels), idxLabels(testIds.map((i) => i % 10)));
  return dataDir;
}

/** The first folder holding the real dataset: <repo>/data, then ../shared/data; undefined when neither does. */
export function realDataDir(dataset: 'cifar10' | 'mnist'): string | undefined {
  const probe = dataset === 'cifar10' ? path.join(CIFAR10_DIR, CIFAR10_TEST_FILE) : path.join(MNIST_DIR, `${MNIST_FILES.train.images}.gz`);
  return [DEFAULT_DATA_DIR, path.resolve(REPO_ROOT, '..', 'shared', 'data')].find((dir) => existsSync(path.join(dir, probe)));
}
