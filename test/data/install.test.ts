import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { MNIST_MANIFEST, type DatasetManifest } from '../../src/data/datasets';
import { ChecksumError, MissingDataError } from '../../src/data/errors';
import { installDataset } from '../../src/data/install';
import { realDataDir, tempDir } from './fixtures';
import { md5, noiseBytes, startTestServer, type TestServer } from './httpFixture';

// A stand-in dataset with the real one's shape: a folder 'tiny-batches' of two files, shipped as
// an archive whose member folder has that name, or as separate files behind base URLs.
const first = noiseBytes(40_000, 1);
const second = new TextEncoder().encode('cat\ndog\n');
const files = [
  { name: 'first.bin', md5: md5(first), bytes: first.length },
  { name: 'meta.txt', md5: md5(second) },
];

let server: TestServer;
let work: string;
let archiveBytes: Uint8Array;
before(async () => {
  server = await startTestServer();
  work = tempDir('install');
  const source = path.join(work, 'archive-source');
  mkdirSync(path.join(source, 'tiny-batches'), { recursive: true });
  writeFileSync(path.join(source, 'tiny-batches', 'first.bin'), first);
  writeFileSync(path.join(source, 'tiny-batches', 'meta.txt'), second);
  writeFileSync(path.join(source, 'tiny-batches', 'readme.html'), 'not listed, extracted but not installed');
  const archive = path.join(work, 'tiny.tar.gz');
  await tar.c({ gzip: true, file: archive, cwd: source }, ['tiny-batches']);
  archiveBytes = readFileSync(archive);
  server.routes.set('/tiny.tar.gz', { body: archiveBytes });
  server.routes.set('/files/first.bin', { body: first });
  server.routes.set('/files/meta.txt', { body: second });
});
after(async () => {
  await server.close();
  rmSync(work, { recursive: true });
});

function archiveManifest(md5Override?: string): DatasetManifest {
  return {
    id: 'cifar10',
    title: 'Tiny',
    dir: 'tiny-batches',
    files,
    origin: { kind: 'archive', name: 'tiny.tar.gz', urls: [server.url('/tiny.tar.gz')], md5: md5Override ?? md5(archiveBytes), member: 'tiny-batches' },
  };
}

function filesManifest(): DatasetManifest {
  return { id: 'mnist', title: 'Tiny', dir: 'tiny-files', files, origin: { kind: 'files', baseUrls: [server.url('/missing/'), server.url('/files/')] } };
}

/** Everything under dir, recursively, as relative paths: to show nothing stray is left behind. */
function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

test('downloading an archive: verified, extracted, the listed files installed, nothing else left', async () => {
  const dataDir = path.join(work, 'from-archive');
  const report = await installDataset(archiveManifest(), { dataDir });
  assert.deepEqual(report.installed.sort(), ['first.bin', 'meta.txt']);
  assert.deepEqual(readFileSync(path.join(dataDir, 'tiny-batches', 'first.bin')), Buffer.from(first));
  assert.deepEqual(listing(dataDir), ['.downloads', 'tiny-batches', 'tiny-batches/first.bin', 'tiny-batches/meta.txt']);

  const again = await installDataset(archiveManifest(), { dataDir });
  assert.deepEqual(again.kept.sort(), ['first.bin', 'meta.txt']);
  assert.deepEqual(again.installed, []);
});

test('an archive with the wrong checksum is refused and nothing is installed', async () => {
  const dataDir = path.join(work, 'bad-archive');
  await assert.rejects(installDataset(archiveManifest('0'.repeat(32)), { dataDir }), ChecksumError);
  assert.deepEqual(listing(path.join(dataDir, 'tiny-batches')), []);
  assert.deepEqual(listing(path.join(dataDir, '.downloads')), []);
});

test('a member whose md5 differs from the list stops the install before any file is moved into place', async () => {
  const dataDir = path.join(work, 'bad-member');
  const manifest = { ...archiveManifest(), files: [files[0]!, { name: 'meta.txt', md5: '1'.repeat(32) }] };
  await assert.rejects(installDataset(manifest, { dataDir }), /meta\.txt in .* has md5 .*, not 1111/);
  assert.deepEqual(listing(path.join(dataDir, 'tiny-batches')), []);
  assert.ok(!readdirSync(dataDir).some((name) => name.startsWith('.staging')), 'the staging folder is removed');
});

test('separate files fall back to the second base URL', async () => {
  const dataDir = path.join(work, 'from-files');
  const report = await installDataset(filesManifest(), { dataDir });
  assert.deepEqual(report.installed, ['first.bin', 'meta.txt']);
  assert.deepEqual(listing(path.join(dataDir, 'tiny-files')), ['first.bin', 'meta.txt']);
});

