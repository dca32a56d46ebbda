import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeCheckpoint, encodeCheckpoint, readCheckpointHeaderFile } from '../../src/experiments/checkpointFile';
import { StoreFormatError } from '../../src/experiments/storeErrors';
import type { Checkpoint } from '../../src/train/trainer';

const checkpoint: Checkpoint = { epoch: 2, params: [{ shape: [2], values: new Float32Array([1, 2]) }], buffers: [], optimizer: [], rng: [1, 2, 3, 4], wallTime: 1, snapshots: [] };

function named(file: string, problem: RegExp) {
  return (error: Error) => error instanceof StoreFormatError && error.message.startsWith(file) && problem.test(error.message) && /Delete it to restart the run from its first epoch/.test(error.message);
}

test('a checkpoint cut inside its header is refused naming the file, by the header reader and the full reader', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'iwlab-ckpt-')), 'checkpoint.bin');
  const bytes = encodeCheckpoint(checkpoint);
  fs.writeFileSync(file, bytes.subarray(0, 30));
  assert.throws(() => readCheckpointHeaderFile(file), named(file, /header is cut at byte 30/));
  assert.throws(() => decodeCheckpoint(bytes.subarray(0, 30), file), named(file, /header is cut at byte 30/));
});

test('a header overwritten with other bytes of the same length, or lacking fields, is refused naming the file', () => {
  const bytes = encodeCheckpoint(checkpoint);
  const garbled = Buffer.from(bytes);
  garbled.fill(0x41, 12, 20);
  assert.throws(() => decodeCheckpoint(garbled, 'ck.bin'), named('ck.bin', /not readable JSON/));
  const header = Buffer.from(JSON.stringify({ version: 1, epoch: 2 }));
  const prefix = Buffer.from('IWCK\0\0\0\0');
  prefix.writeUInt32LE(header.length, 4);
  assert.throws(() => decodeCheckpoint(Buffer.concat([prefix, header]), 'ck.bin'), named('ck.bin', /lacks fields/));
});
