import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, streamSeed } from '../src/rng';

test('the same seed gives the same sequence, another seed another', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const draws = (rng: Rng) => Array.from({ length: 5 }, () => rng.nextUint32());
  const first = draws(a);
  assert.deepEqual(first, draws(b));
  assert.notDeepEqual(first, draws(c));
});

test('a restored state continues the sequence exactly', () => {
  const rng = new Rng(7);
  rng.next();
  const saved = rng.state();
  const expected = [rng.next(), rng.normal(), rng.int(10)];
  const resumed = Rng.fromState(saved);
  assert.deepEqual([resumed.next(), resumed.normal(), resumed.int(10)], expected);
});

test('permutation holds every index once', () => {
  const order = new Rng(1).permutation(1000);
  assert.deepEqual(Array.from(order).sort((x, y) => x - y), Array.from({ length: 1000 }, (_, i) => i));
});

test('uniform draws have mean 1/2 and normals mean 0, variance 1', () => {
  const rng = new Rng(3);
  const n = 20000;
  let u = 0;
  let z = 0;
  let z2 = 0;
  for (let i = 0; i < n; i++) {
    u += rng.next();
    const x = rng.normal();
    z += x;
    z2 += x * x;
  }
  assert.ok(Math.abs(u / n - 0.5) < 0.01);
  assert.ok(Math.abs(z / n) < 0.03);
  assert.ok(Math.abs(z2 / n - 1) < 0.05);
});

test('data and train streams of one seed differ', () => {
  assert.notEqual(streamSeed(0, 'data'), streamSeed(0, 'train'));
  assert.notEqual(streamSeed(0, 'train'), streamSeed(1, 'train'));
});
