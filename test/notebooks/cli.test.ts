import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { UsageError, kernelEnv, parseCli } from '../../scripts/notebooks';
import { REPO_ROOT } from '../../src/paths';

test('npm run notebooks -- --seeds k passes k to the notebooks; a bad k is refused before any kernel starts', () => {
  const saved = process.env.IWLAB_SEEDS;
  delete process.env.IWLAB_SEEDS;
  try {
    // A notebook that exists: a missing one is refused before the seeds are looked at.
    const a = path.join(REPO_ROOT, 'notebooks', '01-toy-gaussian.ipynb');
    assert.equal(parseCli(['--seeds', '3', a])!.options.seeds, 3);
    assert.equal(parseCli([a])!.options.seeds, undefined, 'unset: each scale keeps its own count');
    process.env.IWLAB_SEEDS = '2';
    assert.equal(parseCli([a])!.options.seeds, 2, 'IWLAB_SEEDS is the default');
    for (const bad of ['0', '1.5', 'many']) {
      assert.throws(() => parseCli(['--seeds', bad, a]), (error: unknown) => error instanceof UsageError && /--seeds: Seeds must be a positive integer/.test(error.message));
    }
  } finally {
    if (saved === undefined) delete process.env.IWLAB_SEEDS;
    else process.env.IWLAB_SEEDS = saved;
  }
});

/** Runs `body` with these environment variables set (undefined: unset), restoring them after. */
function withEnv(vars: Record<string, string | undefined>, body: () => void): void {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(vars);
  try {
    body();
  } finally {
    apply(saved);
  }
}

const notebook = path.join(REPO_ROOT, 'notebooks', '01-toy-gaussian.ipynb');

test('npm run notebooks honours IWLAB_SCALE (smoke only when nothing says) and refuses a bad one by name', () => {
  withEnv({ IWLAB_SCALE: undefined, IWLAB_SEEDS: undefined }, () => assert.equal(parseCli([notebook])!.options.scale, 'smoke'));
  withEnv({ IWLAB_SCALE: 'quick', IWLAB_SEEDS: undefined }, () => {
    assert.equal(parseCli([notebook])!.options.scale, 'quick', 'IWLAB_SCALE is not replaced with smoke');
    assert.equal(parseCli(['--scale', 'paper', notebook])!.options.scale, 'paper', '--scale wins');
  });
  withEnv({ IWLAB_SCALE: 'bogus', IWLAB_SEEDS: undefined }, () => {
    assert.throws(() => parseCli([notebook]), (error: unknown) => error instanceof UsageError && /Unknown scale 'bogus' \(from IWLAB_SCALE\)/.test(error.message));
  });
});

test('the kernel gets the resolved scale, seeds, data folder, result store and backend by name', () => {
  withEnv({ IWLAB_SCALE: undefined, IWLAB_SEEDS: undefined, IWLAB_DATA_DIR: '/tmp/iwlab-data', IWLAB_RESULTS: '/tmp/iwlab-results', IWLAB_BACKEND: 'cpu' }, () => {
    const { options } = parseCli(['--seeds', '2', notebook])!;
    const env = kernelEnv(options, {});
    assert.deepEqual(
      { scale: env.IWLAB_SCALE, seeds: env.IWLAB_SEEDS, data: env.IWLAB_DATA_DIR, results: env.IWLAB_RESULTS, backend: env.IWLAB_BACKEND },
      { scale: 'smoke', seeds: '2', data: '/tmp/iwlab-data', results: '/tmp/iwlab-results', backend: 'cpu' },
    );
  });
});

test('a notebook that does not exist is named as missing, not as invalid JSON', () => {
  assert.throws(() => parseCli(['notebooks/99-nope.ipynb']), (error: unknown) => error instanceof UsageError && /^No notebook at notebooks\/99-nope\.ipynb: check the name/.test(error.message));
  assert.throws(() => parseCli(['--scael', 'smoke']), (error: unknown) => error instanceof UsageError && /Unknown option --scael \(did you mean --scale\?\); see `npm run notebooks -- --help`/.test(error.message));
});
