import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { imageSource } from '../../src/data/imageSource';

test('batch() gathers the requested images as float32 NHWC, (x / 255 - 0.5) / 0.5', async () => {
  await tf.setBackend('cpu');
  // Two 1x2 RGB images.
  const pixels = Uint8Array.of(0, 255, 51, 102, 153, 204, 10, 20, 30, 40, 50, 60);
  const source = imageSource('tiny', { pixels, height: 1, width: 2, channels: 3 }, Uint8Array.of(1, 0));
  assert.deepEqual(source.exampleShape, [1, 2, 3]);
  const batch = source.batch([1, 0, 1]);
  assert.deepEqual(batch.shape, [3, 1, 2, 3]);
  assert.equal(batch.dtype, 'float32');
  const values = await batch.data();
  batch.dispose();
  const expected = [10, 20, 30, 40, 50, 60, 0, 255, 51, 102, 153, 204, 10, 20, 30, 40, 50, 60].map((x) => (x / 255 - 0.5) / 0.5);
  expected.forEach((value, i) => assert.ok(Math.abs(values[i]! - value) < 1e-6, `value ${i}`));
  assert.equal(values[6], -1);
  assert.equal(values[7], 1);
});

test('a 1-channel source gives 3 channels on request, the grey value repeated', async () => {
  await tf.setBackend('cpu');
  const source = imageSource('grey', { pixels: Uint8Array.of(0, 255), height: 1, width: 1, channels: 1 }, Uint8Array.of(1, 1), { channels: 3 });
  assert.deepEqual(source.exampleShape, [1, 1, 3]);
  const batch = source.batch([1, 0]);
  assert.deepEqual([...(await batch.data())], [1, 1, 1, -1, -1, -1]);
  batch.dispose();
  assert.throws(() => imageSource('rgb', { pixels: new Uint8Array(3), height: 1, width: 1, channels: 3 }, Uint8Array.of(0), { channels: 1 }), RangeError);
});

test('bad indices and inconsistent storage are refused', () => {
  const source = imageSource('tiny', { pixels: new Uint8Array(4), height: 2, width: 2, channels: 1 }, Uint8Array.of(0));
  assert.throws(() => source.batch([1]), /index 1 is outside 0..0/);
  assert.throws(() => imageSource('bad', { pixels: new Uint8Array(5), height: 2, width: 2, channels: 1 }, Uint8Array.of(0)), RangeError);
});
