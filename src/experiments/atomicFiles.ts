/**
 * File helpers of the store: atomic replacement (temp file + rename) and JSON files that may be
 * absent. A process killed mid-write leaves its temp file behind; the store removes those of a run
 * when it next locks the run (removeLeftovers), since only the lock holder writes there.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { StoreFormatError } from './storeErrors';

const TEMP_MARK = '.tmp-';

/** Writes to a temp file in the same directory, flushes it, then renames over the target. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const temp = `${file}${TEMP_MARK}${process.pid}-${threadId}-${randomBytes(4).toString('hex')}`;
  const fd = fs.openSync(temp, 'w');
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw error;
  }
  fs.closeSync(fd);
  fs.renameSync(temp, file);
}

/** Removes temp files (and other names matching `isLeftover`) in `dir`; call it only while no one else writes there. */
export function removeLeftovers(dir: string, isLeftover: (name: string) => boolean = isTempFile): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
  const removed = names.filter(isLeftover);
  for (const name of removed) fs.rmSync(path.join(dir, name), { force: true, recursive: true });
  return removed;
}

export function isTempFile(name: string): boolean {
  return name.includes(TEMP_MARK);
}

/** The parsed file, or undefined when it does not exist; unparsable JSON names the file and the fix. */
export function readJson<T>(file: string): T | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new StoreFormatError(`${file} is not valid JSON. Delete it (the run is then trained again) or rerun with --retrain.`);
  }
}

export function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}
