/**
 * What `iwlab engine install` will do, decided from facts about the host before anything is written:
 * nothing (already installed), tfjs-node's own install (it downloads libtensorflow and a prebuilt
 * addon), or a build of tfjs-node's addon against a TensorFlow wheel's libraries. Pure, so the
 * decisions and every "missing X, do Y" message are tested without a compiler or a network.
 */
import { type EngineManifest, missingPatches } from './nativeEngine';

/** The wheel the build takes by default: the TensorFlow whose C API tfjs-node 4.22's addon was checked against. */
export const DEFAULT_WHEEL = { name: 'tensorflow-cpu', version: '2.21.0' } as const;

/** Room the build needs: the wheel (~275 MB) plus its two libraries unpacked (~850 MB) plus headers. */
export const REQUIRED_FREE_BYTES = 2 * 1024 ** 3;

export interface InstallRequest {
  /** --from-wheel: true = fetch the default wheel with pip; a string = that wheel file. */
  fromWheel?: true | string;
  /** --force: rebuild even when an engine is installed. */
  force: boolean;
}

/** What was found on the host (see installEngine.ts for how). */
export interface HostFacts {
  installed?: EngineManifest;
  /** Whether the installed engine loads in a fresh process (checked only when one is installed). */
  installedLoads?: boolean;
  hasCompiler: boolean;
  hasMake: boolean;
  /** The --nodedir whose include/node/node_api.h exists, if any. */
  nodeHeaders?: string;
  /** npm's bundled node-gyp (bin/node-gyp.js), if found. */
  nodeGyp?: string;
  /** Whether pip runs. */
  hasPip: boolean;
  freeBytes: number;
  /** For --from-wheel FILE: whether the file exists. */
  wheelExists?: boolean;
}

export type InstallPlan =
  | { kind: 'nothing'; reason: string }
  /** Try tfjs-node's own install first; build from the wheel if it fails (no network, no prebuilt). */
  | { kind: 'own-install-then-wheel'; wheel: WheelSource }
  | { kind: 'wheel'; wheel: WheelSource };

export type WheelSource = { kind: 'pip'; name: string; version: string } | { kind: 'file'; path: string };

export class EngineInstallError extends Error {
  override name = 'EngineInstallError';
}

export function planInstall(request: InstallRequest, facts: HostFacts): InstallPlan {
  const wheel: WheelSource =
    typeof request.fromWheel === 'string' ? { kind: 'file', path: request.fromWheel } : { kind: 'pip', ...DEFAULT_WHEEL };
  // A wheel file that is not there is a mistake to report even when an engine of that name is installed.
  if (wheel.kind === 'file' && facts.wheelExists !== true) throw new EngineInstallError(missingRequirement({ kind: 'wheel', wheel }, facts)!);
  if (!request.force && facts.installed !== undefined && facts.installedLoads === true && satisfies(facts.installed, request)) {
    return { kind: 'nothing', reason: `the native engine is installed (${describe(facts.installed)}) and loads; --force rebuilds it` };
  }
  const plan: InstallPlan = request.fromWheel === undefined ? { kind: 'own-install-then-wheel', wheel } : { kind: 'wheel', wheel };
  const problem = missingRequirement(plan, facts);
  if (problem !== undefined) throw new EngineInstallError(problem);
  return plan;
}

/**
 * An installed engine answers the request unless it lacks one of this version's addon patches
 * (BINDING_PATCHES: such an engine is not loaded) or the request names a different wheel.
 */
function satisfies(installed: EngineManifest, request: InstallRequest): boolean {
  if (missingPatches(installed).length > 0) return false;
  if (typeof request.fromWheel === 'string') return installed.source === 'wheel' && installed.wheel === baseName(request.fromWheel);
  if (request.fromWheel === true) return installed.source === 'wheel';
  return true;
}

/**
 * The first thing the plan needs that the host lacks, as one line naming the fix. Checked for the
 * wheel build even when tfjs-node's own install is tried first, because that is what runs on a
 * machine without the internet, and failing before any download beats failing after it.
 */
export function missingRequirement(plan: InstallPlan, facts: HostFacts): string | undefined {
  if (plan.kind === 'nothing') return undefined;
  if (facts.freeBytes < REQUIRED_FREE_BYTES) {
    return `Not enough disk space for the engine build: ${gib(facts.freeBytes)} free, ${gib(REQUIRED_FREE_BYTES)} needed; free some space (or point IWLAB_ENGINE_DIR at a folder inside the checkout on a larger disk).`;
  }
  if (plan.wheel.kind === 'file' && facts.wheelExists !== true) {
    return `The wheel ${plan.wheel.path} does not exist; pass an existing tensorflow(-cpu) 2.x wheel, or --from-wheel alone to fetch ${DEFAULT_WHEEL.name}==${DEFAULT_WHEEL.version} with pip.`;
  }
  if (plan.wheel.kind === 'file' && !isTensorflowWheel(plan.wheel.path)) {
    return `${baseName(plan.wheel.path)} is not a TensorFlow 2.x wheel (tensorflow-2.*.whl or tensorflow_cpu-2.*.whl); pass one of those to --from-wheel.`;
  }
  if (!facts.hasCompiler) return 'No C++ compiler (g++) to build the engine addon: apt-get install -y g++ make (or build-essential).';
  if (!facts.hasMake) return 'No make to build the engine addon: apt-get install -y make.';
  if (facts.nodeHeaders === undefined) {
    return "Node's headers (include/node/node_api.h) were not found: apt-get install -y libnode-dev (Debian's nodejs ships them in /usr/include/node), or pass --nodedir DIR.";
  }
  if (facts.nodeGyp === undefined) return "npm's bundled node-gyp was not found: reinstall npm (or npm install -g node-gyp).";
  if (plan.wheel.kind === 'pip' && !facts.hasPip) {
    return `pip is needed to fetch ${DEFAULT_WHEEL.name}==${DEFAULT_WHEEL.version}: apt-get install -y python3-pip (or pass --python), or download the wheel elsewhere and pass --from-wheel FILE.`;
  }
  return undefined;
}

export function describe(manifest: EngineManifest): string {
  const from = manifest.source === 'wheel' ? `built from ${manifest.wheel ?? 'a TensorFlow wheel'}` : "tfjs-node's own install";
  return `tfjs-node ${manifest.tfjsNode}, TensorFlow ${manifest.tensorflow}, ${from}`;
}

/** A TensorFlow 2.x wheel by its file name (PEP 427: distribution-version-...whl); the GPU build is plain 'tensorflow'. */
export function isTensorflowWheel(file: string): boolean {
  return /^tensorflow(_cpu)?-2\.\d+\.\d+[^-]*-.*\.whl$/.test(baseName(file));
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}
