import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError, parseCli } from '../../scripts/notebooks';

test('npm run notebooks -- --seeds k passes k to the notebooks; a bad k is refused before any kernel starts', () => {
  const saved = process.env.IWLAB_SEEDS;
  delete process.env.IWLAB_SEEDS;
  try {
    assert.equal(parseCli(['--seeds', '3', 'a.ipynb'])!.options.seeds, 3);
    assert.equal(parseCli(['a.ipynb'])!.options.seeds, undefined, 'unset: each scale keeps its own count');
    process.env.IWLAB_SEEDS = '2';
    assert.equal(parseCli(['a.ipynb'])!.options.seeds, 2, 'IWLAB_SEEDS is the default');
    for (const bad of ['0', '1.5', 'many']) {
      assert.throws(() => parseCli(['--seeds', bad, 'a.ipynb']), (error: unknown) => error instanceof UsageError && /--seeds: Seeds must be a positive integer/.test(error.message));
    }
  } finally {
    if (saved === undefined) delete process.env.IWLAB_SEEDS;
    else process.env.IWLAB_SEEDS = saved;
  }
});
