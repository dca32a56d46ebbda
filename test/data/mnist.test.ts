import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { CorruptDataError, MissingDataError } from '../../src/data/errors';
import { MNIST_FILES, openMnist, openMnistSplit, parseIdxImages, parseIdxLabels, readIdxFile } from '../../src/data/mnist';
import { fixturePixel, idxImages, idxLabels, realDataDir, tempDir } from './fixtures';

test('IDX images and labels parse from their headers', () => {
  const images = parseIdxImages(idxImages([4, 5]), 'fixture');
  assert.equal(images.count, 2);
  assert.equal(images.rows, 28);
  assert.equal(images.columns, 28);
  assert.equal(images.pixels[784 + 30], fixturePixel(5, 0, 30));
  assert.deepEqual([...parseIdxLabels(idxLabels([3, 1, 4]), 'fixture')], [3, 1, 4]);
});

test('a corrupted magic number is refused, naming the file and the fix', () => {
  const bytes = idxImages([1]);
  bytes[3] = 0x01; // 2049, the label magic, in an image file
  assert.throws(() => parseIdxImages(bytes, 'train-images-idx3-ubyte'), (error: Error) => {
    assert.ok(error instanceof CorruptDataError);
    assert.match(error.message, /train-images-idx3-ubyte starts with magic number 2049, not 2051/);
    assert.match(error.message, /iwlab data mnist/);
    return true;
  });
  const labels = idxLabels([1]);
  labels[2] = 0xff;
  assert.throws(() => parseIdxLabels(labels, 'labels'), CorruptDataError);
});

test('a file shorter than its header promises is refused', () => {
  assert.throws(() => parseIdxImages(idxImages([1, 2]).subarray(0, 16 + 784 + 5), 'images'), /is 805 bytes but its header promises 2 images \(1584 bytes\)/);
  assert.throws(() => parseIdxLabels(idxLabels([1, 2, 3]).subarray(0, 10), 'labels'), /promises 3 labels/);
  assert.throws(() => parseIdxImages(new Uint8Array(10), 'images'), /shorter than the 16-byte IDX image header/);
  const labels = idxLabels([1, 12]);
  assert.throws(() => parseIdxLabels(labels, 'labels'), /label 1 is 12/);
});

test('a truncated gzip is refused with the file name; a decompressed file is read as is', () => {
  const dir = tempDir('mnist');
  const gz = gzipSync(idxLabels([1, 2, 3]));
  const truncated = path.join(dir, 'labels.gz');
  writeFileSync(truncated, gz.subarray(0, gz.length - 6));
  assert.throws(() => readIdxFile(truncated), (error: Error) => error instanceof CorruptDataError && error.message.includes(truncated));
  const raw = path.join(dir, 'labels');
  writeFileSync(raw, idxLabels([1, 2, 3]));
  assert.deepEqual([...parseIdxLabels(readIdxFile(raw), raw)], [1, 2, 3]);
  rmSync(dir, { recursive: true });
});

test('a split reads the chosen images; image and label counts must agree', () => {
  const dir = tempDir('mnist');
  writeFileSync(path.join(dir, 'im.gz'), gzipSync(idxImages([10, 11, 12])));
  writeFileSync(path.join(dir, 'lb.gz'), gzipSync(idxLabels([0, 1, 2])));
  const split = openMnistSplit('tiny', dir, { images: 'im', labels: 'lb' });
  const pixels = split.readImages(Uint32Array.of(0, 2));
  assert.equal(pixels.length, 2 * 784);
  assert.equal(pixels[784 + 100], fixturePixel(12, 0, 100));
  writeFileSync(path.join(dir, 'lb.gz'), gzipSync(idxLabels([0, 1])));
  const mismatched = openMnistSplit('tiny', dir, { images: 'im', labels: 'lb' });
  assert.throws(() => mismatched.readImages(Uint32Array.of(0)), /holds 3 images but .* 2 labels/);
  rmSync(dir, { recursive: true });
});

test('missing MNIST files name the command that installs them', () => {
  const dir = tempDir('mnist');
  assert.throws(() => openMnist(dir), (error: Error) => error instanceof MissingDataError && /npx iwlab data mnist/.test(error.message));
  rmSync(dir, { recursive: true });
});

const realDir = realDataDir('mnist');

test('real MNIST: 60,000 + 10,000 images, the first labels, the known pixel mean', { skip: realDir === undefined && 'MNIST is in neither data/ nor ../shared/data' }, () => {
  const { train, test: testSplit } = openMnist(realDir!);
  assert.equal(train.labels.length, 60000);
  assert.equal(testSplit.labels.length, 10000);
  assert.deepEqual([...train.labels.slice(0, 10)], [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
  assert.deepEqual([...testSplit.labels.slice(0, 10)], [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
  // Digits 0 and 1: 5923 + 6742 in train, 980 + 1135 in test (paper-spec 1.2 and 3.2).
  assert.equal(train.labels.filter((l) => l === 0).length, 5923);
  assert.equal(train.labels.filter((l) => l === 1).length, 6742);
  assert.equal(testSplit.labels.filter((l) => l === 0).length, 980);
  assert.equal(testSplit.labels.filter((l) => l === 1).length, 1135);
  const pixels = parseIdxImages(readIdxFile(path.join(realDir!, 'mnist', `${MNIST_FILES.train.images}.gz`)), 'train').pixels;
  let sum = 0;
  for (const value of pixels) sum += value;
  // The usual normalisation constant: mean 0.1307 of the training pixels scaled to [0, 1].
  assert.ok(Math.abs(sum / pixels.length / 255 - 0.1307) < 1e-4);
});
