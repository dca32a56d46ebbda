import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { conv2DBackpropFilter } from '../../src/engine/wasm/conv2DBackpropFilter';
import { registerWasmTrainingKernels } from '../../src/engine/wasmTraining';
import { Rng } from '../../src/rng';

// The wasm gradients are checked against the cpu backend's reference kernels on the same inputs.

before(async () => {
  registerWasmTrainingKernels();
  assert.ok(await tf.setBackend('wasm'));
});

function randomArray(rng: Rng, size: number): Float32Array {
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = rng.uniform(-1, 1);
  return values;
}

async function onBackend<T>(name: string, fn: () => T): Promise<T> {
  const previous = tf.getBackend();
  await tf.setBackend(name);
  try {
    return fn();
  } finally {
    await tf.setBackend(previous);
  }
}

/** max |a - b| / (1 + max |b|): relative to the reference's scale, absolute near zero. */
function relativeError(actual: Float32Array, expected: Float32Array): number {
  assert.equal(actual.length, expected.length);
  let maxDiff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return maxDiff / (1 + scale);
}

type Padding = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

interface ConvCase {
  batch: number;
  size: [number, number];
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number | [number, number];
  pad: Padding;
}

/** dx and dW of sum(conv2d(x, W) * r) for fixed random x, W, r: exercises both backprop kernels. */
function convGradients(c: ConvCase, seed: number): { dx: Float32Array; dw: Float32Array; y: Float32Array } {
  const rng = new Rng(seed);
  const xShape: [number, number, number, number] = [c.batch, c.size[0], c.size[1], c.inChannels];
  const wShape: [number, number, number, number] = [c.kernel, c.kernel, c.inChannels, c.outChannels];
  return tf.tidy(() => {
    const x = tf.tensor4d(randomArray(rng, xShape.reduce((a, b) => a * b)), xShape);
    const w = tf.tensor4d(randomArray(rng, wShape.reduce((a, b) => a * b)), wShape);
    const y = tf.conv2d(x, w, c.stride, c.pad);
    const r = tf.tensor(randomArray(rng, y.size), y.shape);
    const [dx, dw] = tf.grads((xi: tf.Tensor, wi: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, c.stride, c.pad), r)))([x, w]);
    return { dx: dx!.dataSync() as Float32Array, dw: dw!.dataSync() as Float32Array, y: y.dataSync() as Float32Array };
  });
}

const CASES: ConvCase[] = [];
for (const kernel of [1, 3, 5]) {
  for (const stride of [1, 2]) {
    for (const pad of ['same', 'valid'] as const) {
      CASES.push({ batch: 1, size: [9, 7], inChannels: 3, outChannels: 5, kernel, stride, pad });
      CASES.push({ batch: 16, size: [6, 8], inChannels: 4, outChannels: 6, kernel, stride, pad });
    }
  }
}
// The ResNet's explicit paddings: 5x5 stem with padding 1, 3x3 stride 2 with padding 1 on odd and even sizes.
CASES.push({ batch: 2, size: [11, 11], inChannels: 3, outChannels: 8, kernel: 5, stride: 1, pad: [[0, 0], [1, 1], [1, 1], [0, 0]] });
CASES.push({ batch: 2, size: [10, 10], inChannels: 8, outChannels: 16, kernel: 3, stride: 2, pad: [[0, 0], [1, 1], [1, 1], [0, 0]] });
CASES.push({ batch: 3, size: [15, 15], inChannels: 8, outChannels: 16, kernel: 3, stride: 2, pad: [[0, 0], [1, 1], [1, 1], [0, 0]] });
// Unequal strides take the inserted-zeros path of the input gradient.
CASES.push({ batch: 2, size: [9, 8], inChannels: 3, outChannels: 4, kernel: 3, stride: [2, 1], pad: 'same' });
CASES.push({ batch: 2, size: [9, 11], inChannels: 3, outChannels: 4, kernel: 5, stride: [1, 3], pad: 'valid' });

for (const [index, c] of CASES.entries()) {
  const label = `${c.kernel}x${c.kernel} stride ${String(c.stride)} ${typeof c.pad === 'string' ? c.pad : 'explicit pad 1'}, batch ${c.batch}, ${c.size.join('x')}x${c.inChannels} -> ${c.outChannels}`;
  test(`conv2d gradients on wasm match the cpu backend: ${label}`, async () => {
    const expected = await onBackend('cpu', () => convGradients(c, 100 + index));
    const actual = convGradients(c, 100 + index);
    assert.ok(relativeError(actual.y, expected.y) < 1e-5, 'forward');
    assert.ok(relativeError(actual.dx, expected.dx) < 1e-5, `dx error ${relativeError(actual.dx, expected.dx)}`);
    assert.ok(relativeError(actual.dw, expected.dw) < 1e-5, `dW error ${relativeError(actual.dw, expected.dw)}`);
  });
}

