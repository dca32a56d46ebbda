/**
 * `iwlab engine install`: makes the native TensorFlow engine load for this checkout.
 *
 * Everything is built in a temporary folder beside the engine folder and renamed into place at the
 * end, so an interrupted install leaves nothing the engine would try to load. Steps:
 *   1. stage @tensorflow/tfjs-node with npm into the temporary folder: with its own install script
 *      first (downloads libtensorflow and a prebuilt addon; works where the internet does), else
 *      without it;
 *   2. (wheel build) take a TensorFlow wheel from pip's configured index or from the file given,
 *      unpack its two libraries and C headers into the package's deps/;
 *   3. patch the addon's source to be safe with parallel worker threads (bindingPatch.ts) and compile
 *      it with npm's bundled node-gyp against the system's Node headers (--nodedir, no download),
 *      after the own install too, whose prebuilt addon lacks the patch;
 *   4. drop the staged copy of @tensorflow/tfjs, so tfjs-node uses the project's, and check in a
 *      fresh process that the engine loads and which TensorFlow it runs;
 *   5. write the manifest and rename the folder into place.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../paths';
import { PATCHED_SOURCE, lockAttrNameSet } from './bindingPatch';
import {

  EngineInstallError,
  type HostFacts,
  type InstallPlan,
  type InstallRequest,
  type WheelSource,
  describe,
  planInstall,

} from './installPlan';
import { BINDING_PATCHES, type EngineManifest, MANIFEST_FILE, TFJS_NODE_VERSION, installedEnginePath, missingPatches, readManifest, stderrGateDir, stderrGatePath, tfjsNodePackagePath } from './nativeEngine';

export interface InstallEngineOptions extends InstallRequest {
  engineDir: string;
  /** Folder whose include/node holds Node's headers; default: npm's nodedir, else Node's own prefix. */
  nodedir?: string;
  /** Python whose pip fetches the wheel. */
  python: string;
  /** How long tfjs-node's own install may try to download before the wheel build takes over. */
  ownInstallTimeoutMs?: number;
  log: (line: string) => void;
}

/** The wheel members the addon needs: the C API headers (and the tsl headers they include) and the two libraries. */
const WHEEL_HEADERS = ['tensorflow/include/tensorflow/c/', 'tensorflow/include/tensorflow/core/platform/', 'tensorflow/include/tsl/', 'tensorflow/include/xla/tsl/c/'];
const WHEEL_LIBRARIES = ['tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2'];
const NAPI_VERSION = 8; // the highest tfjs-node 4.22 lists; node-pre-gyp looks in lib/napi-v8

