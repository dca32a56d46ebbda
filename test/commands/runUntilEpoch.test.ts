// `iwlab run <figure> --until-epoch n`: stops every run at epoch n with exit code 0, and a run without it resumes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../src/cli';
import { main } from '../../src/commands/run';
import { captured } from './captureRun';
import { expandRuns } from '../../src/experiments/expand';
import { toyGaussian } from '../../src/experiments/figures';
import { ResultStore } from '../../src/experiments/resultStore';
import { runId } from '../../src/experiments/runId';


test('--until-epoch 5 leaves each run partial at epoch 5 and exits 0; a run without it finishes them', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'iwlab-until-'));
  const args = [toyGaussian.id, '--scale', 'smoke', '--results', root, '--csv', path.join(root, 'csv'), '--workers', '1', '--only'];
  const config = expandRuns(toyGaussian, 'smoke')[0]!;
  const id = runId(config);
  const previousExitCode = process.exitCode;
  try {
    const lines = await captured([...args, id, '--until-epoch', '5']);
    assert.equal(process.exitCode, 0, lines.join('\n'));
    assert.ok(lines.some((line) => line.includes(`${id}`) && line.includes('at --until-epoch 5 (rerun without it to resume to epoch 20)')), lines.join('\n'));
    const run = new ResultStore(root).run(toyGaussian.id, id);
    assert.equal(run.readCheckpointHeader()!.epoch, 5);
    assert.equal(run.readMarker(), undefined);
    await captured([...args, id]);
    assert.equal(process.exitCode, 0);
    assert.equal(run.readMarker()!.status, 'done');
    assert.equal(run.readMetrics().length, 20);
    await assert.rejects(main([...args, id, '--until-epoch', '0']), (error: unknown) => error instanceof UsageError && /--until-epoch takes a positive whole number/.test(error.message));
  } finally {
    process.exitCode = previousExitCode;
  }
});

test('with a store other than <repo>/results and no --csv, the figure CSVs go to <store>/csv, not the repository', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'iwlab-csv-'));
  const previousExitCode = process.exitCode;
  try {
    const lines = await captured([toyGaussian.id, '--scale', 'smoke', '--results', root, '--workers', '1']);
    assert.equal(process.exitCode, 0, lines.join('\n'));
    const written = fs.readdirSync(path.join(root, 'csv'));
    assert.ok(written.some((file) => file.startsWith(`${toyGaussian.id}-smoke`) && file.endsWith('.csv')), written.join(', '));
  } finally {
    process.exitCode = previousExitCode;
  }
});
