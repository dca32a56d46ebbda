import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bilinearCoefficients, resizeBilinear } from '../../src/data/resizeBilinear';

// Expected values worked out by hand from Pillow's algorithm (and the same as PIL 9.4's
// Image.resize(size, Image.BILINEAR) on these inputs).

test('upscaling a row 4 -> 5 weights neighbours by distance from the sample centre', () => {
  // scale 0.8: output centres 0.4, 1.2, 2.0, 2.8, 3.6. Output 1 takes 0.3 * 0 + 0.7 * 100 = 70;
  // output 2 is halfway, 150; output 3 is 0.7 * 200 + 0.3 * 250 = 215; the ends see one pixel only.
  const row = Uint8Array.of(0, 100, 200, 250);
  assert.deepEqual([...resizeBilinear(row, 1, 1, 4, 1, 1, 5)], [0, 70, 150, 215, 250]);
});

test('a 2x2 checkerboard to 3x3: corners kept, halfway points round 127.5 up', () => {
  const board = Uint8Array.of(0, 255, 255, 0);
  assert.deepEqual([...resizeBilinear(board, 1, 2, 2, 1, 3, 3)], [0, 128, 255, 128, 128, 128, 255, 128, 0]);
});

test('MNIST 28 -> 32: each output mixes at most two inputs, with weights summing to one', () => {
  const { used, weights, taps, first } = bilinearCoefficients(28, 32);
  for (let out = 0; out < 32; out++) {
    assert.ok(used[out]! >= 1 && used[out]! <= 2);
    let sum = 0;
    for (let k = 0; k < taps; k++) sum += weights[out * taps + k]!;
    assert.ok(Math.abs(sum - 2 ** 22) <= 2, `output ${out} weights sum to ${sum}`);
  }
  assert.equal(first[0], 0);
  assert.equal(first[31]! + used[31]!, 28);
});

test('a constant image stays constant, per channel, for any size', () => {
  const image = new Uint8Array(28 * 28 * 3);
  for (let p = 0; p < 28 * 28; p++) image.set([17, 200, 255], 3 * p);
  const out = resizeBilinear(image, 1, 28, 28, 3, 32, 32);
  for (let p = 0; p < 32 * 32; p++) assert.deepEqual([...out.subarray(3 * p, 3 * p + 3)], [17, 200, 255]);
  const down = resizeBilinear(image, 1, 28, 28, 3, 9, 13);
  assert.ok(down.every((value, i) => value === [17, 200, 255][i % 3]));
});

test('images in a batch are resized independently', () => {
  const two = new Uint8Array(2 * 4);
  two.set([0, 100, 200, 250], 0);
  two.set([250, 200, 100, 0], 4);
  assert.deepEqual([...resizeBilinear(two, 2, 1, 4, 1, 1, 5)], [0, 70, 150, 215, 250, 250, 215, 150, 70, 0]);
  assert.throws(() => resizeBilinear(two, 3, 1, 4, 1, 1, 5), RangeError);
});