test('--from an extracted folder copies through the same verification; a damaged install is set aside and replaced', async () => {
  const mirror = path.join(work, 'mirror');
  mkdirSync(path.join(mirror, 'tiny-batches'), { recursive: true });
  writeFileSync(path.join(mirror, 'tiny-batches', 'first.bin'), first);
  writeFileSync(path.join(mirror, 'tiny-batches', 'meta.txt'), second);
  const dataDir = path.join(work, 'from-mirror');
  const report = await installDataset(archiveManifest(), { dataDir, from: mirror });
  assert.deepEqual(report.installed, ['first.bin', 'meta.txt']);
  assert.equal(report.source, path.join(mirror, 'tiny-batches'));

  const installed = path.join(dataDir, 'tiny-batches', 'first.bin');
  writeFileSync(installed, first.subarray(0, 100)); // truncated after install
  const repaired = await installDataset(archiveManifest(), { dataDir, from: mirror });
  assert.deepEqual(repaired.installed, ['first.bin']);
  assert.deepEqual(repaired.kept, ['meta.txt']);
  assert.deepEqual(readFileSync(installed), Buffer.from(first));
  assert.equal(readFileSync(`${installed}.corrupt`).length, 100);
});

test('--from a folder with a damaged file fails on that file and installs nothing under its name', async () => {
  const mirror = path.join(work, 'damaged-mirror');
  mkdirSync(mirror, { recursive: true });
  writeFileSync(path.join(mirror, 'first.bin'), first.subarray(0, 30_000));
  writeFileSync(path.join(mirror, 'meta.txt'), second);
  const dataDir = path.join(work, 'from-damaged');
  await assert.rejects(installDataset(archiveManifest(), { dataDir, from: mirror }), (error: Error) => {
    assert.ok(error instanceof ChecksumError);
    assert.match(error.message, /first\.bin has md5/);
    assert.match(error.message, /Replace it in the mirror/);
    return true;
  });
  assert.equal(existsSync(path.join(dataDir, 'tiny-batches', 'first.bin')), false);
  assert.ok(listing(path.join(dataDir, 'tiny-batches')).every((name) => !name.includes('partial')));
});

test('--from a folder holding only the archive extracts it; a folder without the data names what is missing', async () => {
  const mirror = path.join(work, 'archive-mirror');
  mkdirSync(mirror, { recursive: true });
  writeFileSync(path.join(mirror, 'tiny.tar.gz'), archiveBytes);
  const dataDir = path.join(work, 'from-archive-mirror');
  const report = await installDataset(archiveManifest(), { dataDir, from: mirror });
  assert.deepEqual(report.installed.sort(), ['first.bin', 'meta.txt']);
  assert.ok(existsSync(path.join(mirror, 'tiny.tar.gz')), "the mirror's archive is left alone");

  const empty = path.join(work, 'empty-mirror');
  mkdirSync(empty);
  await assert.rejects(installDataset(archiveManifest(), { dataDir: path.join(work, 'x'), from: empty }), (error: Error) => error instanceof MissingDataError && /missing first\.bin, meta\.txt/.test(error.message));
});

const realMnist = realDataDir('mnist');

test('real MNIST installs from ../shared/data (or data/) with every published md5 checked', { skip: realMnist === undefined && 'no MNIST to install from' }, async () => {
  const dataDir = path.join(work, 'real');
  const report = await installDataset(MNIST_MANIFEST, { dataDir, from: realMnist! });
  assert.equal(report.installed.length, 4);
  assert.deepEqual(listing(path.join(dataDir, 'mnist')), MNIST_MANIFEST.files.map((file) => file.name).sort());
});

test('copies and staging folders left by a killed `iwlab data --from` are removed by the next install; a live copy\'s are kept', async () => {
  const mirror = path.join(work, 'leftover-mirror');
  mkdirSync(path.join(mirror, 'tiny-batches'), { recursive: true });
  writeFileSync(path.join(mirror, 'tiny-batches', 'first.bin'), first);
  writeFileSync(path.join(mirror, 'tiny-batches', 'meta.txt'), second);
  const dataDir = path.join(work, 'leftovers');
  const target = path.join(dataDir, 'tiny-batches');
  mkdirSync(path.join(dataDir, '.staging-tiny-batches-999999'), { recursive: true });
  mkdirSync(target, { recursive: true });
  writeFileSync(path.join(target, 'first.bin.partial-999999'), first.subarray(0, 10)); // pid 999999: not alive
  writeFileSync(path.join(target, `meta.txt.partial-${process.ppid}`), 'a copy still running');
  await installDataset(archiveManifest(), { dataDir, from: mirror });
  assert.deepEqual(listing(target).sort(), ['first.bin', 'meta.txt', `meta.txt.partial-${process.ppid}`]);
  assert.equal(existsSync(path.join(dataDir, '.staging-tiny-batches-999999')), false);
});
