/**
 * Bad input at the edge: each gets one line naming the problem and the fix, the right exit code, and
 * no stack trace unless --debug; the data and results settings reach every command.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main as data } from '../../src/commands/data';
import { main as run } from '../../src/commands/run';
import { expandRuns } from '../../src/experiments/expand';
import { cifarCnn, toyGaussian } from '../../src/experiments/figures';
import { runId } from '../../src/experiments/runId';
import { REPO_ROOT } from '../../src/paths';
import { UsageError } from '../../src/usageError';

function iwlab(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(path.join(REPO_ROOT, 'bin', 'iwlab'), args, { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, IWLAB_SCALE: '', IWLAB_SEEDS: '', IWLAB_DATA_DIR: '', IWLAB_RESULTS: '', ...env }, timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const isStack = (text: string) => /^\s+at /m.test(text);

function tempDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `iwlab-bad-${name}-`));
}

test('an unknown flag prints one line naming it and a near match, exit 2, no stack; --debug adds the stack', () => {
  const result = iwlab(['run', 'toy-gaussian', '--scael', 'smoke']);
  assert.equal(result.status, 2);
  assert.equal(result.stderr.trim(), 'UsageError: Unknown option --scael (did you mean --scale?); see `iwlab run --help` for the options.');
  const debug = iwlab(['run', 'toy-gaussian', '--scael', 'smoke', '--debug']);
  assert.equal(debug.status, 2);
  assert.ok(isStack(debug.stderr), debug.stderr);
});

test('--ids without --list is refused before anything trains, exit 2 (it used to train the whole figure)', () => {
  const results = tempDir('ids');
  const result = iwlab(['run', 'toy-gaussian', '--scale', 'smoke', '--ids', '--results', results]);
  assert.equal(result.status, 2);
  assert.equal(result.stderr.trim(), 'UsageError: --ids only changes what --list prints: use iwlab run toy-gaussian --list --ids (nothing was trained).');
  assert.deepEqual(fs.readdirSync(results), [], 'nothing was stored');
  const listed = iwlab(['run', 'toy-gaussian', '--scale', 'smoke', '--list', '--ids', '--results', results]);
  assert.equal(listed.status, 0, listed.stderr);
  assert.deepEqual(listed.stdout.trim().split('\n'), expandRuns(toyGaussian, 'smoke').map(runId));
});

test('a flag without its value says which and how to give it, exit 2', () => {
  const result = iwlab(['run', 'toy-gaussian', '--scale']);
  assert.equal(result.status, 2);
  assert.match(result.stderr.trim(), /^UsageError: Option --scale needs a value \(--scale <value>.*\); see `iwlab run --help`\.$/);
  assert.ok(!isStack(result.stderr));
});

test('IWLAB_SCALE and IWLAB_SEEDS are refused by name', async () => {
  const scale = iwlab(['run', 'toy-gaussian', '--list'], { IWLAB_SCALE: 'bogus' });
  assert.equal(scale.status, 2);
  assert.match(scale.stderr.trim(), /^UsageError: Unknown scale 'bogus' \(from IWLAB_SCALE\); use one of smoke, quick, paper/);
  const seeds = iwlab(['run', 'toy-gaussian', '--list'], { IWLAB_SEEDS: 'two' });
  assert.equal(seeds.status, 2);
  assert.match(seeds.stderr.trim(), /^UsageError: IWLAB_SEEDS: Seeds must be a positive integer/);
});

test('a data folder that is a file is one clear line for iwlab data and iwlab run, not an ENOTDIR stack', async () => {
  const file = path.join(tempDir('file'), 'data');
  fs.writeFileSync(file, 'not a folder');
  for (const call of [() => data(['mnist', '--data', file]), () => data(['mnist', '--dir', file]), () => run(['cifar-cnn', '--scale', 'smoke', '--data', file, '--list'])]) {
    await assert.rejects(call(), (error: Error) => error instanceof UsageError && error.message.includes(`${file} is a file, not a folder. Point --data or IWLAB_DATA_DIR at a folder`));
  }
  await assert.rejects(run(['toy-gaussian', '--scale', 'smoke', '--results', file, '--list']), /The results folder from --results cannot be used: .* is a file, not a folder\. Point --results or IWLAB_RESULTS at a folder/);
  const result = iwlab(['data', 'mnist'], { IWLAB_DATA_DIR: path.join(file, 'below') });
  assert.equal(result.status, 2);
  assert.match(result.stderr.trim(), /^UsageError: The data folder from IWLAB_DATA_DIR cannot be used: .*data, on the way to .*below, is a file, not a folder\./);
});

test('iwlab run reads its datasets from IWLAB_DATA_DIR (and --data), the folder iwlab data installs into', () => {
  // An empty data folder: the run must look there (and say so), not in <repo>/data where the data may be.
  const dataDir = tempDir('data');
  const results = tempDir('results');
  const only = runId(expandRuns(cifarCnn, 'smoke')[0]!);
  const result = iwlab(['run', 'cifar-cnn', '--scale', 'smoke', '--only', only, '--workers', '1', '--results', results, '--csv', tempDir('csv')], { IWLAB_DATA_DIR: dataDir });
  assert.equal(result.status, 1, result.stderr);
  const escaped = dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // The data check (before training) or the loader says it; either way it names this folder.
  assert.match(result.stdout, new RegExp(`MissingDataError: CIFAR-10 (\\(binary version\\) )?is not installed in ${escaped}`));
  assert.match(result.stdout, new RegExp(`^Data folder: ${escaped}\\. Install there with \`npx iwlab data cifar10 --data ${escaped}\``, 'm'), 'the fix names the same folder: no loop');
});

test('iwlab figure honours IWLAB_RESULTS: its runs go to that store', () => {
  const results = tempDir('results');
  const out = path.join(tempDir('out'), 'toy.html');
  const result = iwlab(['figure', 'toy-gaussian', '--scale', 'smoke', '--workers', '1', '--out', out], { IWLAB_RESULTS: results });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`12/12 runs done .*\\(results in ${results.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`));
  assert.ok(fs.existsSync(path.join(results, 'toy-gaussian')), 'the runs are stored in IWLAB_RESULTS');
  assert.ok(fs.existsSync(out));
});
