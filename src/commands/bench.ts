/**
 * `iwlab bench`: training throughput of each figure model on the selected backend, one JSON line per
 * model, in the same format as ../shared/bench/torch_reference.py so the two can be compared line
 * by line. Random inputs, batch 16, SGD without momentum on class-weighted cross entropy (1 : 4),
 * as the reference does. `--vs-torch` benchmarks every backend that loads here (or those named with
 * --backends), each model right before the reference runs it on the same machine with the same
 * threads, batch and steps, and prints our images/s as a fraction of PyTorch's.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { type BackendName, BACKEND_ORDER, engineSettingsFromEnv, initEngine, probeBackend } from '../engine/index';
import type { ModelSpec } from '../experiments/types';
import { buildCnn } from '../models/cnn';
import { buildMlp } from '../models/mlp';
import { buildResnet } from '../models/resnet';
import type { Model } from '../models/types';
import { REPO_ROOT } from '../paths';
import { Rng } from '../rng';
import { trainStep } from '../train/step';
import { UsageError } from '../usageError';

const HELP = `Usage: iwlab bench [--models cnn,resnet,resnet-nobn,mlp] [--steps 20] [--warmup 3] [--batch 16]
                   [--width 1] [--backend wasm|cpu|tensorflow|tensorflow-gpu] [--threads n] [--profile]
                   [--vs-torch] [--backends list] [--rounds 1] [--python python3] [--torch-script path]

Trains each figure model for --steps batch-16 SGD steps on random data (after --warmup steps) and
prints one JSON line per model: {"model", "backend", "batch", "threads", "ms_per_step",
"images_per_s", "cpu_ms_per_step", "load_avg"} (process CPU time per step, and the 1-minute load
when the model finished: other processes share the cores, so note both next to any timing).
--profile adds one line per model with the milliseconds per kernel of one step. --vs-torch also
runs ../shared/bench/torch_reference.py with --python (default: $IWLAB_PYTHON, else
~/.cache/iwlab/torch-venv/bin/python if it exists, else python3), model
by model right after ours so both see the same load, and prints our images/s over PyTorch's.
--rounds n repeats each pair n times and keeps each side's best, which is the fairer number when
other processes share the cores. With --vs-torch every backend that loads is measured in turn
(tensorflow-gpu, tensorflow, wasm; the pure-JS cpu backend only when --backends names it: it is
tens of times slower), and each comparison prints {"model", "backend", "threads", "torch_threads",
"ratio_vs_torch", ...}. --threads n sets the native engine's intra-op threads (default with
--vs-torch: 1, so both sides compute on one thread; else $IWLAB_THREADS, else 1); wasm runs
one thread. PyTorch is given each backend's thread count.`;

/** The models of the figures, by the names torch_reference.py uses. */
const BENCH_MODELS = ['cnn', 'resnet', 'resnet-nobn', 'mlp'] as const;
type BenchModel = (typeof BENCH_MODELS)[number];

