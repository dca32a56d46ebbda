import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  CIFAR10_CLASSES,
  CIFAR10_DIR,
  CIFAR10_RECORD_BYTES,
  CIFAR10_TRAIN_FILES,
  openCifar10,
  openCifar10Split,
  readCifar10Images,
  readCifar10Labels,
} from '../../src/data/cifar10';
import { CorruptDataError, MissingDataError } from '../../src/data/errors';
import { cifarBatch, fixturePixel, realDataDir, tempDir } from './fixtures';

test('a generated batch reads back: labels, and pixels moved from CHW planes to NHWC', () => {
  const dir = tempDir('cifar');
  const file = path.join(dir, 'batch.bin');
  writeFileSync(file, cifarBatch([{ id: 7, label: 3 }, { id: 8, label: 5 }, { id: 9, label: 0 }]));
  assert.deepEqual([...readCifar10Labels(file)], [3, 5, 0]);
  const target = new Uint8Array(2 * 3072);
  readCifar10Images(file, Uint32Array.of(0, 2), target);
  // Image id 9 (record 2), pixel at row 1, column 2, green channel: NHWC offset (1 * 32 + 2) * 3 + 1.
  assert.equal(target[3072 + (1 * 32 + 2) * 3 + 1], fixturePixel(9, 1, 1 * 32 + 2));
  assert.equal(target[0], fixturePixel(7, 0, 0));
  assert.equal(target[2], fixturePixel(7, 2, 0));
  rmSync(dir, { recursive: true });
});

test('a truncated batch is refused with the file name and the command that reinstalls it', () => {
  const dir = tempDir('cifar');
  const file = path.join(dir, 'data_batch_1.bin');
  writeFileSync(file, cifarBatch([{ id: 1, label: 1 }, { id: 2, label: 2 }]));
  truncateSync(file, 2 * CIFAR10_RECORD_BYTES - 100);
  assert.throws(() => readCifar10Labels(file), (error: Error) => {
    assert.ok(error instanceof CorruptDataError);
    assert.match(error.message, /data_batch_1\.bin is 6046 bytes/);
    assert.match(error.message, /iwlab data cifar10/);
    return true;
  });
  rmSync(dir, { recursive: true });
});

test('a record whose label byte is not a class index is refused', () => {
  const dir = tempDir('cifar');
  const file = path.join(dir, 'batch.bin');
  const bytes = cifarBatch([{ id: 1, label: 1 }, { id: 2, label: 2 }]);
  bytes[CIFAR10_RECORD_BYTES] = 10; // the second record's label: CIFAR-10 has classes 0-9
  writeFileSync(file, bytes);
  assert.throws(() => readCifar10Labels(file), (error: Error) => error instanceof CorruptDataError && /record 1 has label byte 10/.test(error.message));
  rmSync(dir, { recursive: true });
});

test('a split over several files maps global indices to the right file and record', () => {
  const dir = tempDir('cifar');
  const first = path.join(dir, 'a.bin');
  const second = path.join(dir, 'b.bin');
  writeFileSync(first, cifarBatch([{ id: 0, label: 0 }, { id: 1, label: 1 }]));
  writeFileSync(second, cifarBatch([{ id: 2, label: 2 }, { id: 3, label: 3 }, { id: 4, label: 4 }]));
  const split = openCifar10Split('two files', [first, second]);
  assert.deepEqual([...split.labels], [0, 1, 2, 3, 4]);
  const images = split.readImages(Uint32Array.of(1, 3, 4));
  assert.equal(images.length, 3 * 3072);
  for (const [slot, id] of [1, 3, 4].entries()) assert.equal(images[slot * 3072 + 3 * 5], fixturePixel(id, 0, 5));
  assert.throws(() => split.readImages(Uint32Array.of(3, 1)), RangeError);
  rmSync(dir, { recursive: true });
});

test('a missing CIFAR-10 folder names the command that installs it', () => {
  const dir = tempDir('cifar');
  assert.throws(() => openCifar10(dir), (error: Error) => error instanceof MissingDataError && /npx iwlab data cifar10/.test(error.message) && /data_batch_1\.bin/.test(error.message));
  rmSync(dir, { recursive: true });
});

const realDir = realDataDir('cifar10');

test('real CIFAR-10: 5000 training and 1000 test images per class, the first labels, the published channel means', { skip: realDir === undefined && 'CIFAR-10 is in neither data/ nor ../shared/data' }, () => {
  const { train, test: testSplit } = openCifar10(realDir!);
  assert.equal(train.labels.length, 50000);
  assert.equal(testSplit.labels.length, 10000);
  for (let c = 0; c < 10; c++) {
    assert.equal(train.labels.filter((label) => label === c).length, 5000, CIFAR10_CLASSES[c]);
    assert.equal(testSplit.labels.filter((label) => label === c).length, 1000, CIFAR10_CLASSES[c]);
  }
  // The first records of data_batch_1 (frog, truck, truck, deer, automobile) and test_batch (cat, ship, ship, airplane, frog).
  assert.deepEqual([...train.labels.slice(0, 5)], [6, 9, 9, 4, 1]);
  assert.deepEqual([...testSplit.labels.slice(0, 5)], [3, 8, 8, 0, 6]);

  // Per-channel means of the whole training set, file by file to keep memory flat; published: 0.49139968, 0.48215841, 0.44653091.
  const sums = [0, 0, 0];
  for (const file of CIFAR10_TRAIN_FILES) {
    const split = openCifar10Split(file, [path.join(realDir!, CIFAR10_DIR, file)]);
    const pixels = split.readImages(Uint32Array.from({ length: split.labels.length }, (_, i) => i));
    for (let i = 0; i < pixels.length; i += 3) {
      sums[0] += pixels[i]!;
      sums[1] += pixels[i + 1]!;
      sums[2] += pixels[i + 2]!;
    }
  }
  const means = sums.map((sum) => sum / (50000 * 1024 * 255));
  [0.49139968, 0.48215841, 0.44653091].forEach((published, c) => assert.ok(Math.abs(means[c]! - published) < 1e-7, `channel ${c}: ${means[c]}`));
});
