import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EngineInstallError } from '../../src/engine/installPlan';
import { installEngine, pipIndexArgs } from '../../src/engine/installEngine';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'iwlab-engine-install-'));
}

test('an install that cannot start clears what an interrupted one left and installs nothing', async () => {
  const engineDir = tempDir();
  fs.mkdirSync(path.join(engineDir, '.build-stale', 'node_modules'), { recursive: true });
  fs.mkdirSync(path.join(engineDir, 'native.old-123'));
  const lines: string[] = [];
  await assert.rejects(
    installEngine({ engineDir, force: false, fromWheel: path.join(engineDir, 'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl'), python: 'python3', log: (line) => lines.push(line) }),
    (error: unknown) => error instanceof EngineInstallError && /does not exist/.test(error.message),
  );
  assert.deepEqual(fs.readdirSync(engineDir), [], 'no stale build, no half-installed engine');
  assert.ok(lines.some((line) => /removing \.build-stale, left by an interrupted install/.test(line)), lines.join('\n'));
  fs.rmSync(engineDir, { recursive: true, force: true });
});

test("pip's first configured extra index becomes the index, unless PIP_INDEX_URL is set", () => {
  const dir = tempDir();
  const fakePython = path.join(dir, 'python');
  // Answers `python -m pip config get global.extra-index-url` as pip does: the value, space-separated.
  fs.writeFileSync(fakePython, '#!/bin/sh\necho "file:///mirror/simple file:///more/simple"\n', { mode: 0o755 });
  assert.deepEqual(pipIndexArgs(fakePython, {}), ['--index-url', 'file:///mirror/simple']);
  assert.deepEqual(pipIndexArgs(fakePython, { PIP_INDEX_URL: 'file:///set' }), []);
  fs.writeFileSync(fakePython, '#!/bin/sh\nexit 1\n', { mode: 0o755 });
  assert.deepEqual(pipIndexArgs(fakePython, {}), [], 'no extra index configured: pip keeps its own');
  fs.rmSync(dir, { recursive: true, force: true });
});
