/**
 * Where the native TensorFlow engine lives and how it is loaded.
 *
 * `iwlab engine install` stages a complete @tensorflow/tfjs-node package (its JS, its addon
 * `lib/napi-v8/tfjs_binding.node`, and libtensorflow under `deps/lib`) in a folder the project owns,
 * `.iwlab/engine/native` by default, outside node_modules so `npm ci` never wipes it. The folder must
 * lie inside the checkout: tfjs-node's own `require('@tensorflow/tfjs')` then walks up to the
 * project's node_modules and registers its backend in the project's tfjs-core, not in a second copy.
 * `node_modules/@tensorflow/tfjs-node` is used only when it is the real package (danfojs-node's
 * override aliases that name to plain tfjs, which a successful require would not reveal).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { REPO_ROOT } from '../paths';

/** The engine folder's description of what it holds, written last by the installer. */
export interface EngineManifest {
  /** Version of the staged @tensorflow/tfjs-node package. */
  tfjsNode: string;
  /** TensorFlow version of the library the addon links against. */
  tensorflow: string;
  /** 'wheel': addon built against a TensorFlow wheel's libraries; 'tfjs-node': tfjs-node's own install. */
  source: 'wheel' | 'tfjs-node';
  /** The wheel file the libraries came from (source 'wheel'). */
  wheel?: string;
  /** Node's N-API version the addon was built for. */
  napi: number;
  /** The changes made to the addon's source before it was compiled (bindingPatch.ts); absent before there were any. */
  patches?: string[];
  installedAt: string;
}

/**
 * The addon patches this version of iwlab applies (bindingPatch.ts). An installed engine without all
 * of them is not loaded, and `engine install` rebuilds it: its addon crashes with parallel workers.
 */
export const BINDING_PATCHES: readonly string[] = ['attr-name-lock'];

/** The patches `manifest` lacks, in BINDING_PATCHES' order. */
export function missingPatches(manifest: EngineManifest): string[] {
  return BINDING_PATCHES.filter((patch) => !(manifest.patches ?? []).includes(patch));
}

export const MANIFEST_FILE = 'iwlab-engine.json';
export const TFJS_NODE_VERSION = '4.22.0';

/** The default engine folder of this checkout (gitignored). */
export const DEFAULT_ENGINE_DIR = path.join(REPO_ROOT, '.iwlab', 'engine');

/** The installed engine inside an engine folder. */
export function installedEnginePath(engineDir: string): string {
  return path.join(engineDir, 'native');
}

/** The staged tfjs-node package inside an installed engine. */
export function tfjsNodePackagePath(installed: string): string {
  return path.join(installed, 'node_modules', '@tensorflow', 'tfjs-node');
}

export function readManifest(installed: string): EngineManifest | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(installed, MANIFEST_FILE), 'utf8')) as EngineManifest;
  } catch {
    return undefined;
  }
}

/** Where to load tfjs-node from, or why there is nothing to load. */
export type NativeLocation = { packageDir: string; origin: 'engine folder' | 'node_modules'; installed?: string } | { missing: string };

export function locateNativeEngine(engineDir: string): NativeLocation {
  const installed = installedEnginePath(engineDir);
  const manifest = readManifest(installed);
  if (manifest !== undefined) {
    if (missingPatches(manifest).length > 0) {
      return { missing: `the engine in ${shownPath(installed)} predates iwlab's thread-safety patch of tfjs-node's addon (parallel workers crash it); run \`npm run engine:install\` to rebuild it` };
    }
    const packageDir = tfjsNodePackagePath(installed);
    const shared = sharesProjectTfjs(packageDir);
    if (shared !== undefined) return { missing: shared };
    return { packageDir, origin: 'engine folder', installed };
  }
  const fromNodeModules = realTfjsNodeInNodeModules();
  if (fromNodeModules !== undefined) return { packageDir: fromNodeModules, origin: 'node_modules' };
  return { missing: `not installed in ${shownPath(installed)}; run \`npm run engine:install\`` };
}

/** A folder relative to the working directory when it lies below it, else absolute. */
function shownPath(dir: string): string {
  const shown = path.relative(process.cwd(), dir);
  return shown.startsWith('..') || shown === '' ? dir : shown;
}

/** node_modules/@tensorflow/tfjs-node when it is the real package with its addon built, else undefined. */
function realTfjsNodeInNodeModules(): string | undefined {
  let packageJson: string;
  try {
    packageJson = require.resolve('@tensorflow/tfjs-node/package.json', { paths: [REPO_ROOT] });
  } catch {
    return undefined;
  }
  const { name } = JSON.parse(fs.readFileSync(packageJson, 'utf8')) as { name?: string };
  const dir = path.dirname(packageJson);
  if (name !== '@tensorflow/tfjs-node' || !fs.existsSync(path.join(dir, 'lib'))) return undefined;
  return dir;
}

