/**
 * metrics.jsonl: one EpochMetrics line per finished epoch, appended as training goes. A kill or a
 * full disk mid-append leaves a torn last line: readers ignore it, and the appender cuts it off
 * before writing, so a resumed epoch never lands glued onto half a line.
 */
import fs from 'node:fs';
import { isNotFound } from './atomicFiles';
import { StoreFormatError } from './storeErrors';
import type { EpochMetrics } from './types';

/** Every complete line, in file order; a torn last line is ignored, a corrupt complete one named. */
export function readMetricsFile(file: string): EpochMetrics[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
  // What follows the last newline is empty, or a line torn by a kill mid-append: drop it.
  const complete = text.split('\n').slice(0, -1);
  return complete.filter((line) => line.trim() !== '').map((line, index) => parseMetricsLine(line, index + 1, file));
}

/** Number of epochs 1..n present in order at the start of the lines. */
export function contiguousEpochs(lines: readonly EpochMetrics[]): number {
  let n = 0;
  while (n < lines.length && lines[n]!.epoch === n + 1) n++;
  return n;
}

/** Appends metrics lines; `sync()` makes them durable (called before each checkpoint). */
export class MetricsAppender {
  private fd: number | undefined;

  constructor(readonly filePath: string) {
    this.fd = fs.openSync(filePath, 'a+');
    cutTornTail(this.fd);
  }

  append(line: EpochMetrics): void {
    // One write() per line: a kill lands before or after it; the next appender cuts a torn tail.
    fs.writeSync(this.openFd(), JSON.stringify(line) + '\n');
  }

  sync(): void {
    fs.fsyncSync(this.openFd());
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private openFd(): number {
    if (this.fd === undefined) throw new Error(`The metrics file ${this.filePath} was closed; open a new appender.`);
    return this.fd;
  }
}

/** Truncates the file after its last newline (nothing when it ends with one, or is empty). */
function cutTornTail(fd: number): void {
  const size = fs.fstatSync(fd).size;
  if (size === 0) return;
  // Read backwards in blocks until a newline: a line is at most a few hundred bytes.
  const block = Buffer.alloc(4096);
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - block.length);
    const read = fs.readSync(fd, block, 0, end - start, start);
    const at = block.subarray(0, read).lastIndexOf(0x0a);
    if (at >= 0) {
      const keep = start + at + 1;
      if (keep < size) fs.ftruncateSync(fd, keep);
      return;
    }
    end = start;
  }
  fs.ftruncateSync(fd, 0); // no complete line at all
}

function parseMetricsLine(line: string, lineNumber: number, file: string): EpochMetrics {
  try {
    return JSON.parse(line) as EpochMetrics;
  } catch {
    throw new StoreFormatError(`${file} line ${lineNumber} is not JSON. Fix or delete that line (later epochs are retrained), or rerun with --retrain.`);
  }
}
