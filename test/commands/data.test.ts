import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../src/cli';
import { main } from '../../src/commands/data';
import { realDataDir, tempDir } from '../data/fixtures';

test('an unknown dataset or a second one is a usage error listing the choices', async () => {
  await assert.rejects(main(['imagenet']), (error: Error) => error instanceof UsageError && /use cifar10, mnist or all/.test(error.message));
  await assert.rejects(main(['mnist', 'cifar10']), UsageError);
});

test('a --from folder that does not exist is named in the error', async () => {
  const dir = tempDir('cli');
  await assert.rejects(main(['mnist', '--from', path.join(dir, 'nowhere'), '--dir', dir]), /nowhere does not exist/);
  rmSync(dir, { recursive: true });
});

const realMnist = realDataDir('mnist');

test('iwlab data mnist --from <mirror> --dir <dir> installs the four verified files', { skip: realMnist === undefined && 'no MNIST to install from' }, async () => {
  const dir = tempDir('cli');
  const log = console.log;
  const lines: string[] = [];
  console.log = (line: string) => lines.push(line);
  try {
    await main(['mnist', '--from', realMnist!, '--dir', dir]);
    await main(['mnist', '--from', realMnist!, '--dir', dir]);
  } finally {
    console.log = log;
  }
  assert.equal(readdirSync(path.join(dir, 'mnist')).length, 4);
  assert.match(lines[0]!, /^mnist: installed 4 file\(s\)/);
  assert.match(lines[1]!, /^mnist: already installed, 4 files verified/);
  rmSync(dir, { recursive: true });
});
