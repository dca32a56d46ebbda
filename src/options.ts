/**
 * The one options reader of iwlab's edges: the commands (src/commands/*), the npm scripts
 * (scripts/*.ts) and the notebooks (through src/index.ts) read scale, seeds, backend, workers, the
 * data folder, the results folder and --debug here, from flags first and the environment second, and
 * nowhere below. Every bad value is refused by the name the user typed (--scale, IWLAB_SCALE, ...).
 * The flags themselves are parsed by src/commandLine.ts (kept apart: tslab compiles what notebooks
 * import with declarations, and parseArgs's inferred types cannot be named there).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { DEFAULT_DATA_DIR } from './data/dataDir';
import { parseSeeds } from './experiments/expand';
import { SCALES, type ScaleName } from './experiments/types';
import { REPO_ROOT } from './paths';
import { UsageError } from './usageError';

/** What every edge may be told; the flags' defaults come from the environment variables beside them. */
export interface EdgeSettings {
  /** --scale, else IWLAB_SCALE, else the edge's default (quick for commands, smoke for `npm run notebooks`). */
  scale: ScaleName;
  /** --seeds k, else IWLAB_SEEDS; undefined: each scale's own count. */
  seeds?: number;
  /** --backend, else IWLAB_BACKEND; a plain name passed on to the engine, which checks it. */
  backend?: string;
  /** --workers n; undefined: the pool's default (one per core on wasm/cpu). */
  workers?: number;
  /** --data, else IWLAB_DATA_DIR, else <repo>/data; absolute. */
  dataDir: string;
  /** --results, else IWLAB_RESULTS, else <repo>/results; absolute. */
  resultsDir: string;
  /** --debug, or IWLAB_DEBUG=1: errors print their stacks. */
  debug: boolean;
}

