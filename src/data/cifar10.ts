import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { CorruptDataError, MissingDataError, fetchHint } from './errors';
import { checkSortedIndices, type ImageSplit } from './imageSplit';

/**
 * The CIFAR-10 binary version (https://www.cs.toronto.edu/~kriz/cifar.html): each batch file is a
 * run of fixed-size records, 1 label byte (0-9) then 3072 pixel bytes: the red, green and blue
 * 32x32 planes, each row-major. No header, so a file is trusted only if its size is a whole number
 * of records and every label byte is a class index.
 */
export const CIFAR10_DIR = 'cifar-10-batches-bin';
export const CIFAR10_TRAIN_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'] as const;
export const CIFAR10_TEST_FILE = 'test_batch.bin';
export const CIFAR10_META_FILE = 'batches.meta.txt';
export const CIFAR10_IMAGE_SIZE = 32;
export const CIFAR10_CHANNELS = 3;
export const CIFAR10_LABEL_BYTES = 1;
export const CIFAR10_PLANE_BYTES = CIFAR10_IMAGE_SIZE * CIFAR10_IMAGE_SIZE; // 1024
export const CIFAR10_RECORD_BYTES = CIFAR10_LABEL_BYTES + CIFAR10_CHANNELS * CIFAR10_PLANE_BYTES; // 3073
/** Records in each official batch file (10,000; 30,730,000 bytes). */
export const CIFAR10_RECORDS_PER_FILE = 10000;
/** Label i names class i (as batches.meta.txt lists them). */
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;

/** Records read per system call: big enough to stream fast, small enough to keep memory flat (~3 MB). */
const RECORDS_PER_CHUNK = 1000;

/** Record count of a batch file, after checking that its size is a whole number of records. */
export function cifar10RecordCount(filePath: string): number {
  if (!existsSync(filePath)) {
    throw new MissingDataError(`CIFAR-10 file ${filePath} is missing. ${fetchHint('cifar10')}`);
  }
  const bytes = statSync(filePath).size;
  if (bytes === 0 || bytes % CIFAR10_RECORD_BYTES !== 0) {
    throw new CorruptDataError(
      `${filePath} is ${bytes} bytes, not a whole number of ${CIFAR10_RECORD_BYTES}-byte CIFAR-10 records ` +
        `(an official batch is ${CIFAR10_RECORDS_PER_FILE * CIFAR10_RECORD_BYTES}): it is truncated or not a CIFAR-10 binary batch. ` +
        `Delete it and reinstall: ${fetchHint('cifar10')}`,
    );
  }
  return bytes / CIFAR10_RECORD_BYTES;
}

/**
 * Calls `visit(record, bytes, offset)` for every record of a batch file, where bytes[offset] is the
 * record's label byte, until `visit` returns false. Reads in chunks through one reused buffer.
 */
