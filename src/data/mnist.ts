import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CorruptDataError, MissingDataError, fetchHint } from './errors';
import { checkSortedIndices, type ImageSplit } from './imageSplit';

/**
 * MNIST in LeCun's IDX format (http://yann.lecun.com/exdb/mnist/), usually gzipped. Big-endian
 * header, then one unsigned byte per item:
 *   images: magic 2051 (0x00000803), count, rows (28), columns (28), then pixels row-major;
 *   labels: magic 2049 (0x00000801), count, then one digit 0-9 per item.
 * The header is checked, and the file's size against it, before any pixel is trusted.
 */
export const MNIST_DIR = 'mnist';
export const IDX_IMAGES_MAGIC = 2051;
export const IDX_LABELS_MAGIC = 2049;
export const IDX_IMAGES_HEADER_BYTES = 16;
export const IDX_LABELS_HEADER_BYTES = 8;
export const MNIST_IMAGE_SIZE = 28;
export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;
/** gzip files start with these two bytes (RFC 1952). */
const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** The four official files, by split; each may be stored gzipped (as published) or decompressed. */
export const MNIST_FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
} as const;

export interface IdxImages {
  count: number;
  rows: number;
  columns: number;
  /** count * rows * columns bytes, a view into the file's bytes. */
  pixels: Uint8Array;
}

function header(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function parseIdxImages(bytes: Uint8Array, fileName: string): IdxImages {
  if (bytes.length < IDX_IMAGES_HEADER_BYTES) {
    throw new CorruptDataError(`${fileName} is ${bytes.length} bytes, shorter than the 16-byte IDX image header: it is truncated. ${fetchHint('mnist')}`);
  }
  const view = header(bytes);
  const magic = view.getUint32(0);
  if (magic !== IDX_IMAGES_MAGIC) {
    throw new CorruptDataError(`${fileName} starts with magic number ${magic}, not ${IDX_IMAGES_MAGIC}: it is not an IDX image file. ${fetchHint('mnist')}`);
  }
  const count = view.getUint32(4);
  const rows = view.getUint32(8);
  const columns = view.getUint32(12);
  if (rows !== MNIST_IMAGE_SIZE || columns !== MNIST_IMAGE_SIZE) {
    throw new CorruptDataError(`${fileName} holds ${rows}x${columns} images; MNIST images are 28x28. ${fetchHint('mnist')}`);
  }
  const expected = IDX_IMAGES_HEADER_BYTES + count * rows * columns;
  if (bytes.length !== expected) {
    throw new CorruptDataError(
      `${fileName} is ${bytes.length} bytes but its header promises ${count} images (${expected} bytes): it is truncated or damaged. ${fetchHint('mnist')}`,
    );
  }
  return { count, rows, columns, pixels: bytes.subarray(IDX_IMAGES_HEADER_BYTES) };
}

export function parseIdxLabels(bytes: Uint8Array, fileName: string): Uint8Array {
  if (bytes.length < IDX_LABELS_HEADER_BYTES) {
    throw new CorruptDataError(`${fileName} is ${bytes.length} bytes, shorter than the 8-byte IDX label header: it is truncated. ${fetchHint('mnist')}`);
  }
  const view = header(bytes);
  const magic = view.getUint32(0);
  if (magic !== IDX_LABELS_MAGIC) {
    throw new CorruptDataError(`${fileName} starts with magic number ${magic}, not ${IDX_LABELS_MAGIC}: it is not an IDX label file. ${fetchHint('mnist')}`);
  }
  const count = view.getUint32(4);
  if (bytes.length !== IDX_LABELS_HEADER_BYTES + count) {
    throw new CorruptDataError(
      `${fileName} is ${bytes.length} bytes but its header promises ${count} labels (${IDX_LABELS_HEADER_BYTES + count} bytes): it is truncated or damaged. ${fetchHint('mnist')}`,
    );
  }
  const labels = bytes.slice(IDX_LABELS_HEADER_BYTES);
  const bad = labels.findIndex((label) => label >= MNIST_CLASSES.length);
  if (bad >= 0) throw new CorruptDataError(`${fileName}: label ${bad} is ${labels[bad]}, not a digit 0-9. ${fetchHint('mnist')}`);
  return labels;
}

/** Where an IDX file is in `dir`: the gzip as published, else a decompressed copy. */
export function findIdxFile(dir: string, baseName: string): string {
  for (const candidate of [`${baseName}.gz`, baseName]) {
    const filePath = path.join(dir, candidate);
    if (existsSync(filePath)) return filePath;
  }
  throw new MissingDataError(`MNIST file ${path.join(dir, baseName)}.gz is missing. ${fetchHint('mnist')}`);
}

/** The bytes of an IDX file, gunzipped when the file is a gzip (checked by its magic, not its name). */
export function readIdxFile(filePath: string): Uint8Array {
  const bytes = readFileSync(filePath);
  if (bytes[0] !== GZIP_MAGIC[0] || bytes[1] !== GZIP_MAGIC[1]) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CorruptDataError(`${filePath} is not a complete gzip file (${reason}): it is truncated or damaged. ${fetchHint('mnist')}`);
  }
}

/** One MNIST split: labels now, pixels (gunzipped once per call) when images are read. */
export function openMnistSplit(name: string, dir: string, files: { images: string; labels: string }): ImageSplit {
  const labelsPath = findIdxFile(dir, files.labels);
  const imagesPath = findIdxFile(dir, files.images);
  const labels = parseIdxLabels(readIdxFile(labelsPath), labelsPath);
  const imageBytes = MNIST_IMAGE_SIZE * MNIST_IMAGE_SIZE;
  return {
    name,
    labels,
    height: MNIST_IMAGE_SIZE,
    width: MNIST_IMAGE_SIZE,
    channels: 1,
    readImages(indices) {
      checkSortedIndices(indices, labels.length, name);
      const images = parseIdxImages(readIdxFile(imagesPath), imagesPath);
      if (images.count !== labels.length) {
        throw new CorruptDataError(`${imagesPath} holds ${images.count} images but ${labelsPath} ${labels.length} labels: the pair does not match. ${fetchHint('mnist')}`);
      }
      const target = new Uint8Array(indices.length * imageBytes);
      indices.forEach((index, i) => target.set(images.pixels.subarray(index * imageBytes, (index + 1) * imageBytes), i * imageBytes));
      return target;
    },
  };
}

/** MNIST's train (60,000 images) and test (10,000) splits from `<dataDir>/mnist`. */
export function openMnist(dataDir: string): { train: ImageSplit; test: ImageSplit } {
  const dir = path.join(dataDir, MNIST_DIR);
  return {
    train: openMnistSplit('MNIST train', dir, MNIST_FILES.train),
    test: openMnistSplit('MNIST test', dir, MNIST_FILES.test),
  };
}
