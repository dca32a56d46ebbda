import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadStoredFigure, runFigure } from '../src/index';
import { tinyFigure } from './experiments/tinyFigure';

test("the notebooks' runFigure and loadStoredFigure use the store IWLAB_RESULTS names, and refuse a file there by name", async () => {
  const results = fs.mkdtempSync(path.join(os.tmpdir(), 'iwlab-index-'));
  const saved = process.env.IWLAB_RESULTS;
  process.env.IWLAB_RESULTS = results;
  try {
    const spec = tinyFigure({ epochs: 2, seeds: 1, snapshotEpochs: [0, 2] });
    const trained = await runFigure(spec, { scale: 'smoke', workers: 1, seeds: undefined });
    assert.ok(trained.runs.every((run) => run.status === 'done'));
    assert.deepEqual(fs.readdirSync(path.join(results, spec.id)).sort(), trained.runs.map((run) => run.runId).sort());
    const stored = loadStoredFigure(spec, { scale: 'smoke' });
    assert.equal(stored.runs.length, trained.runs.length, 'read back from the same store');
    const file = path.join(results, 'a-file');
    fs.writeFileSync(file, '');
    process.env.IWLAB_RESULTS = file;
    assert.throws(() => loadStoredFigure(spec, { scale: 'smoke' }), /The results folder from IWLAB_RESULTS cannot be used: .*a-file is a file, not a folder/);
  } finally {
    if (saved === undefined) delete process.env.IWLAB_RESULTS;
    else process.env.IWLAB_RESULTS = saved;
  }
});
