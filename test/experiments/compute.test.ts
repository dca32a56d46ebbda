import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeMarkdown, computeRows } from '../../src/experiments/compute';
import { runFigure } from '../../src/experiments/runFigure';
import { tempStore, tinyFigure } from './tinyFigure';

test('the compute table counts runs and steps from the registry and reads time, memory and engine from the stored runs', async () => {
  const spec = tinyFigure({ epochs: 6, seeds: 1 });
  const store = tempStore();
  const before = computeRows([spec], ['smoke'], store)[0]!;
  // Two weights, one seed, 6 epochs of floor(64 / 16) = 4 steps: 48 steps, nothing measured yet.
  assert.deepEqual(before, { figure: 'tiny', scale: 'smoke', runs: 2, stored: 0, done: 0, steps: 48, engine: '-' });
  assert.match(computeMarkdown([before]), /\| tiny \| smoke \| 2 \(0 \/ 0\) \| 48 \| - \| - \| - \| - \| - \|/);

  const result = await runFigure(spec, { scale: 'smoke', store, workers: 1, untilEpoch: 3 });
  const partial = computeRows([spec], ['smoke'], store)[0]!;
  assert.equal(partial.stored, 2);
  assert.equal(partial.done, 0);
  assert.ok(partial.runSeconds! > 0 && partial.secondsPerEpoch! > 0 && partial.peakMemoryMiB! > 10);
  const expectedHours = (partial.secondsPerEpoch! * 12) / 3600; // 2 runs x 6 epochs
  assert.ok(Math.abs(partial.estimatedHours! - expectedHours) < 1e-12);

  // engine.json as the worker records it: one session per training session (a resume may change engine).
  store.run('tiny', result.runs[0]!.runId).recordEngineSession({ backend: 'tensorflow', tfjs: '4.22.0', tensorflow: '2.21.0', threads: 1 }, 0);
  store.run('tiny', result.runs[1]!.runId).recordEngineSession({ backend: 'wasm', tfjs: '4.22.0', threads: 1 }, 0);
  assert.equal(computeRows([spec], ['smoke'], store)[0]!.engine, 'tensorflow 2.21.0, 1 thread; wasm, 1 thread');
});
