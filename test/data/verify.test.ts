import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { DatasetManifest } from '../../src/data/datasets';
import { ChecksumError, MissingDataError } from '../../src/data/errors';
import { VERIFIED_FILE, verifyDataset } from '../../src/data/verify';
import { tempDir } from './fixtures';
import { md5, noiseBytes } from './httpFixture';

const first = noiseBytes(20_000, 3);
const gzForm = noiseBytes(500, 4);
function manifest(): DatasetManifest {
  return {
    id: 'mnist',
    title: 'Tiny',
    dir: 'tiny',
    files: [
      { name: 'first.bin', md5: md5(first), bytes: first.length },
      { name: 'second.gz', md5: md5(gzForm), alternative: { name: 'second', md5: md5(first) } },
    ],
    origin: { kind: 'files', baseUrls: [] },
  };
}

function install(): string {
  const dataDir = tempDir('verify');
  fs.mkdirSync(path.join(dataDir, 'tiny'));
  fs.writeFileSync(path.join(dataDir, 'tiny', 'first.bin'), first);
  fs.writeFileSync(path.join(dataDir, 'tiny', 'second'), first);
  return dataDir;
}

test('intact files give their checksums (either form of a file), and the check is recorded beside the data', async () => {
  const dataDir = install();
  const record = await verifyDataset(manifest(), dataDir);
  assert.deepEqual(record, { 'tiny/first.bin': md5(first), 'tiny/second': md5(first) });
  const stamp = JSON.parse(fs.readFileSync(path.join(dataDir, 'tiny', VERIFIED_FILE), 'utf8'));
  assert.equal(stamp['first.bin'].md5, md5(first));
  assert.equal(stamp['first.bin'].size, first.length);
});

test('same-length damage is refused with the file and the reinstall command named', async () => {
  const dataDir = install();
  await verifyDataset(manifest(), dataDir); // verified once: the stamp must not hide a later change
  const file = path.join(dataDir, 'tiny', 'first.bin');
  const damaged = Buffer.from(first);
  damaged[100] ^= 0xff;
  fs.writeFileSync(file, damaged);
  await assert.rejects(verifyDataset(manifest(), dataDir), (error: Error) => error instanceof ChecksumError && error.message.includes(file) && /iwlab data mnist --force/.test(error.message));
});

test('a file unchanged since its last check is not hashed again; a changed size or mtime is', async () => {
  const dataDir = install();
  await verifyDataset(manifest(), dataDir);
  // Forge the stamp's md5: trusted while size and mtime match (proves no re-hash), re-checked once the mtime moves.
  const stampPath = path.join(dataDir, 'tiny', VERIFIED_FILE);
  const stamp = JSON.parse(fs.readFileSync(stampPath, 'utf8'));
  stamp['first.bin'].md5 = md5(first); // unchanged value, so the forged entry still verifies
  stamp['first.bin'].hashedAt = 'forged';
  fs.writeFileSync(stampPath, JSON.stringify(stamp));
  await verifyDataset(manifest(), dataDir);
  assert.equal(JSON.parse(fs.readFileSync(stampPath, 'utf8'))['first.bin'].hashedAt, 'forged', 'not re-hashed');
  const later = new Date(Date.now() + 5000);
  fs.utimesSync(path.join(dataDir, 'tiny', 'first.bin'), later, later);
  await verifyDataset(manifest(), dataDir);
  assert.notEqual(JSON.parse(fs.readFileSync(stampPath, 'utf8'))['first.bin'].hashedAt, 'forged', 're-hashed after the mtime changed');
});

test('a missing file is reported as missing with the install command', async () => {
  const dataDir = install();
  fs.rmSync(path.join(dataDir, 'tiny', 'second'));
  await assert.rejects(verifyDataset(manifest(), dataDir), (error: Error) => error instanceof MissingDataError && /second/.test(error.message) && /iwlab data mnist/.test(error.message));
});