for (const stride of [1, 2]) {
  test(`a filter gradient computed in chunks equals the unchunked one (stride ${stride})`, async () => {
    // A 4000-float chunk holds one unit (an image at stride 1, an output row at stride 2), so
    // the product is summed over 16 or 48 chunks.
    const [height, width] = [7, 27];
    const out = stride === 1 ? [5, 25] : [3, 13];
    const rng = new Rng(7 + stride);
    const x = tf.tensor4d(randomArray(rng, 16 * height * width * 16), [16, height, width, 16]);
    const dy = tf.tensor4d(randomArray(rng, 16 * out[0]! * out[1]! * 8), [16, out[0]!, out[1]!, 8]);
    const backend = tf.backend() as unknown as tf.KernelBackend;
    const attrs = { strides: [stride, stride], pad: 'valid', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [3, 3, 16, 8] } as unknown as tf.NamedAttrMap;
    const read = (info: tf.TensorInfo): Float32Array => {
      const values = backend.readSync(info.dataId) as Float32Array;
      backend.disposeData(info.dataId);
      return values;
    };
    const chunked = read(conv2DBackpropFilter({ inputs: { x, dy }, backend, attrs }, 4000));
    const whole = read(conv2DBackpropFilter({ inputs: { x, dy }, backend, attrs }));
    assert.ok(relativeError(chunked, whole) < 1e-5, `error ${relativeError(chunked, whole)}`);
    const xValues = x.dataSync();
    const dyValues = dy.dataSync();
    const expected = await onBackend('cpu', () =>
      tf.tidy(() => {
        const [, grad] = tf.grads((xi: tf.Tensor, wi: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, stride, 'valid'), tf.tensor(dyValues, dy.shape))),
        )([tf.tensor(xValues, x.shape), tf.zeros([3, 3, 16, 8])]);
        return grad!.dataSync() as Float32Array;
      }),
    );
    assert.ok(relativeError(chunked, expected) < 1e-5, `vs cpu ${relativeError(chunked, expected)}`);
    tf.dispose([x, dy]);
  });
}

test('the conv2d filter gradient matches a central finite difference', () => {
  // Independent of both backends' kernels: d/dW[i] of sum(conv2d(x, W) * r), in float64 by hand.
  const rng = new Rng(3);
  const [n, h, w, ci, co, k, s] = [2, 5, 6, 2, 3, 3, 2];
  const x = randomArray(rng, n * h * w * ci);
  const filter = randomArray(rng, k * k * ci * co);
  const oh = Math.floor((h - k) / s) + 1;
  const ow = Math.floor((w - k) / s) + 1;
  const r = randomArray(rng, n * oh * ow * co);
  const objective = (f: Float64Array): number => {
    let total = 0;
    for (let b = 0; b < n; b++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++)
          for (let o = 0; o < co; o++) {
            let sum = 0;
            for (let a = 0; a < k; a++)
              for (let c2 = 0; c2 < k; c2++)
                for (let q = 0; q < ci; q++) sum += x[((b * h + i * s + a) * w + j * s + c2) * ci + q]! * f[((a * k + c2) * ci + q) * co + o]!;
            total += sum * r[((b * oh + i) * ow + j) * co + o]!;
          }
    return total;
  };
  const dw = tf.tidy(() => {
    const [, grad] = tf.grads((xi: tf.Tensor, wi: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, s, 'valid'), tf.tensor(r, [n, oh, ow, co]))),
    )([tf.tensor4d(x, [n, h, w, ci]), tf.tensor4d(filter, [k, k, ci, co])]);
    return grad!.dataSync();
  });
  const f64 = Float64Array.from(filter);
  const eps = 1e-3;
  for (let i = 0; i < f64.length; i++) {
    const saved = f64[i]!;
    f64[i] = saved + eps;
    const up = objective(f64);
    f64[i] = saved - eps;
    const down = objective(f64);
    f64[i] = saved;
    assert.ok(Math.abs(dw[i]! - (up - down) / (2 * eps)) < 1e-3, `dW[${i}]`);
  }
});