export interface BenchResult {
  model: BenchModel;
  backend: string;
  batch: number;
  threads: number;
  ms_per_step: number;
  images_per_s: number;
  /** Process CPU time per step: less sensitive than wall time to other processes on the cores. */
  cpu_ms_per_step: number;
  load_avg: number;
}

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      models: { type: 'string', default: BENCH_MODELS.join(',') },
      steps: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '3' },
      batch: { type: 'string', default: '16' },
      width: { type: 'string', default: '1' },
      backend: { type: 'string' },
      backends: { type: 'string' },
      threads: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'vs-torch': { type: 'boolean', default: false },
      rounds: { type: 'string', default: '1' },
      python: { type: 'string' },
      'torch-script': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return console.log(HELP);
  const models = values.models.split(',').map((name) => {
    if (!(BENCH_MODELS as readonly string[]).includes(name)) {
      throw new UsageError(`Unknown bench model '${name}'; choose from ${BENCH_MODELS.join(', ')}.`);
    }
    return name as BenchModel;
  });
  const steps = positiveInteger(values.steps, '--steps');
  const warmup = positiveInteger(values.warmup, '--warmup', true);
  const batch = positiveInteger(values.batch, '--batch');
  const rounds = positiveInteger(values.rounds, '--rounds');
  const width = Number(values.width);
  if (!(width > 0)) throw new UsageError(`--width must be a positive number (1 = the papers' widths), got '${values.width}'.`);
  // Check the PyTorch side first, so a missing torch is reported before minutes of benchmarking;
  // our own numbers are still measured and printed (the comparison runs only when PyTorch is there).
  let torch: TorchSetup | undefined;
  if (values['vs-torch']) {
    try {
      torch = findTorch(values.python ?? process.env.IWLAB_PYTHON ?? defaultTorchPython(), values['torch-script']);
    } catch (error) {
      if (!(error instanceof TorchUnavailableError)) throw error;
      console.error(`[iwlab] ${error.message} Benchmarking without the PyTorch comparison.`);
    }
  }

  // TensorFlow reads its thread count once per process, when the native engine first starts.
  const settings = engineSettingsFromEnv();
  const threads = values.threads !== undefined ? positiveInteger(values.threads, '--threads') : torch !== undefined ? 1 : settings.intraOpThreads;
  if (threads !== undefined) settings.intraOpThreads = threads;
  const requested = values.backend ?? process.env.IWLAB_BACKEND;
  // Without PyTorch there is nothing to compare, so only the engine's own choice is measured.
  const backends = torch === undefined || requested ? [(await initEngine({ requested, settings })).backend] : await loadingBackends(values.backends, settings);
  if (torch !== undefined && width !== 1) console.error('[iwlab] note: torch_reference.py builds the paper widths; --width only changes our side.');
  for (const backend of backends) {
    if (backends.length > 1) {
      const probe = await probeBackend(backend, settings);
      if (!probe.loads) throw new Error(`The ${backend} backend stopped loading: ${probe.reason}`);
    }
    for (const model of models) {
      let ours: BenchResult | undefined;
      let theirs: TorchResult | undefined;
      for (let round = 0; round < (torch === undefined ? 1 : rounds); round++) {
        const result = benchModel(model, backend, { steps, warmup, batch, width, ...(threads === undefined ? {} : { threads }) });
        if (ours === undefined || result.images_per_s > ours.images_per_s) ours = result;
        if (torch === undefined) continue;
        const reference = runTorch(torch, model, { steps, batch, threads: result.threads });
        if (theirs === undefined || reference.images_per_s > theirs.images_per_s) theirs = reference;
      }
      console.log(JSON.stringify(ours));
      if (values.profile) console.log(JSON.stringify({ model, profile_ms: await profileStep(model, batch, width) }));
      if (theirs === undefined) continue;
      console.log(JSON.stringify(theirs));
      console.log(JSON.stringify(comparison(ours!, theirs, rounds)));
    }
  }
}

/** One comparison line: which backend at how many threads, against PyTorch at how many. */
export function comparison(ours: BenchResult, theirs: Pick<TorchResult, 'threads' | 'images_per_s'>, rounds: number) {
  return {
    model: ours.model,
    backend: ours.backend,
    threads: ours.threads,
    torch_threads: theirs.threads,
    ratio_vs_torch: round(ours.images_per_s / theirs.images_per_s, 3),
    ours: ours.images_per_s,
    torch: theirs.images_per_s,
    rounds,
  };
}

/** The backends to compare: those named (each must load), else every one that loads but the slow pure-JS cpu. */
async function loadingBackends(names: string | undefined, settings: ReturnType<typeof engineSettingsFromEnv>): Promise<BackendName[]> {
  const wanted = names === undefined ? BACKEND_ORDER.filter((name) => name !== 'cpu') : names.split(',');
  const loading: BackendName[] = [];
  for (const name of wanted) {
    if (!(BACKEND_ORDER as readonly string[]).includes(name)) throw new UsageError(`Unknown backend '${name}' in --backends; choose from ${BACKEND_ORDER.join(', ')}.`);
    const probe = await probeBackend(name as BackendName, settings);
    if (probe.loads) loading.push(name as BackendName);
    else if (names !== undefined) throw new UsageError(`The ${name} backend does not load here (${probe.reason}).`);
    else console.error(`[iwlab] bench: skipping ${name}: ${probe.reason}`);
  }
  return loading;
}

interface BenchOptions {
  steps: number;
  warmup: number;
  batch: number;
  width: number;
  /** The native engine's intra-op threads (IWLAB_THREADS, default 1). */
  threads?: number;
}

/** Times `steps` training steps of one model after `warmup` untimed ones (XNNPACK setup, heap growth). */
export function benchModel(name: BenchModel, backend: string, options: BenchOptions): BenchResult {
  const { model, inputs, labels } = setUp(name, options.batch, options.width);
  try {
    const step = (i: number) =>
      trainStep(
        model,
        { inputs, labels },
        [1, 4],
        { kind: 'cross-entropy', reduction: 'weights' },
        { kind: 'sgd', learningRate: 0.01, batchSize: options.batch, weightDecay: 0 },
        i,
      );
    for (let i = 0; i < options.warmup; i++) step(i);
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    for (let i = 0; i < options.steps; i++) step(options.warmup + i);
    const cpu = process.cpuUsage(cpuStarted);
    const msPerStep = (performance.now() - started) / options.steps;
    return {
      model: name,
      backend,
      batch: options.batch,
      threads: backendThreads(backend, options.threads),
      ms_per_step: round(msPerStep, 2),
      images_per_s: round((options.batch * 1000) / msPerStep, 1),
      cpu_ms_per_step: round((cpu.user + cpu.system) / 1000 / options.steps, 2),
      load_avg: round(os.loadavg()[0]!, 2),
    };
  } finally {
    model.dispose();
    tf.dispose([inputs, labels]);
  }
}

