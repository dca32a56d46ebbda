/**
 * The checkpoint file: "IWCK", a uint32 LE header length, the header JSON (space-padded to 4 bytes),
 * then every tensor as float32 LE. A file that is not exactly that (cut, overwritten, another format)
 * is refused with a StoreFormatError naming the file and the fix, never a bare JSON error: the caller
 * fails that one run, and listings report it as damaged.
 */
import fs from 'node:fs';
import type { Checkpoint, SavedTensor } from '../train/trainer';
import { isNotFound } from './atomicFiles';
import { StoreFormatError } from './storeErrors';
import type { Snapshot } from './types';

const CHECKPOINT_MAGIC = 'IWCK';
const CHECKPOINT_VERSION = 1;
const PREFIX_BYTES = 8;

/** The checkpoint without its tensors. */
export type CheckpointHeaderInfo = Omit<Checkpoint, 'params' | 'buffers' | 'optimizer'>;

interface TensorEntry {
  shape: number[];
  /** Offset into the float32 data, in elements. */
  offset: number;
  length: number;
}

interface CheckpointHeader {
  version: number;
  epoch: number;
  rng: Checkpoint['rng'];
  wallTime: number;
  snapshots: Snapshot[];
  params: TensorEntry[];
  buffers: TensorEntry[];
  optimizer: TensorEntry[];
}

export function encodeCheckpoint(checkpoint: Checkpoint): Buffer {
  let offset = 0;
  const layout = (tensors: SavedTensor[]): TensorEntry[] =>
    tensors.map((tensor) => {
      const entry = { shape: tensor.shape.slice(), offset, length: tensor.values.length };
      offset += tensor.values.length;
      return entry;
    });
  const header: CheckpointHeader = {
    version: CHECKPOINT_VERSION,
    epoch: checkpoint.epoch,
    rng: checkpoint.rng,
    wallTime: checkpoint.wallTime,
    snapshots: checkpoint.snapshots,
    params: layout(checkpoint.params),
    buffers: layout(checkpoint.buffers),
    optimizer: layout(checkpoint.optimizer ?? []),
  };
  let headerText = JSON.stringify(header);
  headerText += ' '.repeat((4 - ((PREFIX_BYTES + Buffer.byteLength(headerText)) % 4)) % 4);
  const headerBytes = Buffer.from(headerText, 'utf8');
  const data = new Float32Array(offset);
  let at = 0;
  for (const tensor of [...checkpoint.params, ...checkpoint.buffers, ...(checkpoint.optimizer ?? [])]) {
    data.set(tensor.values, at);
    at += tensor.values.length;
  }
  const prefix = Buffer.alloc(PREFIX_BYTES);
  prefix.write(CHECKPOINT_MAGIC, 0, 'ascii');
  prefix.writeUInt32LE(headerBytes.length, 4);
  return Buffer.concat([prefix, headerBytes, toLittleEndianBytes(data)]);
}

export function decodeCheckpoint(bytes: Buffer, source: string): Checkpoint {
  const headerLength = checkPrefix(bytes, source);
  const header = parseHeader(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerLength), headerLength, source);
  const dataStart = PREFIX_BYTES + headerLength;
  const floats = (bytes.length - dataStart) / 4;
  const all = [...header.params, ...header.buffers, ...header.optimizer];
  const needed = all.reduce((sum, entry) => Math.max(sum, entry.offset + entry.length), 0);
  if (!Number.isInteger(floats) || floats < needed) {
    throw new StoreFormatError(`${source} is truncated (${floats} of ${needed} values). Delete it to restart the run from its first epoch.`);
  }
  const data = fromLittleEndianBytes(bytes.subarray(dataStart, dataStart + needed * 4));
  const tensors = (entries: TensorEntry[]): SavedTensor[] => entries.map((entry) => ({ shape: entry.shape, values: data.slice(entry.offset, entry.offset + entry.length) }));
  return {
    epoch: header.epoch,
    params: tensors(header.params),
    buffers: tensors(header.buffers),
    optimizer: tensors(header.optimizer),
    rng: header.rng,
    wallTime: header.wallTime,
    snapshots: header.snapshots,
  };
}

/** The whole checkpoint at `file`, or undefined when there is none. */
export function readCheckpointFile(file: string): Checkpoint | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  return decodeCheckpoint(bytes, file);
}

/** The header alone (epoch, snapshots): reads only the header's bytes. */
export function readCheckpointHeaderFile(file: string): CheckpointHeaderInfo | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  try {
    const prefix = Buffer.alloc(PREFIX_BYTES);
    const prefixRead = fs.readSync(fd, prefix, 0, PREFIX_BYTES, 0);
    const headerLength = checkPrefix(prefix.subarray(0, prefixRead), file);
    const header = Buffer.alloc(headerLength);
    const headerRead = fs.readSync(fd, header, 0, headerLength, PREFIX_BYTES);
    const parsed = parseHeader(header.subarray(0, headerRead), headerLength, file);
    return { epoch: parsed.epoch, rng: parsed.rng, wallTime: parsed.wallTime, snapshots: parsed.snapshots };
  } finally {
    fs.closeSync(fd);
  }
}

function damaged(source: string, problem: string): StoreFormatError {
  return new StoreFormatError(`${source} is damaged (${problem}). Delete it to restart the run from its first epoch, or rerun with --retrain.`);
}

function checkPrefix(bytes: Buffer, source: string): number {
  if (bytes.length < PREFIX_BYTES || bytes.toString('ascii', 0, 4) !== CHECKPOINT_MAGIC) {
    throw new StoreFormatError(`${source} is not an iwlab checkpoint. Delete it to restart the run from its first epoch.`);
  }
  return bytes.readUInt32LE(4);
}

/** The header JSON, checked for the fields the reader uses: a cut or overwritten header names the file. */
function parseHeader(bytes: Buffer, headerLength: number, source: string): CheckpointHeader {
  if (bytes.length < headerLength) throw damaged(source, `its header is cut at byte ${PREFIX_BYTES + bytes.length} of ${PREFIX_BYTES + headerLength}`);
  let header: CheckpointHeader;
  try {
    header = JSON.parse(bytes.toString('utf8')) as CheckpointHeader;
  } catch {
    throw damaged(source, 'its header is not readable JSON');
  }
  if (typeof header !== 'object' || header === null) throw damaged(source, 'its header is not an object');
  if (header.version !== CHECKPOINT_VERSION) {
    throw new StoreFormatError(`${source} is checkpoint format ${header.version}; this code reads ${CHECKPOINT_VERSION}. Rerun the figure with --retrain.`);
  }
  const isEntries = (value: unknown) => Array.isArray(value) && value.every((entry: TensorEntry) => Number.isInteger(entry?.offset) && Number.isInteger(entry?.length) && Array.isArray(entry?.shape));
  if (!Number.isInteger(header.epoch) || !Array.isArray(header.snapshots) || !isEntries(header.params) || !isEntries(header.buffers) || !isEntries(header.optimizer)) {
    throw damaged(source, 'its header lacks fields a checkpoint has');
  }
  return header;
}

const IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function toLittleEndianBytes(data: Float32Array): Buffer {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (!IS_LITTLE_ENDIAN) bytes.swap32();
  return bytes;
}

function fromLittleEndianBytes(bytes: Buffer): Float32Array {
  const copy = Buffer.from(bytes); // own, aligned memory
  if (!IS_LITTLE_ENDIAN) copy.swap32();
  return new Float32Array(copy.buffer, copy.byteOffset, copy.byteLength / 4);
}
