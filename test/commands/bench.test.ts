import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { UsageError } from '../../src/cli';
import { benchModel, comparison, main } from '../../src/commands/bench';
import { registerWasmTrainingKernels } from '../../src/engine/wasmTraining';

before(async () => {
  registerWasmTrainingKernels();
  assert.ok(await tf.setBackend('wasm'));
});

test('a bench result carries the fields torch_reference.py prints, consistent with each other', () => {
  const before = tf.memory().numTensors;
  const result = benchModel('mlp', 'wasm', { steps: 2, warmup: 1, batch: 4, width: 1 });
  assert.deepEqual(Object.keys(result), ['model', 'backend', 'batch', 'threads', 'ms_per_step', 'images_per_s', 'cpu_ms_per_step', 'load_avg']);
  assert.equal(result.model, 'mlp');
  assert.equal(result.batch, 4);
  assert.equal(result.threads, 1);
  // Both fields are rounded from one measured time (ms to 2 decimals, images/s to 1), so the true time
  // lies within 0.005 ms of ms_per_step and images_per_s within 0.05 of 4000 / that time. A fixed
  // relative tolerance failed on fast steps, where 0.005 ms moves images/s by more than 0.1%.
  const slowest = result.ms_per_step + 0.005;
  const fastest = result.ms_per_step - 0.005;
  assert.ok(result.images_per_s >= (4 * 1000) / slowest - 0.05, `${result.images_per_s} images/s is slower than ${result.ms_per_step} ms per step`);
  assert.ok(fastest <= 0 || result.images_per_s <= (4 * 1000) / fastest + 0.05, `${result.images_per_s} images/s is faster than ${result.ms_per_step} ms per step`);
  assert.equal(tf.memory().numTensors, before, 'the benchmark frees its model and data');
});

test('bench rejects an unknown model before training anything', async () => {
  await assert.rejects(main(['--models', 'vgg']), (error: unknown) => error instanceof UsageError && /choose from cnn, resnet/.test(error.message));
});

test('--vs-torch without PyTorch says how to get it and still prints our result', async () => {
  const printed: string[] = [];
  const warnings: string[] = [];
  const { log, error } = console;
  console.log = (line: string) => printed.push(line);
  console.error = (line: string) => warnings.push(line);
  try {
    await main(['--models', 'mlp', '--steps', '1', '--warmup', '0', '--vs-torch', '--python', '/nonexistent/python3']);
  } finally {
    console.log = log;
    console.error = error;
  }
  assert.ok(warnings.some((line) => /PyTorch is not importable/.test(line) && /--python or IWLAB_PYTHON/.test(line)), warnings.join('\n'));
  assert.equal(printed.length, 1);
  assert.equal((JSON.parse(printed[0]!) as { model: string }).model, 'mlp');
});

test('a comparison line names the backend and both thread counts beside the ratio', () => {
  const ours = benchModel('mlp', 'wasm', { steps: 1, warmup: 0, batch: 4, width: 1 });
  const line = comparison({ ...ours, images_per_s: 30 }, { threads: 1, images_per_s: 40 }, 2);
  assert.deepEqual(line, { model: 'mlp', backend: 'wasm', threads: 1, torch_threads: 1, ratio_vs_torch: 0.75, ours: 30, torch: 40, rounds: 2 });
});

test('the native thread count given is what a native result reports', () => {
  assert.equal(benchModel('mlp', 'wasm', { steps: 1, warmup: 0, batch: 4, width: 1, threads: 3 }).threads, 1, 'wasm runs one thread whatever the native setting');
});

test('bench rejects a bad --threads before training', async () => {
  await assert.rejects(main(['--models', 'mlp', '--threads', '0']), (error: unknown) => error instanceof UsageError && /--threads must be a positive integer/.test(error.message));
});