/** Milliseconds per kernel (summed over calls) of one training step, largest first. */
async function profileStep(name: BenchModel, batch: number, width: number): Promise<Record<string, number>> {
  const { model, inputs, labels } = setUp(name, batch, width);
  try {
    const step = () =>
      trainStep(model, { inputs, labels }, [1, 4], { kind: 'cross-entropy', reduction: 'weights' }, { kind: 'sgd', learningRate: 0.01, batchSize: batch, weightDecay: 0 }, 0);
    step();
    const profile = await tf.profile(() => {
      step();
    });
    const totals = new Map<string, number>();
    for (const kernel of profile.kernels) totals.set(kernel.name, (totals.get(kernel.name) ?? 0) + Number(kernel.kernelTimeMs));
    return Object.fromEntries([...totals.entries()].sort((a, b) => b[1] - a[1]).map(([kernel, ms]) => [kernel, round(ms, 1)]));
  } finally {
    model.dispose();
    tf.dispose([inputs, labels]);
  }
}

function setUp(name: BenchModel, batch: number, width: number): { model: Model; inputs: tf.Tensor; labels: tf.Tensor1D } {
  const rng = new Rng(0);
  const spec: ModelSpec =
    name === 'cnn'
      ? { kind: 'cnn', inChannels: 3, width, dropout: 0 }
      : name === 'mlp'
        ? { kind: 'mlp', inputSize: 2, hidden: 64 }
        : { kind: 'resnet', inChannels: 3, width, batchNorm: name === 'resnet' };
  const model = spec.kind === 'cnn' ? buildCnn(spec, rng) : spec.kind === 'resnet' ? buildResnet(spec, rng) : buildMlp(spec as Extract<ModelSpec, { kind: 'mlp' }>, rng);
  const exampleShape = spec.kind === 'mlp' ? [2] : [32, 32, 3];
  const size = batch * exampleShape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = rng.normal();
  const inputs = tf.tensor(values, [batch, ...exampleShape]);
  const labels = tf.tensor1d(Int32Array.from({ length: batch }, (_, i) => i % 2), 'int32');
  return { model, inputs, labels };
}

function backendThreads(backend: string, nativeThreads: number | undefined): number {
  if (backend === 'wasm') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
    return wasm.getThreadsCount();
  }
  // The native backends use TensorFlow's intra-op pool (all cores unless set); cpu is single-threaded JS.
  return backend === 'cpu' ? 1 : (nativeThreads ?? os.availableParallelism());
}

/** The PyTorch venv environment.md describes, where it exists; else python3. */
function defaultTorchPython(): string {
  const venv = path.join(os.homedir(), '.cache', 'iwlab', 'torch-venv', 'bin', 'python');
  return existsSync(venv) ? venv : 'python3';
}

interface TorchSetup {
  python: string;
  script: string;
}

export class TorchUnavailableError extends Error {
  override name = 'TorchUnavailableError';
}

function findTorch(python: string, scriptOption: string | undefined): TorchSetup {
  const script = scriptOption ?? path.resolve(REPO_ROOT, '..', 'shared', 'bench', 'torch_reference.py');
  if (!existsSync(script)) {
    throw new TorchUnavailableError(`The PyTorch reference script is not at ${script}; pass its path with --torch-script.`);
  }
  const check = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (check.status !== 0) {
    throw new TorchUnavailableError(
      `PyTorch is not importable by '${python}'. Install it (apt-get install -y python3-torch, or ` +
        `pip install torch in a venv) and pass that interpreter with --python or IWLAB_PYTHON.`,
    );
  }
  return { python, script };
}

interface TorchResult {
  framework: string;
  model: string;
  batch: number;
  threads: number;
  ms_per_step: number;
  images_per_s: number;
}

function runTorch(torch: TorchSetup, model: BenchModel, options: { steps: number; batch: number; threads: number }): TorchResult {
  const output = execFileSync(
    torch.python,
    [torch.script, '--threads', String(options.threads), '--batch', String(options.batch), '--steps', String(options.steps), '--models', model],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = output.split('\n').find((text) => text.startsWith('{'));
  if (line === undefined) throw new TorchUnavailableError(`torch_reference.py printed no result for '${model}'; run it by hand to see why.`);
  return JSON.parse(line) as TorchResult;
}

function positiveInteger(text: string, flag: string, allowZero = false): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new UsageError(`${flag} must be a${allowZero ? ' non-negative' : ' positive'} integer, got '${text}'.`);
  }
  return value;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
