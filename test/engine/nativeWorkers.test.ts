/**
 * The native engine in several worker threads of one process, started at once: the case that crashed
 * a notebook's kernel in CI (two training workers). tfjs-node 4.22's addon interns op attribute names
 * in one process-wide set without a lock; iwlab's install patches in a mutex (src/engine/bindingPatch.ts).
 *
 * Each try is a fresh Node process (a crash is a segfault, which would take the test runner with it)
 * whose 8 worker threads load the engine, meet at a barrier, and then all issue the figures' first ops
 * at once (convolutions, pooling, moments, matmul, softmax cross-entropy, their gradients, reshaping
 * ops), so their new attribute names reach the set together. On the unpatched addon 9 of 40 such
 * processes crashed with a segfault here (2-core machine, 2.2 s a process), 0 of 40 on the patched one
 * (this child, run 40 times against each addon). 16 tries miss an unpatched addon with probability about
 * (31/40)^16 = 1.7%; a patched one has not failed one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { engineSettingsFromEnv } from '../../src/engine/index';
import { locateNativeEngine } from '../../src/engine/nativeEngine';
import { REPO_ROOT } from '../../src/paths';

const location = locateNativeEngine(engineSettingsFromEnv().engineDir);
const skip = 'missing' in location ? `native engine not installed (${location.missing})` : false;
if (skip) console.log(`# skipping the native-engine worker test: ${skip}`);

const WORKERS = 8;
const TRIES = 16;

/** The child process: argv[1] the tfjs-node package, argv[2] the worker count. Prints "ok" when every worker finished. */
const CHILD = `
const { Worker } = require('node:worker_threads');
const [packageDir, count] = [process.argv[1], Number(process.argv[2])];
const arrived = new Int32Array(new SharedArrayBuffer(4));
const body = \`
const { workerData, parentPort } = require('node:worker_threads');
require(workerData.packageDir);
const tf = require(require.resolve('@tensorflow/tfjs', { paths: [workerData.packageDir] }));
if (tf.getBackend() !== 'tensorflow') throw new Error('backend ' + tf.getBackend());
const arrived = workerData.arrived;
// The barrier: the last worker to arrive wakes the others, so all leave it within microseconds.
if (Atomics.add(arrived, 0, 1) + 1 === workerData.count) Atomics.notify(arrived, 0);
for (let seen; (seen = Atomics.load(arrived, 0)) < workerData.count; ) Atomics.wait(arrived, 0, seen);
const x = tf.randomNormal([4, 8, 8, 3]);
const filter = tf.randomNormal([3, 3, 3, 4]);
const dense = tf.randomNormal([64, 2]);
const labels = tf.oneHot(tf.tensor1d([0, 1, 0, 1], 'int32'), 2);
const loss = (input, kernel, weights) => {
  const hidden = tf.maxPool(tf.relu(tf.conv2d(input, kernel, 1, 'same')), 2, 2, 'valid');
  const { mean, variance } = tf.moments(hidden, [0, 1, 2]);
  const normed = tf.div(tf.sub(hidden, mean), tf.sqrt(tf.add(variance, 1e-5)));
  return tf.losses.softmaxCrossEntropy(labels, tf.matMul(tf.reshape(normed, [4, 64]), weights));
};
const grads = tf.grads(loss)([x, filter, dense]);
const pooled = tf.avgPool(x, 2, 2, 'valid');
const joined = tf.concat([pooled, tf.pad(tf.slice(pooled, [0, 0, 0, 0], [4, 4, 4, 1]), [[0, 0], [0, 0], [0, 0], [0, 2]])], 3);
tf.argMax(tf.transpose(joined, [0, 3, 1, 2]), 1).dataSync();
for (const g of grads) g.dataSync();
parentPort.postMessage('done');
\`;
let done = 0;
for (let i = 0; i < count; i++) {
  const worker = new Worker(body, { eval: true, workerData: { packageDir, arrived, count } });
  worker.on('message', () => { if (++done === count) console.log('ok'); });
  worker.on('error', (error) => { console.error(error); process.exitCode = 1; });
}
`;

test(`${WORKERS} worker threads starting the native engine at once do not crash it (${TRIES} processes)`, { skip }, () => {
  if ('missing' in location) return;
  const env = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', TF_NUM_INTRAOP_THREADS: '1', TF_NUM_INTEROP_THREADS: '1', TF_OVERRIDE_GLOBAL_THREADPOOL: '1' };
  for (let i = 1; i <= TRIES; i++) {
    const child = spawnSync(process.execPath, ['-e', CHILD, location.packageDir, String(WORKERS)], { cwd: REPO_ROOT, encoding: 'utf8', env, timeout: 120_000 });
    const how = child.signal === null ? `exit ${child.status}` : `signal ${child.signal}`;
    assert.ok(child.status === 0 && child.stdout.trim() === 'ok', `try ${i} of ${TRIES}: the process ended with ${how}${child.status === 139 || child.signal === 'SIGSEGV' ? ' (a segfault)' : ''}; stderr: ${child.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
});
