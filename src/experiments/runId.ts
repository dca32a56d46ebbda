/**
 * A run's identity: a short hash of its resolved config with object keys sorted, so the same run
 * gets the same id on every machine, in every process, whatever order the config was built in.
 */
import { createHash } from 'node:crypto';
import type { RunConfig } from './types';

/** 12 hex digits (48 bits): collisions are out of reach for the few thousand runs a project holds. */
const ID_LENGTH = 12;

export function runId(config: RunConfig): string {
  return createHash('sha256').update(stableStringify(config)).digest('hex').slice(0, ID_LENGTH);
}

/** True for strings shaped like a run id (used to check `--only` arguments and directory names). */
export function isRunId(value: string): boolean {
  return new RegExp(`^[0-9a-f]{${ID_LENGTH}}$`).test(value);
}

/**
 * JSON with object keys sorted at every depth. Array order is kept (it carries meaning: a weight
 * grid, a shape). Like JSON.stringify, undefined properties are left out, so an optional field that
 * is absent and one that is explicitly undefined hash alike.
 */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new TypeError(`Cannot hash the non-finite number ${value}: a run config holds finite numbers only; fix the figure spec.`);
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item) => (item === undefined ? 'null' : stableStringify(item))).join(',')}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${stableStringify(record[key])}`).join(',')}}`;
}