/** The flags every edge accepts, with the variable each falls back to (for help texts and errors). */
export const SHARED_OPTIONS = {
  scale: { type: 'string' },
  seeds: { type: 'string' },
  backend: { type: 'string' },
  workers: { type: 'string' },
  data: { type: 'string' },
  results: { type: 'string' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export type SharedOption = keyof typeof SHARED_OPTIONS;
export const SHARED_NAMES = Object.keys(SHARED_OPTIONS) as SharedOption[];

const ENV_OF: Record<string, string> = { scale: 'IWLAB_SCALE', seeds: 'IWLAB_SEEDS', backend: 'IWLAB_BACKEND', data: 'IWLAB_DATA_DIR', results: 'IWLAB_RESULTS' };

/** The shared flags' help, one line each, for the commands' and scripts' --help. */
export const sharedHelp = (defaultScale: ScaleName = 'quick'): string => `  --scale s      smoke, quick or paper (default: $IWLAB_SCALE, else ${defaultScale})
  --seeds k      seeds 0..k-1 per weight (default: $IWLAB_SEEDS, else the scale's own count)
  --backend b    tensorflow-gpu, tensorflow, wasm or cpu (default: $IWLAB_BACKEND, else the fastest available)
  --workers n    parallel worker threads (default: one per core; 1 on a GPU or an unpatched tfjs-node)
  --data dir     the datasets folder (default: $IWLAB_DATA_DIR, else <repo>/data)
  --results dir  the result store (default: $IWLAB_RESULTS, else <repo>/results)
  --debug        print the stack trace of an error (also IWLAB_DEBUG=1)`;

/** The shared flags as parseArgs gives them back. */
export interface SharedValues {
  scale?: string | undefined;
  seeds?: string | undefined;
  backend?: string | undefined;
  workers?: string | undefined;
  data?: string | undefined;
  results?: string | undefined;
  debug?: boolean | undefined;
}

export interface ReadSettingsOptions {
  env?: NodeJS.ProcessEnv;
  /** The scale when neither --scale nor IWLAB_SCALE says: quick (commands), smoke (`npm run notebooks`). */
  defaultScale?: ScaleName;
}

/** Resolves the shared settings from flags, then the environment, then the defaults; checks each. */
export function readSettings(values: SharedValues, options: ReadSettingsOptions = {}): EdgeSettings {
  const env = options.env ?? process.env;
  const scale = readScale(values.scale, env, options.defaultScale ?? 'quick');
  const seeds = readSeeds(values.seeds, env);
  const backend = pick(values.backend, 'backend', env)?.value.trim();
  const workers = values.workers === undefined ? undefined : parsePositiveInteger(values.workers, '--workers');
  const dataDir = readDataDir(values.data, env);
  const resultsDir = readResultsDir(values.results, env);
  const debug = values.debug === true || (env.IWLAB_DEBUG !== undefined && env.IWLAB_DEBUG !== '' && env.IWLAB_DEBUG !== '0');
  return { scale, ...(seeds === undefined ? {} : { seeds }), ...(backend === undefined ? {} : { backend }), ...(workers === undefined ? {} : { workers }), dataDir, resultsDir, debug };
}

/** A flag's value, else its environment variable's (an empty variable counts as unset). */
function pick(flag: string | undefined, name: string, env: NodeJS.ProcessEnv): { value: string; from: string } | undefined {
  if (flag !== undefined) return { value: flag, from: `--${name}` };
  const variable = ENV_OF[name]!;
  const value = env[variable];
  return value === undefined || value.trim() === '' ? undefined : { value, from: variable };
}

/** --scale, else IWLAB_SCALE, else the default; a bad name is refused naming where it came from. */
export function readScale(flag: string | undefined, env: NodeJS.ProcessEnv, fallback: ScaleName): ScaleName {
  const given = pick(flag, 'scale', env);
  if (given === undefined) return fallback;
  const value = given.value.trim();
  if ((SCALES as readonly string[]).includes(value)) return value as ScaleName;
  const fix = given.from === 'IWLAB_SCALE' ? `set IWLAB_SCALE to one of them, or unset it for ${fallback}` : `e.g. --scale ${fallback}`;
  throw new UsageError(`Unknown scale '${given.value}' (from ${given.from}); use one of ${SCALES.join(', ')}: ${fix}.`);
}

/** --seeds k, else IWLAB_SEEDS; a bad k is refused naming where it came from. */
export function readSeeds(flag: string | undefined, env: NodeJS.ProcessEnv): number | undefined {
  const given = pick(flag, 'seeds', env);
  if (given === undefined) return undefined;
  try {
    return parseSeeds(given.value);
  } catch (error) {
    throw new UsageError(`${given.from}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function parsePositiveInteger(value: string, flag: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new UsageError(`${flag} takes a positive integer, got '${value}'.`);
  return number;
}

/** --data, else IWLAB_DATA_DIR, else <repo>/data: where datasets are installed and read. */
export function readDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return readFolder(pick(flag, 'data', env), 'data', DEFAULT_DATA_DIR);
}

/** --results, else IWLAB_RESULTS, else <repo>/results: the result store. */
export function readResultsDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return readFolder(pick(flag, 'results', env), 'results', path.join(REPO_ROOT, 'results'));
}

/** A folder setting, made absolute; one that names a file (or sits under one) is refused now, not as ENOTDIR later. */
function readFolder(given: { value: string; from: string } | undefined, what: 'data' | 'results', fallback: string): string {
  const folder = path.resolve(given?.value ?? fallback);
  const from = given?.from ?? `the default ${what} folder`;
  // The nearest part of the path that exists must be a folder: a file there makes every mkdir fail.
  for (let probe = folder; ; probe = path.dirname(probe)) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(probe);
    } catch {
      stat = undefined;
    }
    if (stat !== undefined) {
      if (!stat.isDirectory()) {
        const variable = what === 'data' ? 'IWLAB_DATA_DIR' : 'IWLAB_RESULTS';
        const where = probe === folder ? `${folder} is a file` : `${probe}, on the way to ${folder}, is a file`;
        throw new UsageError(`The ${what} folder from ${from} cannot be used: ${where}, not a folder. Point --${what} or ${variable} at a folder (or unset it for the default).`);
      }
      return folder;
    }
    if (path.dirname(probe) === probe) return folder;
  }
}

/** The shared settings from the environment alone: what a notebook's kernel was started with. */
export function environmentSettings(env: NodeJS.ProcessEnv = process.env, defaultScale: ScaleName = 'quick'): EdgeSettings {
  return readSettings({}, { env, defaultScale });
}