for (const [rows, inner, cols] of [
  [16, 37, 9],
  [3, 40, 70],
  [70, 5, 3],
]) {
  test(`matMul with every transpose combination on wasm matches the cpu backend: ${rows}x${inner} · ${inner}x${cols}`, async () => {
    const run = () =>
      tf.tidy(() => {
        const rng = new Rng(rows * 1000 + cols);
        const a = tf.tensor2d(randomArray(rng, rows * inner), [rows, inner]);
        const b = tf.tensor2d(randomArray(rng, inner * cols), [inner, cols]);
        const aT = tf.transpose(a);
        const bT = tf.transpose(b);
        return [
          tf.matMul(a, b),
          tf.matMul(aT, b, true, false),
          tf.matMul(a, bT, false, true),
          tf.matMul(aT, bT, true, true),
          tf.matMul(tf.expandDims(aT, 0) as tf.Tensor3D, tf.expandDims(bT, 0) as tf.Tensor3D, true, true),
        ].map((t) => ({ shape: t.shape, values: t.dataSync() as Float32Array }));
      });
    const expected = await onBackend('cpu', run);
    const actual = run();
    for (const [i, e] of expected.entries()) {
      assert.deepEqual(actual[i]!.shape, e.shape);
      assert.ok(relativeError(actual[i]!.values, e.values) < 1e-5, `product ${i}`);
      // Every form equals a·b (itself checked against cpu above).
      assert.ok(relativeError(actual[i]!.values, expected[0]!.values) < 1e-5, `product ${i} vs a·b`);
    }
  });
}

test('the training kernels free every intermediate: tensors, bytes and wasm data ids stay flat', () => {
  const backend = tf.backend() as unknown as { numDataIds(): number };
  const rng = new Rng(5);
  const x = tf.tensor4d(randomArray(rng, 4 * 9 * 9 * 3), [4, 9, 9, 3]);
  const w1 = tf.variable(tf.tensor4d(randomArray(rng, 3 * 3 * 3 * 8), [3, 3, 3, 8]));
  const w2 = tf.variable(tf.tensor4d(randomArray(rng, 3 * 3 * 8 * 4), [3, 3, 8, 4]));
  const dense = tf.variable(tf.tensor2d(randomArray(rng, 64 * 2).map((v) => v * 0.1), [64, 2]));
  const step = () =>
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => {
        const h = tf.relu(tf.conv2d(x, w1 as tf.Variable<tf.Rank.R4>, 1, 'same'));
        const y = tf.conv2d(h, w2 as tf.Variable<tf.Rank.R4>, 2, 'valid');
        return tf.sum(tf.square(tf.matMul(tf.reshape(y, [4, 64]), dense as tf.Variable<tf.Rank.R2>)));
      });
      for (const v of [w1, w2, dense]) v.assign(tf.sub(v, tf.mul(grads[v.name]!, 1e-4)));
    });
  step();
  const before = { ...tf.memory(), dataIds: backend.numDataIds() };
  for (let i = 0; i < 100; i++) step();
  const after = { ...tf.memory(), dataIds: backend.numDataIds() };
  assert.equal(after.numTensors, before.numTensors);
  assert.equal(after.numBytes, before.numBytes);
  assert.equal(after.dataIds, before.dataIds);
  tf.dispose([x, w1, w2, dense]);
});

test('sum and mean over leading or middle axes on wasm match the cpu backend', async () => {
  const run = () =>
    tf.tidy(() => {
      const x = tf.tensor4d(randomArray(new Rng(21), 3 * 5 * 4 * 6), [3, 5, 4, 6]);
      return [
        tf.sum(x, [0, 1, 2]),
        tf.mean(x, [0, 1, 2]),
        tf.mean(x, [1, 2]),
        tf.sum(x, [1, 2], true),
        tf.sum(x, 0),
        tf.mean(x, -1),
        tf.sum(x, [0, 2]),
      ].map((t) => ({ shape: t.shape, values: t.dataSync() as Float32Array }));
    });
  const expected = await onBackend('cpu', run);
  const actual = run();
  for (const [i, e] of expected.entries()) {
    assert.deepEqual(actual[i]!.shape, e.shape, `reduction ${i}`);
    assert.ok(relativeError(actual[i]!.values, e.values) < 1e-5, `reduction ${i}`);
  }
});

test('a clone (and a same-dtype cast) on wasm shares the buffer yet outlives the original', () => {
  const backend = tf.backend() as unknown as { numDataIds(): number };
  const ids = backend.numDataIds();
  const x = tf.tensor1d([1, 2, 3]);
  const y = tf.clone(x);
  assert.equal(backend.numDataIds(), ids + 1);
  x.dispose();
  assert.deepEqual(Array.from(y.dataSync()), [1, 2, 3]);
  y.dispose();
  assert.equal(backend.numDataIds(), ids);
  // Cast to the same dtype shares too; to another dtype it converts.
  const z = tf.tensor1d([1.5, -2.5]);
  const same = tf.cast(z, 'float32');
  const other = tf.cast(z, 'int32');
  assert.equal(backend.numDataIds(), ids + 2);
  assert.deepEqual(Array.from(other.dataSync()), [1, -2]);
  tf.dispose([z, same, other]);
  assert.equal(backend.numDataIds(), ids);
});
