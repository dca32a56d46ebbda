import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandRuns } from '../../src/experiments/expand';
import { toyGaussian } from '../../src/experiments/figures';
import { isRunId, runId, stableStringify } from '../../src/experiments/runId';
import type { RunConfig } from '../../src/experiments/types';

const config = expandRuns(toyGaussian, 'smoke')[0]!;

/** The same object with its keys inserted in reverse order, at every depth. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).reverse()) out[key] = reversedKeys((value as Record<string, unknown>)[key]);
  return out;
}

test('should hash objects with sorted keys consistently: key order never changes the id', () => {
  const shuffled = reversedKeys(config) as RunConfig;
  assert.notEqual(JSON.stringify(shuffled), JSON.stringify(config), 'the test must actually reorder keys');
  assert.equal(runId(shuffled), runId(config));
});

test('stableStringify sorts keys at every depth and keeps array order', () => {
  assert.equal(stableStringify({ b: { d: [3, { f: 5, e: 4 }], c: 2 }, a: 1 }), '{"a":1,"b":{"c":2,"d":[3,{"e":4,"f":5}]}}');
  assert.equal(stableStringify({ a: undefined, b: null }), '{"b":null}');
  assert.throws(() => stableStringify({ lr: Number.NaN }), /non-finite/);
});

test('every field that changes the numbers changes the id', () => {
  const ids = new Set([
    runId(config),
    runId({ ...config, seed: config.seed + 1 }),
    runId({ ...config, classWeight: config.classWeight * 2 }),
    runId({ ...config, scale: 'quick' }),
    runId({ ...config, optimizer: { ...config.optimizer, learningRate: 0.5 } }),
    runId({ ...config, snapshotEpochs: [...config.snapshotEpochs].reverse() }),
  ]);
  assert.equal(ids.size, 6);
});

test('ids are 12 lower-case hex digits, distinct across a figure', () => {
  const runs = expandRuns(toyGaussian, 'paper');
  const ids = runs.map(runId);
  assert.ok(ids.every(isRunId));
  assert.equal(new Set(ids).size, runs.length);
  assert.equal(isRunId('ABCDEF012345'), false);
});
