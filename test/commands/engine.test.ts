import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { REPO_ROOT } from '../../src/paths';

test('iwlab engine status prints one JSON line per backend and exits 0 when its reader stops early (grep -q, head)', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'engine', 'status'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Read the first line, then close the pipe the way `grep -q` does at its first match.
  const first = await new Promise<string>((resolve) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const newline = text.indexOf('\n');
      if (newline >= 0) {
        child.stdout.destroy();
        resolve(text.slice(0, newline));
      }
    });
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.deepEqual(Object.keys(JSON.parse(first) as object).slice(0, 2), ['backend', 'loads']);
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /EPIPE|Unhandled/);
});
