import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { buildCnn, type CnnSpec, ModelInputError } from '../../src/models/cnn';
import { MissingDropoutSeedError } from '../../src/models/dropout';
import { Rng } from '../../src/rng';
import { trainStep } from '../../src/train/step';
import { imageBatch, maxAbsDifference, paramCount, useWasm, weightsAfterSteps } from './modelTestUtils';

before(useWasm);

const paper: CnnSpec = { kind: 'cnn', inChannels: 3, width: 1, dropout: 0 };
const small: CnnSpec = { kind: 'cnn', inChannels: 3, width: 0.125, dropout: 0 };

test('the paper-width CNN has the NYU parameter count with a 2-way head', () => {
  const model = buildCnn(paper, new Rng(1));
  // convs 27*64 + 576*64 + 576*128 + 1152*128 * 2; dense 2048*512+512, 512*128+128, 128*2+2
  const expected = 27 * 64 + 576 * 64 + 576 * 128 + 2 * 1152 * 128 + (2048 * 512 + 512) + (512 * 128 + 128) + (128 * 2 + 2);
  assert.equal(paramCount(model), expected);
  assert.equal(expected, 1_522_242);
  model.dispose();
});

test('CNN maps [batch, 32, 32, C] to [batch, 2] logits for CIFAR and MNIST channel counts', () => {
  for (const inChannels of [3, 1]) {
    const model = buildCnn({ ...small, inChannels }, new Rng(2));
    const { inputs, labels } = imageBatch(3, 2, inChannels);
    const logits = model.apply(inputs, { training: false });
    assert.deepEqual(logits.shape, [2, 2]);
    tf.dispose([inputs, labels, logits]);
    model.dispose();
  }
});

test('CNN weights follow the PyTorch default bound 1/sqrt(fanIn) and repeat for a seed', () => {
  const a = buildCnn(small, new Rng(5));
  const b = buildCnn(small, new Rng(5));
  const firstConv = a.params[0]!.dataSync();
  const bound = 1 / Math.sqrt(3 * 3 * 3);
  assert.ok(firstConv.every((v) => Math.abs(v) <= bound));
  assert.ok(Math.max(...firstConv.map(Math.abs)) > 0.9 * bound, 'uses the whole range');
  assert.equal(maxAbsDifference(a.params.map((p) => p.dataSync() as Float32Array), b.params.map((p) => p.dataSync() as Float32Array)), 0);
  a.dispose();
  b.dispose();
});

test('dropout is reproducible from the seed, differs between seeds, and is off in evaluation', () => {
  const model = buildCnn({ ...small, dropout: 0.5 }, new Rng(8));
  const { inputs, labels } = imageBatch(9, 4, 3);
  const run = (options: { training: boolean; dropoutSeed?: number }) => tf.tidy(() => model.apply(inputs, options).dataSync());
  assert.deepEqual(run({ training: true, dropoutSeed: 1 }), run({ training: true, dropoutSeed: 1 }));
  assert.notDeepEqual(run({ training: true, dropoutSeed: 1 }), run({ training: true, dropoutSeed: 2 }));
  assert.deepEqual(run({ training: false }), run({ training: false, dropoutSeed: 3 }));
  assert.throws(() => model.apply(inputs, { training: true }), MissingDropoutSeedError);
  tf.dispose([inputs, labels]);
  model.dispose();
});

test('CNN rejects images that are not 32x32 with the expected channels, naming the fix', () => {
  const model = buildCnn(small, new Rng(1));
  const wrong = tf.zeros([2, 28, 28, 1]);
  assert.throws(() => model.apply(wrong, { training: false }), (error: unknown) => error instanceof ModelInputError && /resize the images to 32x32/.test(error.message));
  wrong.dispose();
  model.dispose();
});

test('one SGD step of the CNN gives the same weights on wasm and cpu (to 1e-4)', async () => {
  const build = (rng: Rng) => buildCnn({ ...small, dropout: 0.5 }, rng);
  const cpu = await weightsAfterSteps('cpu', build, 3);
  const wasm = await weightsAfterSteps('wasm', build, 3);
  assert.ok(Math.abs(cpu.losses[0]! - wasm.losses[0]!) < 1e-5);
  assert.ok(maxAbsDifference(cpu.values, wasm.values) < 1e-4, `max difference ${maxAbsDifference(cpu.values, wasm.values)}`);
  assert.ok(maxAbsDifference(wasm.initial, wasm.values) > 1e-3, 'the step moved the weights');
});

test('a CNN training step on wasm leaves tensor count, bytes and wasm buffers unchanged (100 steps)', () => {
  const model = buildCnn({ ...small, dropout: 0.5 }, new Rng(4));
  const batch = imageBatch(5, 4, 3);
  const step = (i: number) =>
    trainStep(model, batch, [1, 2], { kind: 'cross-entropy', reduction: 'weights' }, { kind: 'sgd', learningRate: 0.01, batchSize: 4, weightDecay: 1e-4 }, i);
  step(0);
  const backend = tf.backend() as unknown as { numDataIds(): number };
  const before = { ...tf.memory(), dataIds: backend.numDataIds() };
  for (let i = 1; i <= 100; i++) step(i);
  const after = { ...tf.memory(), dataIds: backend.numDataIds() };
  assert.equal(after.numTensors, before.numTensors);
  assert.equal(after.numBytes, before.numBytes);
  // Buffers the training kernels allocate below the engine are invisible to tf.memory(); count them too.
  assert.equal(after.dataIds, before.dataIds);
  tf.dispose([batch.inputs, batch.labels]);
  model.dispose();
});
