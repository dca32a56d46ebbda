import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCommandLine } from '../src/commandLine';
import { DEFAULT_DATA_DIR } from '../src/data/dataDir';
import { readSettings } from '../src/options';
import { REPO_ROOT } from '../src/paths';
import { UsageError } from '../src/usageError';

test('each setting comes from its flag, else its environment variable, else the default; an empty variable is unset', () => {
  const env = { IWLAB_SCALE: 'paper', IWLAB_SEEDS: '3', IWLAB_BACKEND: 'cpu', IWLAB_DATA_DIR: '/tmp/d', IWLAB_RESULTS: '/tmp/r' };
  assert.deepEqual(readSettings({}, { env }), { scale: 'paper', seeds: 3, backend: 'cpu', dataDir: '/tmp/d', resultsDir: '/tmp/r', debug: false });
  assert.deepEqual(readSettings({ scale: 'smoke', seeds: '2', backend: 'wasm', workers: '4', data: '/tmp/d2', results: '/tmp/r2', debug: true }, { env }), {
    scale: 'smoke',
    seeds: 2,
    backend: 'wasm',
    workers: 4,
    dataDir: '/tmp/d2',
    resultsDir: '/tmp/r2',
    debug: true,
  });
  const empty = { IWLAB_SCALE: '', IWLAB_SEEDS: ' ', IWLAB_BACKEND: '', IWLAB_DATA_DIR: '', IWLAB_RESULTS: '' };
  assert.deepEqual(readSettings({}, { env: empty, defaultScale: 'smoke' }), { scale: 'smoke', dataDir: DEFAULT_DATA_DIR, resultsDir: path.join(REPO_ROOT, 'results'), debug: false });
  assert.equal(readSettings({}, { env: { IWLAB_DEBUG: '1' } }).debug, true);
});

test('a bad value is refused by the name it came from', () => {
  const refuses = (values: Parameters<typeof readSettings>[0], env: NodeJS.ProcessEnv, pattern: RegExp) =>
    assert.throws(() => readSettings(values, { env }), (error: unknown) => error instanceof UsageError && pattern.test(error.message));
  refuses({}, { IWLAB_SCALE: 'huge' }, /^Unknown scale 'huge' \(from IWLAB_SCALE\); use one of smoke, quick, paper: set IWLAB_SCALE to one of them, or unset it for quick\.$/);
  refuses({ scale: 'huge' }, {}, /^Unknown scale 'huge' \(from --scale\)/);
  refuses({}, { IWLAB_SEEDS: '0' }, /^IWLAB_SEEDS: Seeds must be a positive integer/);
  refuses({ seeds: '1.5' }, {}, /^--seeds: Seeds must be a positive integer/);
  refuses({ workers: '0' }, {}, /^--workers takes a positive integer, got '0'\.$/);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'iwlab-options-')), 'file');
  fs.writeFileSync(file, '');
  refuses({}, { IWLAB_RESULTS: file }, /^The results folder from IWLAB_RESULTS cannot be used: .*file is a file, not a folder\. Point --results or IWLAB_RESULTS at a folder/);
  refuses({ data: path.join(file, 'below') }, {}, /^The data folder from --data cannot be used: .*file, on the way to .*below, is a file, not a folder/);
});

test('the command line is strict: unknown flags (with a near match), valueless flags, and shared flags an edge does not take', () => {
  const own = { force: { type: 'boolean' } } as const;
  const refuses = (args: string[], pattern: RegExp, shared?: Parameters<typeof parseCommandLine>[3]) =>
    assert.throws(() => parseCommandLine(args, own, '`x --help`', shared), (error: unknown) => error instanceof UsageError && pattern.test(error.message));
  refuses(['--forse'], /^Unknown option --forse \(did you mean --force\?\); see `x --help` for the options\.$/);
  refuses(['--zzzzzz'], /^Unknown option --zzzzzz; see/);
  refuses(['--seeds'], /^Option --seeds needs a value/);
  refuses(['--force=yes'], /^Option --force is a switch and takes no value/);
  refuses(['--scale', 'quick'], /^Unknown option --scale/, ['data']);
  assert.equal(parseCommandLine(['--data', 'd', 'a'], own, '`x --help`', ['data']).values.data, 'd');
  assert.deepEqual(parseCommandLine(['a', '--force'], own, '`x --help`').positionals, ['a']);
});
