import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { buildResnet, type ResnetSpec } from '../../src/models/resnet';
import { Rng } from '../../src/rng';
import { trainStep } from '../../src/train/step';
import { imageBatch, maxAbsDifference, paramCount, useWasm, weightsAfterSteps } from './modelTestUtils';

before(useWasm);

const small: ResnetSpec = { kind: 'resnet', inChannels: 3, width: 0.125, batchNorm: true };

test('the paper-width ResNet has the NYU parameter count with a 2-way head, with and without BN', () => {
  // stem 75*64; stage 1: 4 x 576*64; stage 2: 576*128 + 3 x 1152*128 + shortcut 576*128;
  // stage 3: 1152*256 + 3 x 2304*256 + shortcut 1152*256; head 256*2 + 2.
  const convs = 75 * 64 + 4 * 576 * 64 + (2 * 576 * 128 + 3 * 1152 * 128) + (2 * 1152 * 256 + 3 * 2304 * 256);
  const head = 256 * 2 + 2;
  // BN gamma and beta per conv output: stem 64, stage 1 4 x 64, stage 2 5 x 128, stage 3 5 x 256.
  const norms = 2 * (64 + 4 * 64 + 5 * 128 + 5 * 256);
  const plain = buildResnet({ ...small, width: 1, batchNorm: false }, new Rng(1));
  const withBn = buildResnet({ ...small, width: 1 }, new Rng(1));
  assert.equal(paramCount(plain), convs + head);
  assert.equal(paramCount(plain), 3_101_890);
  assert.equal(paramCount(withBn), convs + head + norms);
  assert.equal(withBn.buffers.length, 2 * 15); // running mean and variance of 15 BN layers
  assert.equal(plain.buffers.length, 0);
  plain.dispose();
  withBn.dispose();
});

test('ResNet maps [batch, 32, 32, C] to [batch, 2] logits for CIFAR and MNIST channel counts', () => {
  for (const inChannels of [3, 1]) {
    const model = buildResnet({ ...small, inChannels }, new Rng(2));
    const { inputs, labels } = imageBatch(3, 2, inChannels);
    const logits = model.apply(inputs, { training: false });
    assert.deepEqual(logits.shape, [2, 2]);
    tf.dispose([inputs, labels, logits]);
    model.dispose();
  }
});

test('training updates the BN running statistics and evaluation does not', () => {
  const model = buildResnet(small, new Rng(3));
  const { inputs, labels } = imageBatch(4, 4, 3);
  const stats = () => model.buffers.map((b) => Array.from(b.dataSync()));
  const initial = stats();
  tf.dispose(model.apply(inputs, { training: false }));
  assert.deepEqual(stats(), initial);
  tf.dispose(model.apply(inputs, { training: true }));
  assert.notDeepEqual(stats(), initial);
  tf.dispose([inputs, labels]);
  model.dispose();
});

for (const batchNorm of [true, false]) {
  test(`one SGD step of the ResNet ${batchNorm ? 'with' : 'without'} BN gives the same weights on wasm and cpu (to 1e-4)`, async () => {
    const build = (rng: Rng) => buildResnet({ ...small, width: 0.0625, batchNorm }, rng);
    const cpu = await weightsAfterSteps('cpu', build, 3);
    const wasm = await weightsAfterSteps('wasm', build, 3);
    assert.ok(Math.abs(cpu.losses[0]! - wasm.losses[0]!) < 1e-5);
    assert.ok(maxAbsDifference(cpu.values, wasm.values) < 1e-4, `max difference ${maxAbsDifference(cpu.values, wasm.values)}`);
    assert.ok(maxAbsDifference(wasm.initial, wasm.values) > 1e-3, 'the step moved the weights');
  });
}

test('a ResNet training step on wasm leaves tensor count, bytes and wasm buffers unchanged (100 steps)', () => {
  const model = buildResnet({ ...small, width: 0.0625 }, new Rng(4));
  const batch = imageBatch(5, 2, 3);
  const step = () =>
    trainStep(model, batch, [1, 2], { kind: 'cross-entropy', reduction: 'weights' }, { kind: 'sgd', learningRate: 0.01, batchSize: 2, weightDecay: 1e-4 });
  step();
  const backend = tf.backend() as unknown as { numDataIds(): number };
  const before = { ...tf.memory(), dataIds: backend.numDataIds() };
  for (let i = 0; i < 100; i++) step();
  const after = { ...tf.memory(), dataIds: backend.numDataIds() };
  assert.equal(after.numTensors, before.numTensors);
  assert.equal(after.numBytes, before.numBytes);
  // Buffers the training kernels allocate below the engine are invisible to tf.memory(); count them too.
  assert.equal(after.dataIds, before.dataIds);
  tf.dispose([batch.inputs, batch.labels]);
  model.dispose();
});