export async function installEngine(options: InstallEngineOptions): Promise<EngineManifest | undefined> {
  const started = performance.now();
  const progress = (line: string) => options.log(`[engine ${((performance.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}`);
  fs.mkdirSync(options.engineDir, { recursive: true });
  removeStaleBuilds(options.engineDir, progress);
  const facts = detectHost(options);
  const plan = planInstall(options, facts);
  if (plan.kind === 'nothing') {
    progress(`nothing to do: ${plan.reason}`);
    return undefined;
  }
  const unpatched = facts.installed === undefined ? [] : missingPatches(facts.installed);
  if (unpatched.length > 0) progress(`rebuilding: the installed engine lacks the addon patch ${unpatched.join(', ')} (see src/engine/bindingPatch.ts)`);
  const build = fs.mkdtempSync(path.join(options.engineDir, '.build-'));
  try {
    const manifest = await buildInto(build, plan, facts, options, progress);
    fs.writeFileSync(path.join(build, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    moveIntoPlace(build, installedEnginePath(options.engineDir));
    progress(`installed: ${describe(manifest)} in ${path.relative(REPO_ROOT, installedEnginePath(options.engineDir))}`);
    return manifest;
  } finally {
    fs.rmSync(build, { recursive: true, force: true });
  }
}

async function buildInto(build: string, plan: Exclude<InstallPlan, { kind: 'nothing' }>, facts: HostFacts, options: InstallEngineOptions, progress: (line: string) => void): Promise<EngineManifest> {
  fs.writeFileSync(path.join(build, 'package.json'), '{ "private": true, "description": "staging for iwlab engine install" }\n');
  const packageDir = tfjsNodePackagePath(build);
  if (plan.kind === 'own-install-then-wheel') {
    progress(`trying tfjs-node ${TFJS_NODE_VERSION}'s own install (downloads libtensorflow and a prebuilt addon)`);
    const own = npm(['install', ...NPM_FLAGS, `@tensorflow/tfjs-node@${TFJS_NODE_VERSION}`], build, options.ownInstallTimeoutMs ?? 300_000);
    if (own.ok && builtAddon(packageDir) !== undefined) {
      // Its libtensorflow and headers are in deps/; its prebuilt addon lacks the patch, so it is rebuilt.
      progress('patching and recompiling the addon against the downloaded libtensorflow (node-gyp, system Node headers)');
      patchAndCompileAddon(packageDir, facts.nodeGyp!, facts.nodeHeaders!);
      compileStderrGate(build, facts.nodeGyp!, facts.nodeHeaders!, progress);
      pruneStagedTfjs(build);
      const tensorflow = checkLoads(packageDir, progress);
      return manifestFor('tfjs-node', tensorflow);
    }
    progress(`tfjs-node's own install did not work here (${own.ok ? 'no addon built' : own.reason}); building from the wheel instead`);
    fs.rmSync(path.join(build, 'node_modules'), { recursive: true, force: true });
  }
  progress(`staging tfjs-node ${TFJS_NODE_VERSION} without its download script`);
  const staged = npm(['install', ...NPM_FLAGS, '--ignore-scripts', `@tensorflow/tfjs-node@${TFJS_NODE_VERSION}`], build, 600_000);
  if (!staged.ok) throw new EngineInstallError(`npm could not fetch @tensorflow/tfjs-node@${TFJS_NODE_VERSION} (${staged.reason}); check npm's registry settings (npm config list) and retry.`);
  const wheel = fetchWheel(plan.wheel, build, options.python, progress);
  progress(`unpacking libtensorflow and its C headers from ${path.basename(wheel)}`);
  unpackWheel(wheel, packageDir, build);
  if (plan.wheel.kind === 'pip') fs.rmSync(wheel, { force: true });
  progress('patching and compiling the addon (node-gyp, system Node headers)');
  patchAndCompileAddon(packageDir, facts.nodeGyp!, facts.nodeHeaders!);
  compileStderrGate(build, facts.nodeGyp!, facts.nodeHeaders!, progress);
  pruneStagedTfjs(build);
  const tensorflow = checkLoads(packageDir, progress);
  return manifestFor('wheel', tensorflow, path.basename(wheel));
}

const NPM_FLAGS = ['--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error'];

function manifestFor(source: EngineManifest['source'], tensorflow: string, wheel?: string): EngineManifest {
  return { tfjsNode: TFJS_NODE_VERSION, tensorflow, source, ...(wheel === undefined ? {} : { wheel }), napi: NAPI_VERSION, patches: [...BINDING_PATCHES], installedAt: new Date().toISOString() };
}

/** What the host offers, for planInstall. */
export function detectHost(options: Pick<InstallEngineOptions, 'engineDir' | 'nodedir' | 'python' | 'fromWheel'>): HostFacts {
  const installed = readManifest(installedEnginePath(options.engineDir));
  const nodeHeaders = [options.nodedir, process.env.npm_config_nodedir, path.resolve(path.dirname(process.execPath), '..')].find(
    (dir) => dir !== undefined && dir !== '' && fs.existsSync(path.join(dir, 'include', 'node', 'node_api.h')),
  );
  const nodeGyp = findNodeGyp();
  return {
    ...(installed === undefined ? {} : { installed, installedLoads: loadsInFreshProcess(tfjsNodePackagePath(installedEnginePath(options.engineDir))) !== undefined }),
    hasCompiler: commandRuns('g++', ['--version']),
    hasMake: commandRuns('make', ['--version']),
    ...(nodeHeaders === undefined ? {} : { nodeHeaders }),
    ...(nodeGyp === undefined ? {} : { nodeGyp }),
    hasPip: commandRuns(options.python, ['-m', 'pip', '--version']),
    freeBytes: freeBytes(options.engineDir),
    ...(typeof options.fromWheel === 'string' ? { wheelExists: fs.existsSync(options.fromWheel) } : {}),
  };
}

function commandRuns(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

function freeBytes(dir: string): number {
  const stats = fs.statfsSync(dir);
  return stats.bavail * stats.bsize;
}

/** npm's own node-gyp, found from the npm that runs us (npm run sets npm_execpath) or from npm's global prefix. */
function findNodeGyp(): string | undefined {
  const candidates: string[] = [];
  if (process.env.npm_execpath) candidates.push(path.resolve(path.dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  const prefix = spawnSync('npm', ['prefix', '-g'], { encoding: 'utf8' });
  if (prefix.status === 0) candidates.push(path.join(prefix.stdout.trim(), 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((file) => fs.existsSync(file));
}

function npm(args: string[], cwd: string, timeoutMs: number): { ok: true } | { ok: false; reason: string } {
  const result = spawnSync('npm', [...args, '--prefix', cwd], { cwd, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (result.status === 0) return { ok: true };
  if (result.error !== undefined) return { ok: false, reason: result.error.message };
  // npm ends with a pointer to its log; the install script's own error line says what went wrong.
  const text = `${result.stderr}\n${result.stdout}`;
  const error = /\b[A-Za-z]*Error: .*/.exec(text)?.[0];
  return { ok: false, reason: error ?? lastLine(text) ?? `npm exited ${result.status}` };
}

function builtAddon(packageDir: string): string | undefined {
  const lib = path.join(packageDir, 'lib');
  if (!fs.existsSync(lib)) return undefined;
  for (const napi of fs.readdirSync(lib)) {
    const file = path.join(lib, napi, 'tfjs_binding.node');
    if (fs.existsSync(file)) return file;
  }
  return undefined;
}

/** The wheel file: the one given, or the default wheel fetched by pip from its configured index. */
function fetchWheel(source: WheelSource, build: string, python: string, progress: (line: string) => void): string {
  if (source.kind === 'file') {
    progress(`using the wheel ${source.path}`);
    return path.resolve(source.path);
  }
  const dir = path.join(build, 'wheel');
  const requirement = `${source.name}==${source.version}`;
  const base = ['-m', 'pip', 'download', requirement, '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '-q', '-d', dir];
  const index = pipIndexArgs(python);
  progress(`fetching ${requirement} with pip${index.length > 0 ? ` from ${index[1]}` : ''}`);
  let result = spawnSync(python, [...base, ...index], { encoding: 'utf8' });
  // Like .ci/run: the configured extra index is tried as the index first (so pip does not retry an
  // unreachable default for minutes), then pip's own configuration.
  if (result.status !== 0 && index.length > 0) result = spawnSync(python, base, { encoding: 'utf8' });
  const wheel = fs.existsSync(dir) ? fs.readdirSync(dir).find((file) => file.endsWith('.whl')) : undefined;
  if (result.status !== 0 || wheel === undefined) {
    throw new EngineInstallError(
      `pip could not fetch ${requirement} (${lastLine(result.stderr) ?? 'no wheel'}); check pip's index (pip config list), or pass a wheel file with --from-wheel FILE.`,
    );
  }
  return path.join(dir, wheel);
}

/** ['--index-url', first extra index] when pip has an extra index configured and no index set in the environment. */
export function pipIndexArgs(python: string, env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.PIP_INDEX_URL) return [];
  const extra = spawnSync(python, ['-m', 'pip', 'config', 'get', 'global.extra-index-url'], { encoding: 'utf8' });
  const first = extra.status === 0 ? extra.stdout.trim().split(/\s+/)[0] : undefined;
  return first ? ['--index-url', first] : [];
}

/** deps/include and deps/lib as binding.gyp expects them, from the wheel. */
function unpackWheel(wheel: string, packageDir: string, build: string): void {
  // adm-zip is one of tfjs-node's own dependencies, so it is in the staging folder already.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const AdmZip = require(require.resolve('adm-zip', { paths: [build] })) as new (file: string) => { getEntries(): { entryName: string; isDirectory: boolean; getData(): Buffer }[] };
  let zip: InstanceType<typeof AdmZip>;
  try {
    zip = new AdmZip(wheel);
  } catch (error) {
    throw new EngineInstallError(`${wheel} is not a readable wheel (${lastLine(String(error))}); download it again or pass another with --from-wheel FILE.`);
  }
  const include = path.join(packageDir, 'deps', 'include');
  const lib = path.join(packageDir, 'deps', 'lib');
  fs.mkdirSync(lib, { recursive: true });
  let libraries = 0;
  for (const entry of zip.getEntries()) {
    if (entry.isDirectory) continue;
    const header = WHEEL_HEADERS.find((prefix) => entry.entryName.startsWith(prefix));
    if (header !== undefined) {
      const target = path.join(include, entry.entryName.slice('tensorflow/include/'.length));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, entry.getData());
    } else if (WHEEL_LIBRARIES.includes(entry.entryName)) {
      fs.writeFileSync(path.join(lib, path.basename(entry.entryName)), entry.getData());
      libraries++;
    }
  }
  if (libraries !== WHEEL_LIBRARIES.length || !fs.existsSync(path.join(include, 'tensorflow', 'c', 'c_api.h'))) {
    throw new EngineInstallError(`${path.basename(wheel)} lacks ${WHEEL_LIBRARIES.join(' or ')} or the C headers; use a tensorflow or tensorflow-cpu 2.x wheel for Linux (--from-wheel FILE).`);
  }
  // binding.gyp links -ltensorflow -ltensorflow_framework; the wheel's libtensorflow_cc is that library
  // (it exports the whole C API), and its recorded SONAME, libtensorflow_cc.so.2, is what the loader finds.
  fs.symlinkSync('libtensorflow_cc.so.2', path.join(lib, 'libtensorflow.so'));
  fs.symlinkSync('libtensorflow_framework.so.2', path.join(lib, 'libtensorflow_framework.so'));
}

function patchAndCompileAddon(packageDir: string, nodeGyp: string, nodedir: string): void {
  const source = path.join(packageDir, PATCHED_SOURCE);
  fs.writeFileSync(source, lockAttrNameSet(fs.readFileSync(source, 'utf8')));
  fs.rmSync(BUILD_LOG, { force: true });
  fs.rmSync(path.join(packageDir, 'lib', `napi-v${NAPI_VERSION}`), { recursive: true, force: true });
  const modulePath = path.join(packageDir, 'lib', `napi-v${NAPI_VERSION}`);
  const result = spawnSync(
    process.execPath,
    [nodeGyp, 'rebuild', `--nodedir=${nodedir}`, '--module_name=tfjs_binding', `--module_path=${modulePath}`, `--napi_build_version=${NAPI_VERSION}`, '--loglevel=error'],
    { cwd: packageDir, encoding: 'utf8', env: { ...process.env, JOBS: '2' } } satisfies SpawnSyncOptions,
  );
  if (result.status !== 0 || builtAddon(packageDir) === undefined) {
    const log = BUILD_LOG;
    fs.writeFileSync(log, `${result.stdout ?? ''}\n${result.stderr ?? ''}`);
    throw new EngineInstallError(`Compiling the addon failed (${lastLine(result.stderr) ?? `exit ${result.status}`}); the full output is in ${path.relative(REPO_ROOT, log)}.`);
  }
  // The build tree (objects, Makefiles) is not needed at run time.
  fs.rmSync(path.join(packageDir, 'build'), { recursive: true, force: true });
}

const BUILD_LOG = path.join(REPO_ROOT, '.iwlab', 'engine-build.log');

/**
 * The small addon that keeps TensorFlow's load-time INFO lines off the terminal (scripts/stderr-gate).
 * Optional: without it the engine works and those two lines show on a terminal.
 */
function compileStderrGate(build: string, nodeGyp: string, nodedir: string, progress: (line: string) => void): void {
  const dir = stderrGateDir(build);
  fs.cpSync(path.join(REPO_ROOT, 'scripts', 'stderr-gate'), dir, { recursive: true });
  const result = spawnSync(process.execPath, [nodeGyp, 'rebuild', `--nodedir=${nodedir}`, '--loglevel=error'], { cwd: dir, encoding: 'utf8' });
  if (result.status !== 0 || !fs.existsSync(stderrGatePath(build))) {
    progress(`note: the stderr gate did not build (${lastLine(result.stderr) ?? `exit ${result.status}`}); TensorFlow's two start-up lines will show on a terminal`);
    fs.rmSync(dir, { recursive: true, force: true });
    return;
  }
  for (const name of fs.readdirSync(path.join(dir, 'build'))) if (name !== 'Release') fs.rmSync(path.join(dir, 'build', name), { recursive: true, force: true });
}

/** npm installed tfjs-node's @tensorflow/* dependencies beside it; without them it resolves the project's. */
function pruneStagedTfjs(build: string): void {
  const scope = path.join(build, 'node_modules', '@tensorflow');
  for (const name of fs.readdirSync(scope)) if (name !== 'tfjs-node') fs.rmSync(path.join(scope, name), { recursive: true, force: true });
}

function checkLoads(packageDir: string, progress: (line: string) => void): string {
  const version = loadsInFreshProcess(packageDir);
  if (version === undefined) {
    throw new EngineInstallError(`The built engine does not load (${loadFailure(packageDir)}); rerun with --force, or report the line above.`);
  }
  progress(`the engine loads: backend tensorflow, TensorFlow ${version}`);
  return version;
}

const LOAD_CHECK = `process.env.TF_CPP_MIN_LOG_LEVEL = '2';
require(process.argv[1]);
const tf = require('@tensorflow/tfjs');
if (tf.getBackend() !== 'tensorflow') throw new Error('backend is ' + tf.getBackend());
console.log(tf.backend().binding.TF_Version);`;

/** TensorFlow's version when tfjs-node at packageDir loads in a fresh Node process (from the repo root), else undefined. */
function loadsInFreshProcess(packageDir: string): string | undefined {
  const result = spawnSync(process.execPath, ['-e', LOAD_CHECK, packageDir], { cwd: REPO_ROOT, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim().split('\n').pop() : undefined;
}

function loadFailure(packageDir: string): string {
  const result = spawnSync(process.execPath, ['-e', LOAD_CHECK, packageDir], { cwd: REPO_ROOT, encoding: 'utf8' });
  return result.stderr.split('\n').find((line) => /Error/.test(line))?.trim() ?? lastLine(result.stderr) ?? 'no output';
}

function moveIntoPlace(build: string, installed: string): void {
  const old = `${installed}.old-${process.pid}`;
  if (fs.existsSync(installed)) fs.renameSync(installed, old);
  fs.renameSync(build, installed);
  fs.rmSync(old, { recursive: true, force: true });
}

/** Folders an interrupted install left behind (never loaded: the engine reads only native/). */
function removeStaleBuilds(engineDir: string, progress: (line: string) => void): void {
  for (const name of fs.readdirSync(engineDir)) {
    if (!name.startsWith('.build-') && !name.startsWith('native.old-')) continue;
    progress(`removing ${name}, left by an interrupted install`);
    fs.rmSync(path.join(engineDir, name), { recursive: true, force: true });
  }
}

function lastLine(text: string | undefined): string | undefined {
  return text
    ?.split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .pop();
}