function forEachRecord(filePath: string, visit: (record: number, bytes: Uint8Array, offset: number) => boolean | void): void {
  const count = cifar10RecordCount(filePath);
  const buffer = new Uint8Array(Math.min(count, RECORDS_PER_CHUNK) * CIFAR10_RECORD_BYTES);
  const fd = openSync(filePath, 'r');
  try {
    for (let first = 0; first < count; first += RECORDS_PER_CHUNK) {
      const records = Math.min(RECORDS_PER_CHUNK, count - first);
      const wanted = records * CIFAR10_RECORD_BYTES;
      let filled = 0;
      while (filled < wanted) {
        const read = readSync(fd, buffer, filled, wanted - filled, first * CIFAR10_RECORD_BYTES + filled);
        if (read === 0) throw new CorruptDataError(`${filePath} ended early while reading (was it being replaced?). ${fetchHint('cifar10')}`);
        filled += read;
      }
      for (let r = 0; r < records; r++) {
        if (visit(first + r, buffer, r * CIFAR10_RECORD_BYTES) === false) return;
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** The label byte of every record, checked to be a class index. */
export function readCifar10Labels(filePath: string): Uint8Array {
  const labels = new Uint8Array(cifar10RecordCount(filePath));
  forEachRecord(filePath, (record, bytes, offset) => {
    const label = bytes[offset]!;
    if (label >= CIFAR10_CLASSES.length) {
      throw new CorruptDataError(
        `${filePath}: record ${record} has label byte ${label}, but CIFAR-10 labels are 0-9, so this is not a CIFAR-10 binary batch ` +
          `(or it is damaged). Delete it and reinstall: ${fetchHint('cifar10')}`,
      );
    }
    labels[record] = label;
  });
  return labels;
}

/**
 * Copies the records at `indices` (ascending) into `target` from `targetOffset` on, converting the
 * file's planar CHW layout to the NHWC layout tfjs convolutions take.
 */
export function readCifar10Images(filePath: string, indices: Uint32Array, target: Uint8Array, targetOffset = 0): void {
  const imageBytes = CIFAR10_CHANNELS * CIFAR10_PLANE_BYTES;
  let next = 0;
  let out = targetOffset;
  forEachRecord(filePath, (record, bytes, offset) => {
    if (next >= indices.length) return false; // nothing more wanted from this file
    if (indices[next] !== record) return;
    const pixels = offset + CIFAR10_LABEL_BYTES;
    for (let p = 0; p < CIFAR10_PLANE_BYTES; p++) {
      target[out + 3 * p] = bytes[pixels + p]!;
      target[out + 3 * p + 1] = bytes[pixels + CIFAR10_PLANE_BYTES + p]!;
      target[out + 3 * p + 2] = bytes[pixels + 2 * CIFAR10_PLANE_BYTES + p]!;
    }
    out += imageBytes;
    next++;
  });
}

/** A split made of one or more batch files, read as one run of images. */
export function openCifar10Split(name: string, filePaths: readonly string[]): ImageSplit {
  const perFile = filePaths.map((filePath) => readCifar10Labels(filePath));
  const labels = new Uint8Array(perFile.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of perFile) {
    labels.set(part, offset);
    offset += part.length;
  }
  const imageBytes = CIFAR10_CHANNELS * CIFAR10_PLANE_BYTES;
  return {
    name,
    labels,
    height: CIFAR10_IMAGE_SIZE,
    width: CIFAR10_IMAGE_SIZE,
    channels: CIFAR10_CHANNELS,
    readImages(indices) {
      checkSortedIndices(indices, labels.length, name);
      const target = new Uint8Array(indices.length * imageBytes);
      let first = 0; // index into `indices` of the first image in the current file
      let fileStart = 0; // global index of the file's first record
      filePaths.forEach((filePath, file) => {
        const fileCount = perFile[file]!.length;
        let end = first;
        while (end < indices.length && indices[end]! < fileStart + fileCount) end++;
        if (end > first) {
          const local = indices.slice(first, end).map((index) => index - fileStart);
          readCifar10Images(filePath, local, target, first * imageBytes);
        }
        first = end;
        fileStart += fileCount;
      });
      return target;
    },
  };
}

/** CIFAR-10's train (5 batches, 50,000 images) and test (10,000) splits from `<dataDir>/cifar-10-batches-bin`. */
export function openCifar10(dataDir: string): { train: ImageSplit; test: ImageSplit } {
  const dir = path.join(dataDir, CIFAR10_DIR);
  const files = [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE];
  const missing = files.filter((file) => !existsSync(path.join(dir, file)));
  if (missing.length > 0) {
    throw new MissingDataError(`CIFAR-10 is not installed in ${dir} (missing ${missing.join(', ')}). ${fetchHint('cifar10')}`);
  }
  return {
    train: openCifar10Split('CIFAR-10 train', CIFAR10_TRAIN_FILES.map((file) => path.join(dir, file))),
    test: openCifar10Split('CIFAR-10 test', [path.join(dir, CIFAR10_TEST_FILE)]),
  };
}
