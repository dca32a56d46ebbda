import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/commands/run';
import { captured } from './captureRun';
import { expandRuns } from '../../src/experiments/expand';
import { toyGaussian } from '../../src/experiments/figures';
import { ResultStore } from '../../src/experiments/resultStore';
import { runId, stableStringify } from '../../src/experiments/runId';


const configs = expandRuns(toyGaussian, 'smoke');
const ids = configs.map(runId);

test('--list prints every run with its index, id, status and label', async () => {
  const store = new ResultStore(fs.mkdtempSync(path.join(os.tmpdir(), 'iwlab-list-')));
  const done = store.run(toyGaussian.id, ids[0]!);
  done.ensureConfig(stableStringify(configs[0]));
  done.rewriteMetrics([]);
  done.writeMarker({ status: 'done', epochs: 20, finishedAt: 'then' });
  const partial = store.run(toyGaussian.id, ids[1]!);
  partial.ensureConfig(stableStringify(configs[1]));
  partial.writeCheckpoint({ epoch: 3, params: [], buffers: [], optimizer: [], rng: [1, 2, 3, 4], wallTime: 1, snapshots: [] });
  fs.writeFileSync(partial.lockPath, '{}');

  const lines = await captured([toyGaussian.id, '--scale', 'smoke', '--list', '--results', store.root]);
  assert.equal(lines.length, configs.length + 1);
  assert.match(lines[0]!, /^index +run id +status +run$/);
  assert.match(lines[1]!, new RegExp(`^0 +${ids[0]} +done +linear, weight 1:16, seed 0$`));
  assert.match(lines[2]!, new RegExp(`^1 +${ids[1]} +partial 3/20 \\(locked\\) +linear, weight 1:1, seed 0$`));
  assert.match(lines[3]!, new RegExp(`^2 +${ids[2]} +new +`));

  assert.deepEqual(await captured([toyGaussian.id, '--scale', 'smoke', '--list', '--ids', '--results', store.root]), ids);
});

test('bad selections name the fix', async () => {
  await assert.rejects(main([toyGaussian.id, '--scale', 'smoke', '--index', String(ids.length)]), /--index 12 is out of range: toy-gaussian has 12 runs at smoke scale \(indices 0-11\)/);
  await assert.rejects(main([toyGaussian.id, '--scale', 'smoke', '--only', 'feedfeedfeed']), /not a run of toy-gaussian at smoke scale.*--list/);
  await assert.rejects(main([toyGaussian.id, '--scale', 'huge']), /Unknown scale 'huge'/);
  await assert.rejects(main(['no-such-figure']), /Unknown figure 'no-such-figure'/);
  await assert.rejects(main([toyGaussian.id, '--index', '0', '--only', ids[0]!]), /--only or --index, not both/);
});

test('--seeds k lists k seeds per weight (IWLAB_SEEDS alike) and rejects a bad k before anything runs', async () => {
  const store = new ResultStore(fs.mkdtempSync(path.join(os.tmpdir(), 'iwlab-seeds-')));
  const two = await captured([toyGaussian.id, '--scale', 'smoke', '--seeds', '2', '--list', '--ids', '--results', store.root]);
  assert.equal(two.length, 2 * ids.length);
  assert.deepEqual(two.filter((id) => ids.includes(id)).sort(), [...ids].sort(), 'seed 0 keeps its run ids');
  const saved = process.env.IWLAB_SEEDS;
  process.env.IWLAB_SEEDS = '3';
  try {
    assert.equal((await captured([toyGaussian.id, '--scale', 'smoke', '--list', '--ids', '--results', store.root])).length, 3 * ids.length);
  } finally {
    if (saved === undefined) delete process.env.IWLAB_SEEDS;
    else process.env.IWLAB_SEEDS = saved;
  }
  await assert.rejects(main([toyGaussian.id, '--scale', 'smoke', '--seeds', '0', '--results', store.root]), /Seeds must be a positive integer k.*got '0'/);
  await assert.rejects(main([toyGaussian.id, '--scale', 'smoke', '--seeds', 'two', '--list', '--results', store.root]), /positive integer/);
  await assert.rejects(main([toyGaussian.id, '--scale', 'smoke', '--seeds', '2', '--index', String(2 * ids.length)]), /out of range: toy-gaussian has 24 runs at smoke scale with 2 seeds/);
  assert.deepEqual(fs.readdirSync(store.root), [], 'nothing was trained or written');
});
