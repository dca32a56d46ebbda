import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EngineSettingsError, engineSettingsFromEnv } from '../../src/engine/index';
import { DEFAULT_ENGINE_DIR, applyNativeEnvironment, locateNativeEngine, startupOutputToKeep } from '../../src/engine/nativeEngine';
import { REPO_ROOT } from '../../src/paths';

const missingDir = path.join(os.tmpdir(), 'iwlab-no-engine-here');

/** initEngine chooses once per process, so each selection runs in a fresh Node process. */
function selectInChild(env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const script = `require('./src/engine/index').initEngine({ requested: process.env.IWLAB_BACKEND, log: (line) => console.log(line) })
    .then((info) => console.log(JSON.stringify(info)), (error) => { console.log(error.name + ': ' + error.message); process.exitCode = 3; });`;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('with no native engine installed the engine falls back to wasm and says how to install it', () => {
  fs.rmSync(missingDir, { recursive: true, force: true });
  const { status, stdout } = selectInChild({ IWLAB_ENGINE_DIR: missingDir, IWLAB_BACKEND: '' });
  assert.equal(status, 0, stdout);
  const info = JSON.parse(stdout.trim().split('\n').pop()!) as { backend: string; skipped: string[]; threads: number };
  assert.equal(info.backend, 'wasm');
  assert.equal(info.threads, 1);
  assert.ok(info.skipped.some((reason) => /^tensorflow: not installed in .*npm run engine:install/.test(reason)), info.skipped.join('\n'));
});

test('asking for the native engine where it is not installed fails with one line naming the fix', () => {
  const { status, stdout } = selectInChild({ IWLAB_ENGINE_DIR: missingDir, IWLAB_BACKEND: 'tensorflow' });
  assert.equal(status, 3);
  assert.match(stdout, /^BackendUnavailableError: The requested tfjs backend 'tensorflow' is not available here \(not installed in .*npm run engine:install`\)/m);
});

test('IWLAB_ENGINE_DIR and IWLAB_THREADS are read once, and a bad thread count is refused', () => {
  assert.deepEqual(engineSettingsFromEnv({}), { engineDir: DEFAULT_ENGINE_DIR, intraOpThreads: 1 }, 'one intra-op thread per worker by default');
  assert.deepEqual(engineSettingsFromEnv({ IWLAB_ENGINE_DIR: '/e', IWLAB_THREADS: '2' }), { engineDir: '/e', intraOpThreads: 2 });
  assert.throws(() => engineSettingsFromEnv({ IWLAB_THREADS: 'two' }), (error: unknown) => error instanceof EngineSettingsError && /IWLAB_THREADS must be a positive integer .*got 'two'; unset it/.test(error.message));
  assert.throws(() => engineSettingsFromEnv({ IWLAB_THREADS: '0' }), EngineSettingsError);
  assert.throws(() => engineSettingsFromEnv({ IWLAB_THREADS: '1.5' }), EngineSettingsError);
});

test('TensorFlow gets its thread and log settings before it starts; unset threads keep its default', () => {
  const env: NodeJS.ProcessEnv = {};
  applyNativeEnvironment({}, env);
  assert.deepEqual(env, { TF_CPP_MIN_LOG_LEVEL: '2' });
  const threaded: NodeJS.ProcessEnv = { TF_CPP_MIN_LOG_LEVEL: '0' };
  applyNativeEnvironment({ intraOpThreads: 1 }, threaded);
  assert.deepEqual(threaded, { TF_CPP_MIN_LOG_LEVEL: '0', TF_NUM_INTRAOP_THREADS: '1', TF_NUM_INTEROP_THREADS: '1', TF_OVERRIDE_GLOBAL_THREADPOOL: '1' });
});

test('an engine folder without a manifest is not an engine, whatever else it holds', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iwlab-engine-'));
  fs.mkdirSync(path.join(dir, 'native', 'node_modules', '@tensorflow', 'tfjs-node'), { recursive: true });
  const location = locateNativeEngine(dir);
  assert.ok('missing' in location && /npm run engine:install/.test(location.missing), JSON.stringify(location));
  fs.rmSync(dir, { recursive: true, force: true });
});

test("TensorFlow's load-time INFO and WARNING lines are dropped, anything else it wrote is kept", () => {
  const loaded = [
    'WARNING: All log messages before absl::InitializeLog() is called are written to STDERR',
    'I0000 00:00:1796158650.241245   20028 port.cc:153] oneDNN custom operations are on. You may see slightly different numerical results.',
    'W0000 00:00:1796158650.300000   20028 cpu_feature_guard.cc:210] This TensorFlow binary is optimized to use available CPU instructions.',
    '',
  ].join('\n');
  assert.equal(startupOutputToKeep(loaded), '');
  const failing = `${loaded}E0000 00:00:1796158650.400000   20028 some_op.cc:12] an error\nterminate called after throwing an instance of 'std::bad_alloc'\n`;
  assert.equal(startupOutputToKeep(failing), "E0000 00:00:1796158650.400000   20028 some_op.cc:12] an error\nterminate called after throwing an instance of 'std::bad_alloc'\n");
});
