import { CIFAR10_DIR } from './cifar10';
import type { DatasetId } from './errors';
import { MNIST_DIR } from './mnist';

/**
 * What `iwlab data` installs: for each dataset, the files its loader reads (each with a published
 * md5), and where the official copy comes from. Checksums are the authors' / torchvision's.
 */
export interface DatasetFile {
  /** Name inside the dataset's folder. */
  name: string;
  md5: string;
  /** Exact size, when known: a cheap first check, and the progress bar's total. */
  bytes?: number;
  /** The same content stored another way a mirror may hold (MNIST decompressed, as torchvision's raw/ folder has it). */
  alternative?: { name: string; md5: string; bytes?: number };
}

export type DatasetOrigin =
  /** One archive whose member folder `member` holds the files (CIFAR-10's tarball). */
  | { kind: 'archive'; name: string; urls: readonly string[]; md5: string; bytes?: number; member: string }
  /** Each file fetched on its own, trying each base URL in turn (the first that works wins). */
  | { kind: 'files'; baseUrls: readonly string[] };

export interface DatasetManifest {
  id: DatasetId;
  title: string;
  /** Folder under the data dir (and under a mirror) that holds the files. */
  dir: string;
  files: readonly DatasetFile[];
  origin: DatasetOrigin;
}

const CIFAR10_BATCH_BYTES = 30730000;

export const CIFAR10_MANIFEST: DatasetManifest = {
  id: 'cifar10',
  title: 'CIFAR-10 (binary version)',
  dir: CIFAR10_DIR,
  // md5s of the files as extracted from the official tarball (verified in shared/data/README.md).
  files: [
    { name: 'data_batch_1.bin', md5: '5dd7e06a14cb22eb9f671a540d1b7c25', bytes: CIFAR10_BATCH_BYTES },
    { name: 'data_batch_2.bin', md5: '5ea93a67294ea407fff1d09f752e9692', bytes: CIFAR10_BATCH_BYTES },
    { name: 'data_batch_3.bin', md5: '942cd6a4bcdd0dd3c604fbe906cb4421', bytes: CIFAR10_BATCH_BYTES },
    { name: 'data_batch_4.bin', md5: 'ae636b3ba5c66a11e91e8cb52e771fcb', bytes: CIFAR10_BATCH_BYTES },
    { name: 'data_batch_5.bin', md5: '53f37980c15c3d472c316c40844f3f0d', bytes: CIFAR10_BATCH_BYTES },
    { name: 'test_batch.bin', md5: '803d5f7f4d78ea53de84dbe85f74fb6d', bytes: CIFAR10_BATCH_BYTES },
    // No published md5 exists for the class-name file; this is the md5 of the copy in the official tarball.
    { name: 'batches.meta.txt', md5: '728051cd483f366e254dddb25bead8b3', bytes: 61 },
  ],
  origin: {
    kind: 'archive',
    name: 'cifar-10-binary.tar.gz',
    // The md5 published on the page, next to the link.
    urls: ['https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz'],
    md5: 'c32a1d4ab5d03f1284b67883e8d87530',
    member: CIFAR10_DIR,
  },
};

export const MNIST_MANIFEST: DatasetManifest = {
  id: 'mnist',
  title: 'MNIST',
  dir: MNIST_DIR,
  // The .gz md5s are the ones torchvision checks; the decompressed md5s were checked against the
  // same files (shared/data/README.md).
  files: [
    { name: 'train-images-idx3-ubyte.gz', md5: 'f68b3c2dcbeaaa9fbdd348bbdeb94873', bytes: 9912422, alternative: { name: 'train-images-idx3-ubyte', md5: '6bbc9ace898e44ae57da46a324031adb', bytes: 47040016 } },
    { name: 'train-labels-idx1-ubyte.gz', md5: 'd53e105ee54ea40749a09fcbcd1e9432', bytes: 28881, alternative: { name: 'train-labels-idx1-ubyte', md5: 'a25bea736e30d166cdddb491f175f624', bytes: 60008 } },
    { name: 't10k-images-idx3-ubyte.gz', md5: '9fb629c4189551a2d022fa330f9573f3', bytes: 1648877, alternative: { name: 't10k-images-idx3-ubyte', md5: '2646ac647ad5339dbf082846283269ea', bytes: 7840016 } },
    { name: 't10k-labels-idx1-ubyte.gz', md5: 'ec29112dd5afa0611ce80d1b7f02629c', bytes: 4542, alternative: { name: 't10k-labels-idx1-ubyte', md5: '27ae3e4e09519cfbb04c329615203637', bytes: 10008 } },
  ],
  origin: {
    kind: 'files',
    // LeCun's original page first; torchvision's maintained mirror when it fails (it often answers 403/404 now).
    baseUrls: ['http://yann.lecun.com/exdb/mnist/', 'https://ossci-datasets.s3.amazonaws.com/mnist/'],
  },
};

export const DATASETS: Record<DatasetId, DatasetManifest> = { cifar10: CIFAR10_MANIFEST, mnist: MNIST_MANIFEST };
