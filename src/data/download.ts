import { createHash } from 'node:crypto';
import { createReadStream, existsSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { open } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { ProgressBar, ProgressBars } from '../progressBar';
import { ChecksumError, DownloadError } from './errors';

/**
 * Fetching one file over HTTP(S) so that nothing unverified ever carries the final name: bytes go
 * to `<dest>.partial`, an interrupted transfer resumes from there with an HTTP Range request, and
 * the file is renamed to `dest` only once its md5 matches the published one. URLs are tried in
 * order (the original page, then mirrors).
 */
export interface DownloadOptions {
  /** Candidate URLs, tried in order until one delivers a file with the right md5. */
  urls: readonly string[];
  /** Final path; written only after verification. */
  dest: string;
  md5: string;
  /** Progress display; one bar per attempt, labelled with the file name. */
  progress?: ProgressBars;
  /** Milliseconds without a byte before a connection is given up (default 30 s). */
  idleTimeoutMs?: number;
}

export const PARTIAL_SUFFIX = '.partial';
const MAX_REDIRECTS = 5;

/** The md5 of a file, streamed. */
export async function md5File(filePath: string, bar?: ProgressBar): Promise<string> {
  const hash = createHash('md5');
  let done = 0;
  for await (const chunk of createReadStream(filePath, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    done += chunk.length;
    bar?.update(done);
  }
  return hash.digest('hex');
}

export async function downloadVerified(options: DownloadOptions): Promise<void> {
  const { dest, md5, urls } = options;
  const partial = dest + PARTIAL_SUFFIX;
  const fileName = path.basename(dest);
  const failures: string[] = [];
  let checksumFailures = 0;
  for (const url of urls) {
    // A resumed transfer that fails its checksum may have been spliced from a changed file: retry it once from zero.
    for (let attempt = 0; attempt < 2; attempt++) {
      const resumedFrom = existsSync(partial) ? statSync(partial).size : 0;
      try {
        await fetchToPartial(url, partial, options, fileName);
      } catch (error) {
        failures.push(`${url}: ${error instanceof Error ? error.message : String(error)}`);
        break;
      }
      const actual = await md5File(partial);
      if (actual === md5) {
        renameSync(partial, dest);
        return;
      }
      unlinkSync(partial);
      checksumFailures++;
      failures.push(`${url}: md5 ${actual}, expected ${md5}${resumedFrom > 0 ? ` (resumed at byte ${resumedFrom})` : ''}`);
      if (resumedFrom === 0) break;
    }
  }
  const tried = failures.map((line) => `  ${line}`).join('\n');
  if (checksumFailures > 0 && !existsSync(partial)) {
    throw new ChecksumError(
      `${fileName}: no source gave the published md5 ${md5}; nothing was kept.\n${tried}\n` +
        'Rerun later, or fetch the file yourself, check it, and install it with `--from <folder>`.',
    );
  }
  const kept = existsSync(partial) ? `The partial download ${partial} is kept: rerun the same command to resume it. ` : '';
  throw new DownloadError(`Could not download ${fileName} from any source:\n${tried}\n${kept}Without internet, copy the files from another machine and use \`--from <folder>\`.`);
}

/**
 * Appends the rest of `url` to `partial` (or rewrites it when the server ignores the Range).
 * Resolves when the server has sent everything it promised; rejects on HTTP errors, stalls and
 * short bodies, leaving what arrived in `partial` for the next try.
 */
async function fetchToPartial(url: string, partial: string, options: DownloadOptions, label: string): Promise<void> {
  const offset = existsSync(partial) ? statSync(partial).size : 0;
  const response = await request(url, offset, options.idleTimeoutMs ?? 30000);
  const { statusCode = 0, headers } = response;
  if (statusCode === 416 && offset > 0) {
    // Range past the end: the partial file is already whole (the checksum decides).
    response.resume();
    return;
  }
  let start = 0;
  if (statusCode === 206) {
    start = Number(/^bytes (\d+)-/.exec(headers['content-range'] ?? '')?.[1] ?? NaN);
    if (start !== offset) {
      response.resume();
      throw new DownloadError(`the server resumed at byte ${headers['content-range'] ?? '?'} instead of ${offset}`);
    }
  } else if (statusCode !== 200) {
    response.resume();
    throw new DownloadError(`HTTP ${statusCode} ${response.statusMessage ?? ''}`.trim());
  }
  const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
  const total = length === undefined ? undefined : start + length;
  const bar = options.progress?.add(label, { total, current: start, unit: 'bytes' });
  let received = 0;
  // Each chunk is written before the next is read, so whatever arrived before a break is on disk to resume from.
  const handle = await open(partial, start > 0 ? 'a' : 'w');
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      await handle.write(chunk);
      received += chunk.length;
      bar?.update(start + received);
    }
    if (length !== undefined && received !== length) throw new DownloadError('connection closed early');
  } catch (error) {
    bar?.fail(`${start + received} bytes kept`);
    throw new DownloadError(`transfer broke off after ${start + received}${total === undefined ? '' : ` of ${total}`} bytes (${error instanceof Error ? error.message : String(error)})`);
  } finally {
    await handle.close();
  }
  bar?.finish();
}

/** GET with an optional Range from `offset`, following redirects; rejects on connection errors and stalls. */
function request(url: string, offset: number, idleTimeoutMs: number, redirects = 0): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : http;
    const headers: http.OutgoingHttpHeaders = { 'user-agent': 'iwlab-data', 'accept-encoding': 'identity' };
    if (offset > 0) headers.range = `bytes=${offset}-`;
    let current: http.IncomingMessage | undefined;
    const req = client.get(url, { headers }, (response) => {
      current = response;
      const location = response.headers.location;
      if (response.statusCode !== undefined && response.statusCode >= 300 && response.statusCode < 400 && location !== undefined) {
        response.resume();
        if (redirects >= MAX_REDIRECTS) return reject(new DownloadError(`more than ${MAX_REDIRECTS} redirects`));
        return resolve(request(new URL(location, url).toString(), offset, idleTimeoutMs, redirects + 1));
      }
      resolve(response);
    });
    // The idle timeout covers the whole exchange, the body included: a stalled transfer errors the response stream.
    req.setTimeout(idleTimeoutMs, () => {
      const stalled = new DownloadError(`no data for ${idleTimeoutMs / 1000} s`);
      if (current !== undefined) current.destroy(stalled);
      else req.destroy(stalled);
    });
    req.on('error', reject);
  });
}
