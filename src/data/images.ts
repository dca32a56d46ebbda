import type { DataSpec, ExampleSource, FigureData } from './types';
import { type Rng, dataSubstream } from '../rng';
import { CIFAR10_CLASSES, openCifar10 } from './cifar10';
import { DataSpecError } from './errors';
import type { ImageSplit } from './imageSplit';
import { imageSource } from './imageSource';
import { MNIST_CLASSES, openMnist } from './mnist';
import { resizeBilinear } from './resizeBilinear';
import { classIndices, mergeSorted, sampleWithoutReplacement, subsampledCount } from './subsets';

/**
 * The image figures' data: a class pair from CIFAR-10 or MNIST as the training set (label 1 = the
 * base class), the same pair's test images as the in-domain test set, and the other eight classes'
 * test images (labels 0) as the out-of-domain set. Pixels stay uint8 until a batch is gathered.
 */
export type ImageDataSpec = Extract<DataSpec, { source: 'cifar10' | 'mnist' }>;

export interface LoadImageDataOptions {
  /** Folder holding cifar-10-batches-bin/ and mnist/ (see data/README.md); usually DEFAULT_DATA_DIR. */
  dataDir: string;
  /** The run's seed: picks the subsets (perClass, testPerClass, outOfDomainCount, baseClassFraction). */
  seed: number;
  /** Channels of the batches; default the dataset's own (CIFAR-10 3, MNIST 1). 3 repeats MNIST's grey. */
  channels?: 1 | 3;
}

/** Side of the images the models take: MNIST's 28x28 is resized to it, as NYU's Resize(32) did. */
export const IMAGE_SIZE = 32;

/** Which subset draws from which RNG stream; each has its own so that changing one size never changes another subset. */
const SUBSET_STREAMS = { trainBase: 0, subsample: 1, trainOther: 2, testBase: 3, testOther: 4, outOfDomain: 5 } as const;

export async function loadImageData(spec: ImageDataSpec, options: LoadImageDataOptions): Promise<FigureData> {
  const dataset = spec.source === 'cifar10' ? { title: 'CIFAR-10', classes: CIFAR10_CLASSES as readonly string[] } : { title: 'MNIST', classes: MNIST_CLASSES as readonly string[] };
  const [baseName, otherName] = spec.classes;
  const base = classIndex(dataset.classes, baseName, dataset.title);
  const other = classIndex(dataset.classes, otherName, dataset.title);
  if (base === other) throw new DataSpecError(`classes names '${baseName}' twice; a figure needs two different classes [base, other].`);
  const outOfDomainClasses = dataset.classes.map((_, index) => index).filter((index) => index !== base && index !== other);

  const rng = (stream: number) => dataSubstream(options.seed, stream);
  const splits = spec.source === 'cifar10' ? openCifar10(options.dataDir) : openMnist(options.dataDir);
  const pairName = `${dataset.title} ${baseName}/${otherName}`;

  // Training set: perClass of each class, then (sub-sampling figure) a fraction of the base class.
  let trainBase = pick(splits.train, base, baseName, spec.perClass, 'perClass', rng(SUBSET_STREAMS.trainBase));
  if (spec.baseClassFraction !== undefined && spec.baseClassFraction !== 1) {
    trainBase = sampleWithoutReplacement(trainBase, subsampledCount(trainBase.length, spec.baseClassFraction), rng(SUBSET_STREAMS.subsample));
  }
  const trainOther = pick(splits.train, other, otherName, spec.perClass, 'perClass', rng(SUBSET_STREAMS.trainOther));

  const testBase = pick(splits.test, base, baseName, spec.testPerClass, 'testPerClass', rng(SUBSET_STREAMS.testBase));
  const testOther = pick(splits.test, other, otherName, spec.testPerClass, 'testPerClass', rng(SUBSET_STREAMS.testOther));
  const outOfDomainPool = classIndices(splits.test.labels, outOfDomainClasses);
  if (spec.outOfDomainCount !== undefined && spec.outOfDomainCount > outOfDomainPool.length) {
    throw new DataSpecError(`outOfDomainCount ${spec.outOfDomainCount} exceeds the ${outOfDomainPool.length} ${dataset.title} test images outside ${baseName}/${otherName}; lower it or leave it undefined for all.`);
  }
  const outOfDomain = sampleWithoutReplacement(outOfDomainPool, spec.outOfDomainCount, rng(SUBSET_STREAMS.outOfDomain));

  const channels = options.channels;
  return {
    train: gather(`${pairName} train`, splits.train, mergeSorted(trainBase, trainOther), base, channels),
    inDomain: gather(`${pairName} test`, splits.test, mergeSorted(testBase, testOther), base, channels),
    outOfDomain: gather(`${dataset.title} test, other ${outOfDomainClasses.length} classes`, splits.test, outOfDomain, -1, channels),
  };
}

function classIndex(classes: readonly string[], name: string, title: string): number {
  const index = classes.indexOf(name);
  if (index < 0) throw new DataSpecError(`${title} has no class '${name}'; its classes are ${classes.map((c) => `'${c}'`).join(', ')}.`);
  return index;
}

/** `size` images of one class (all when undefined), seeded, ascending. */
function pick(split: ImageSplit, classIndexValue: number, className: string, size: number | undefined, field: string, rng: Rng): Uint32Array {
  const pool = classIndices(split.labels, [classIndexValue]);
  if (size !== undefined && (!Number.isInteger(size) || size < 1 || size > pool.length)) {
    throw new DataSpecError(`${field} ${size} is not possible: ${split.name} has ${pool.length} images of '${className}'. Use 1..${pool.length}, or leave it undefined for all.`);
  }
  return sampleWithoutReplacement(pool, size, rng);
}

/** Reads the chosen images once into uint8 storage (resized to 32x32 when needed); label 1 where the class is `base`. */
function gather(name: string, split: ImageSplit, indices: Uint32Array, base: number, channels: 1 | 3 | undefined): ExampleSource {
  let pixels = split.readImages(indices);
  if (split.height !== IMAGE_SIZE || split.width !== IMAGE_SIZE) {
    pixels = resizeBilinear(pixels, indices.length, split.height, split.width, split.channels, IMAGE_SIZE, IMAGE_SIZE);
  }
  const labels = new Uint8Array(indices.length);
  indices.forEach((index, i) => {
    labels[i] = split.labels[index] === base ? 1 : 0;
  });
  return imageSource(name, { pixels, height: IMAGE_SIZE, width: IMAGE_SIZE, channels: split.channels }, labels, channels === undefined ? {} : { channels });
}