/** Undefined when tfjs-node at `packageDir` resolves the project's own @tensorflow/tfjs, else why not. */
function sharesProjectTfjs(packageDir: string): string | undefined {
  try {
    const theirs = require.resolve('@tensorflow/tfjs', { paths: [packageDir] });
    const ours = require.resolve('@tensorflow/tfjs', { paths: [REPO_ROOT] });
    if (theirs === ours) return undefined;
    return `the engine at ${packageDir} resolves a second @tensorflow/tfjs (${theirs}); reinstall it with \`npm run engine:install -- --force\``;
  } catch {
    return `the engine at ${packageDir} cannot resolve @tensorflow/tfjs: it must lie inside the checkout (run \`npm ci\`, then \`npm run engine:install\`)`;
  }
}

/** The thread and logging settings applied before libtensorflow starts. */
export interface NativeSettings {
  /** Intra-op threads per engine (per worker); undefined: TensorFlow's default (all cores; the engine's settings default to 1). */
  intraOpThreads?: number;
}

/**
 * Sets TensorFlow's environment before the library starts. TensorFlow reads these once per process,
 * with getenv, when it creates its first device, so they must be set in the main thread (a worker
 * thread's process.env is a private copy) before any engine loads:
 * - TF_CPP_MIN_LOG_LEVEL=2 drops the INFO and WARNING lines it prints on stderr at start-up;
 * - TF_NUM_INTRAOP_THREADS sets the intra-op pool; TF_NUM_INTEROP_THREADS=1 because eager ops run
 *   one at a time from JS; TF_OVERRIDE_GLOBAL_THREADPOOL gives each engine (each worker thread) its
 *   own pool instead of sharing one process-wide pool of that size.
 */
export function applyNativeEnvironment(settings: NativeSettings, env: NodeJS.ProcessEnv = process.env): void {
  // Only the main thread writes the process environment. Worker threads share it (SHARE_ENV), and a
  // worker's setenv while another worker's TensorFlow reads getenv at start-up crashed the process
  // (a segfault in libc, seen once in CI with two workers). initEngine runs in the main thread before
  // any pool starts, and TensorFlow reads these once per process, so a worker has nothing to add.
  if (env === process.env && !isMainThread) return;
  const set = (name: string, value: string, overwrite: boolean) => {
    if (env[name] === undefined || (overwrite && env[name] !== value)) env[name] = value;
  };
  set('TF_CPP_MIN_LOG_LEVEL', '2', false);
  if (settings.intraOpThreads !== undefined) {
    set('TF_NUM_INTRAOP_THREADS', String(settings.intraOpThreads), true);
    set('TF_NUM_INTEROP_THREADS', '1', false);
    set('TF_OVERRIDE_GLOBAL_THREADPOOL', '1', false);
  }
}

/** The stderr gate's folder and addon inside an installed engine (scripts/stderr-gate). */
export function stderrGateDir(installed: string): string {
  return path.join(installed, 'stderr-gate');
}
export function stderrGatePath(installed: string): string {
  return path.join(stderrGateDir(installed), 'build', 'Release', 'stderr_gate.node');
}

interface StderrGate {
  redirect(file: string): number;
  restore(saved: number): void;
}

/**
 * Loads tfjs-node from `packageDir` (it registers and selects the 'tensorflow' backend). libtensorflow
 * writes INFO lines to descriptor 2 from its static initialisers as it loads, before any log level
 * applies; where the engine has its stderr gate, the load runs with descriptor 2 pointed at a file,
 * and every captured line but TensorFlow's INFO and WARNING lines is written back to stderr. Only on
 * the main thread: the library loads once per process, and descriptor 2 is the whole process's.
 */
export function requireTfjsNode(packageDir: string, installed?: string): void {
  const gateFile = installed === undefined ? undefined : stderrGatePath(installed);
  if (gateFile === undefined || !isMainThread || !fs.existsSync(gateFile)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(packageDir);
    return;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const gate = require(gateFile) as StderrGate;
  const capture = path.join(os.tmpdir(), `iwlab-tensorflow-start-${process.pid}.log`);
  const saved = gate.redirect(capture);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(packageDir);
  } finally {
    gate.restore(saved);
    const kept = startupOutputToKeep(fs.readFileSync(capture, 'utf8'));
    fs.rmSync(capture, { force: true });
    if (kept !== '') process.stderr.write(kept);
  }
}

/** What TensorFlow wrote while loading, less its INFO and WARNING lines (absl's "I0000 00:00:1796158650.241245   20028 port.cc:153] ..."). */
export function startupOutputToKeep(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^[IW]\d{4} [\d:.]+ +\d+ [^\]]+\] /.test(line) && line !== 'WARNING: All log messages before absl::InitializeLog() is called are written to STDERR')
    .join('\n')
    .replace(/^\n+$/, '');
}
