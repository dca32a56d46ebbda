import * as tf from '@tensorflow/tfjs';
import type { ExampleSource } from './types';

/**
 * Images kept as compact uint8 NHWC storage, exposed as an ExampleSource whose batch() gathers the
 * requested images and normalises only them to float32: (x / 255 - 0.5) / 0.5, i.e. torchvision's
 * ToTensor + Normalize(mean 0.5, std 0.5) per channel, values in [-1, 1].
 */
export interface ImageStorage {
  /** [count, height, width, channels] bytes. */
  pixels: Uint8Array;
  height: number;
  width: number;
  channels: number;
}

/** The normalised value of every possible byte, so batch() is one table lookup per value. */
export const NORMALISED_BYTE = Float32Array.from({ length: 256 }, (_, value) => (value / 255 - 0.5) / 0.5);

export interface ImageSourceOptions {
  /** Channels batch() returns; 3 from a 1-channel storage repeats the grey value (MNIST into an RGB model). */
  channels?: 1 | 3;
}

export function imageSource(name: string, storage: ImageStorage, labels: Uint8Array, options: ImageSourceOptions = {}): ExampleSource {
  const { pixels, height, width } = storage;
  const stored = storage.channels;
  const channels = options.channels ?? stored;
  if (channels !== stored && !(stored === 1 && channels === 3)) {
    throw new RangeError(`${name}: cannot give ${channels}-channel batches from ${stored}-channel images (only 1 -> 3 is supported).`);
  }
  const imageBytes = height * width * stored;
  if (pixels.length !== labels.length * imageBytes) {
    throw new RangeError(`${name}: ${pixels.length} pixel bytes do not make ${labels.length} images of ${height}x${width}x${stored}.`);
  }
  const count = labels.length;
  const outPerImage = height * width * channels;
  return {
    name,
    count,
    exampleShape: [height, width, channels],
    labels,
    batch(indices) {
      const values = new Float32Array(indices.length * outPerImage);
      for (let i = 0; i < indices.length; i++) {
        const index = indices[i]!;
        if (!(index >= 0 && index < count)) throw new RangeError(`${name}: example index ${index} is outside 0..${count - 1}.`);
        const from = index * imageBytes;
        const to = i * outPerImage;
        if (channels === stored) {
          for (let k = 0; k < imageBytes; k++) values[to + k] = NORMALISED_BYTE[pixels[from + k]!]!;
        } else {
          for (let k = 0; k < imageBytes; k++) {
            const value = NORMALISED_BYTE[pixels[from + k]!]!;
            values[to + 3 * k] = value;
            values[to + 3 * k + 1] = value;
            values[to + 3 * k + 2] = value;
          }
        }
      }
      return tf.tensor4d(values, [indices.length, height, width, channels]);
    },
  };
}
