import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { seededDropout } from '../../src/models/dropout';

test('seeded dropout zeroes about `rate` of the units and scales the rest by 1 / (1 - rate)', () => {
  const x = tf.ones([100, 100]) as tf.Tensor2D;
  const y = seededDropout(x, 0.3, 12, 0).dataSync();
  const dropped = y.filter((v) => v === 0).length / y.length;
  assert.ok(Math.abs(dropped - 0.3) < 0.02, `dropped ${dropped}`);
  assert.ok(y.every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-6));
  // Layers in one step get different masks; the same (seed, layer) gives the same mask.
  assert.notDeepEqual(seededDropout(x, 0.3, 12, 1).dataSync(), y);
  assert.deepEqual(seededDropout(x, 0.3, 12, 0).dataSync(), y);
  assert.equal(seededDropout(x, 0, 12, 0), x);
  assert.throws(() => seededDropout(x, 1, 12, 0), RangeError);
  x.dispose();
});
