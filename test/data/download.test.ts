import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { downloadVerified, md5File, PARTIAL_SUFFIX } from '../../src/data/download';
import { ChecksumError, DownloadError } from '../../src/data/errors';
import { ProgressBars } from '../../src/progressBar';
import { tempDir } from './fixtures';
import { md5, noiseBytes, startTestServer, type TestServer } from './httpFixture';

let server: TestServer;
let dir: string;
before(async () => {
  server = await startTestServer();
  dir = tempDir('download');
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true });
});

const body = noiseBytes(300_000, 7);

test('md5File hashes a file', async () => {
  const file = path.join(dir, 'hash-me');
  writeFileSync(file, 'abc');
  assert.equal(await md5File(file), '900150983cd24fb0d6963f7d28e17f72'); // RFC 1321's test vector for "abc"
});

test('an interrupted download keeps its partial file and the next run resumes it with a Range request', async () => {
  const dest = path.join(dir, 'resumed.bin');
  server.routes.set('/resumed.bin', { body, cutAfter: 100_000 });
  await assert.rejects(downloadVerified({ urls: [server.url('/resumed.bin')], dest, md5: md5(body) }), (error: Error) => {
    assert.ok(error instanceof DownloadError);
    assert.match(error.message, /rerun the same command to resume/);
    return true;
  });
  assert.equal(existsSync(dest), false, 'nothing carries the final name before verification');
  const kept = statSync(dest + PARTIAL_SUFFIX).size;
  assert.ok(kept > 0 && kept <= 100_000, `partial holds ${kept} bytes`);

  server.routes.set('/resumed.bin', { body });
  server.requests.length = 0;
  const lines: string[] = [];
  const progress = new ProgressBars({ stream: { write: (chunk: string) => lines.push(chunk) } });
  await downloadVerified({ urls: [server.url('/resumed.bin')], dest, md5: md5(body), progress });
  assert.deepEqual(server.requests.map((request) => request.range), [`bytes=${kept}-`]);
  assert.deepEqual(readFileSync(dest), Buffer.from(body));
  assert.equal(existsSync(dest + PARTIAL_SUFFIX), false);
  assert.match(lines.join(''), /resumed\.bin .*100%.*done/);
});

test('a file with the wrong checksum is deleted, not installed, and the error names it', async () => {
  const dest = path.join(dir, 'wrong.bin');
  server.routes.set('/wrong.bin', { body: noiseBytes(5000, 3) });
  await assert.rejects(downloadVerified({ urls: [server.url('/wrong.bin')], dest, md5: md5(body) }), (error: Error) => {
    assert.ok(error instanceof ChecksumError);
    assert.match(error.message, /wrong\.bin: no source gave the published md5/);
    assert.match(error.message, /--from/);
    return true;
  });
  assert.equal(existsSync(dest), false);
  assert.equal(existsSync(dest + PARTIAL_SUFFIX), false);
});

test('when the original page fails, the mirror is used', async () => {
  const dest = path.join(dir, 'mirrored.bin');
  server.routes.set('/mirror/mirrored.bin', { body });
  server.routes.set('/original/mirrored.bin', { status: 403 });
  await downloadVerified({ urls: [server.url('/original/mirrored.bin'), server.url('/mirror/mirrored.bin')], dest, md5: md5(body) });
  assert.equal(await md5File(dest), md5(body));
});

test('a corrupt first source is skipped for a mirror that has the right bytes', async () => {
  const dest = path.join(dir, 'second.bin');
  server.routes.set('/bad/second.bin', { body: noiseBytes(1000, 9) });
  server.routes.set('/good/second.bin', { body });
  await downloadVerified({ urls: [server.url('/bad/second.bin'), server.url('/good/second.bin')], dest, md5: md5(body) });
  assert.equal(await md5File(dest), md5(body));
});

test('redirects are followed; a server that ignores Range rewrites the partial from zero', async () => {
  const dest = path.join(dir, 'redirected.bin');
  server.routes.set('/old/redirected.bin', { redirect: '/new/redirected.bin' });
  server.routes.set('/new/redirected.bin', { body, ignoreRange: true });
  writeFileSync(dest + PARTIAL_SUFFIX, body.subarray(0, 1234));
  await downloadVerified({ urls: [server.url('/old/redirected.bin')], dest, md5: md5(body) });
  assert.equal(await md5File(dest), md5(body));
});

test('a resumed file that fails its checksum is fetched once more from the start', async () => {
  const dest = path.join(dir, 'spliced.bin');
  writeFileSync(dest + PARTIAL_SUFFIX, noiseBytes(2000, 99)); // a stale partial from some other file
  server.routes.set('/spliced.bin', { body });
  server.requests.length = 0;
  await downloadVerified({ urls: [server.url('/spliced.bin')], dest, md5: md5(body) });
  assert.deepEqual(server.requests.map((request) => request.range), ['bytes=2000-', undefined]);
  assert.equal(await md5File(dest), md5(body));
});

test('every source failing gives a DownloadError listing each URL', async () => {
  const dest = path.join(dir, 'absent.bin');
  await assert.rejects(downloadVerified({ urls: [server.url('/nope-1'), server.url('/nope-2')], dest, md5: md5(body) }), (error: Error) => {
    assert.ok(error instanceof DownloadError);
    assert.match(error.message, /nope-1: HTTP 404/);
    assert.match(error.message, /nope-2: HTTP 404/);
    return true;
  });
  assert.equal(existsSync(dest), false);
});

test('a stalled transfer is abandoned after the idle timeout, keeping what arrived', async () => {
  const dest = path.join(dir, 'stalled.bin');
  server.routes.set('/stalled.bin', { body, cutAfter: 5000, stall: true });
  await assert.rejects(downloadVerified({ urls: [server.url('/stalled.bin')], dest, md5: md5(body), idleTimeoutMs: 300 }), /no data for 0\.3 s/);
  assert.equal(statSync(dest + PARTIAL_SUFFIX).size, 5000);
});
