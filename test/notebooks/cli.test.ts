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

test('SIGTERM to npm run notebooks interrupts the kernel, shuts it down once its runs stopped: no kernel left, no lock, exit 143', async () => {
  const { spawn } = await import('node:child_process');
  const fs = await import('node:fs');
  const os = await import('node:os');
  const results = fs.mkdtempSync(path.join(os.tmpdir(), 'iwlab-nb-stop-'));
  const locks = () => (fs.readdirSync(results, { recursive: true }) as string[]).filter((file) => path.basename(file) === 'lock');
  const child = spawn('npm', ['run', '-s', 'notebooks', '--', notebook, '--scale', 'quick', '--results', results, '--out', path.join(results, 'out')], { cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const isGroupAlive = () => {
    try {
      process.kill(-child.pid!, 0);
      return true;
    } catch {
      return false;
    }
  };
  try {
    for (let waited = 0; locks().length === 0; waited += 100) {
      assert.ok(waited < 120_000, `no run started within 120 s: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    process.kill(child.pid!, 'SIGTERM');
    assert.equal(await closed, 143, stderr);
    for (let waited = 0; isGroupAlive() && waited < 20_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(isGroupAlive(), false, 'the kernel is not left running');
    assert.deepEqual(locks(), []);
    assert.match(stderr, /^STOPPED .*01-toy-gaussian\.ipynb/m);
  } finally {
    if (isGroupAlive()) process.kill(-child.pid!, 'SIGKILL');
  }
});
