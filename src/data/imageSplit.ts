/**
 * One split of an image dataset (CIFAR-10 train, MNIST test, ...) as its parser opens it: the
 * labels of every image up front (one byte each), the pixels only on request, so a loader picks
 * its subset first and never holds more than the images it keeps.
 */
export interface ImageSplit {
  /** For messages: 'CIFAR-10 train'. */
  readonly name: string;
  /** Class index (0-9) of every image, in file order. */
  readonly labels: Uint8Array;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /**
   * Copies the images at `indices` (ascending, into labels) into one compact uint8 array,
   * NHWC order: [indices.length, height, width, channels].
   */
  readImages(indices: Uint32Array): Uint8Array;
}

/** Throws unless indices are ascending, unique and inside [0, count): readers rely on it. */
export function checkSortedIndices(indices: Uint32Array, count: number, split: string): void {
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i]!;
    if (index >= count || (i > 0 && index <= indices[i - 1]!)) {
      throw new RangeError(`${split}: image indices must be ascending, unique and below ${count}; got ${index} at position ${i}.`);
    }
  }
}
