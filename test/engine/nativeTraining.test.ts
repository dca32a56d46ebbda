import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { engineSettingsFromEnv } from '../../src/engine/index';
import { applyNativeEnvironment, locateNativeEngine, requireTfjsNode } from '../../src/engine/nativeEngine';
import { convAttrs, registerNativeTrainingKernels } from '../../src/engine/nativeTraining';
import { Rng } from '../../src/rng';

const binding = { TF_ATTR_INT: 1, TF_ATTR_STRING: 2, TF_ATTR_BOOL: 3, TF_ATTR_TYPE: 4, TF_FLOAT: 5 };
const native = { binding, executeSingleOutput: () => assert.fail('not called') };

test('explicit padding reaches TensorFlow as explicit_paddings, in NHWC order, batch and channels unpadded', () => {
  const info = tf.backend_util.computeConv2DInfo([2, 30, 30, 3], [3, 3, 3, 8], 2, 1, [[0, 0], [1, 2], [1, 1], [0, 0]] as tf.backend_util.ExplicitPadding, undefined, false, 'channelsLast');
  const attrs = convAttrs(native, info);
  assert.deepEqual(
    attrs.map(({ name, value }) => [name, value]),
    [
      ['T', 5],
      ['strides', [1, 2, 2, 1]],
      ['padding', 'EXPLICIT'],
      ['data_format', 'NHWC'],
      ['use_cudnn_on_gpu', true],
      ['dilations', [1, 1, 1, 1]],
      ['explicit_paddings', [0, 0, 1, 2, 1, 1, 0, 0]],
    ],
  );
});

test("'same' and 'valid' padding pass no explicit_paddings", () => {
  for (const pad of ['same', 'valid'] as const) {
    const info = tf.backend_util.computeConv2DInfo([1, 8, 8, 2], [3, 3, 2, 4], 1, 1, pad, undefined, false, 'channelsLast');
    const attrs = convAttrs(native, info);
    assert.equal(attrs.find((attr) => attr.name === 'padding')?.value, pad.toUpperCase());
    assert.ok(!attrs.some((attr) => attr.name === 'explicit_paddings'));
  }
});

const location = locateNativeEngine(engineSettingsFromEnv().engineDir);
const skip = 'missing' in location ? `native engine not installed (${location.missing})` : false;

test('on the tensorflow backend, both conv gradients with padding 1 match the cpu reference (tfjs-node 4.22 alone throws)', { skip }, async () => {
  if ('missing' in location) return;
  applyNativeEnvironment(engineSettingsFromEnv());
  requireTfjsNode(location.packageDir, location.installed);
  registerNativeTrainingKernels();
  const rng = new Rng(5);
  const random = (shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1, 1)), shape);
  const values = [random([2, 9, 9, 3]), random([3, 3, 3, 4]), random([2, 5, 5, 4])];
  const gradients = async (backend: string) => {
    assert.ok(await tf.setBackend(backend));
    const [x, w, r] = values.map((t) => tf.tensor(t.dataSync(), t.shape));
    const grad = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]), r!)));
    const [dx, dw] = grad([x!, w!]);
    const out = [dx!.dataSync(), dw!.dataSync()];
    tf.dispose([x!, w!, r!, dx!, dw!]);
    return out;
  };
  const [nativeDx, nativeDw] = await gradients('tensorflow');
  const [cpuDx, cpuDw] = await gradients('cpu');
  const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));
  // Sums of at most 36 products of values in [-1, 1]: float32 round-off is below 1e-5.
  assert.ok(maxDiff(nativeDx!, cpuDx!) < 1e-5, `dx differs by ${maxDiff(nativeDx!, cpuDx!)}`);
  assert.ok(maxDiff(nativeDw!, cpuDw!) < 1e-5, `dW differs by ${maxDiff(nativeDw!, cpuDw!)}`);
});
