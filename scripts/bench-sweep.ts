/**
 * Benchmark (not a test): how much faster a sweep of independent runs finishes with the worker pool.
 * Trains the same 4-run sweep (4 class weights of a toy MLP) into fresh temporary stores with 1 worker
 * (in this process) and with 2 worker threads, and prints JSON. Target: speedup >= 1.8 on 2 free cores.
 * Each worker first loads tsx, tfjs and the wasm backend (workerStartSeconds, about a second), so the
 * runs must be long enough to amortise it: with 4.5 s per run, 4 x 4.5 / (1 + 2 x 4.5) = 1.8x.
 * The load average is printed with the numbers: on a shared machine the other processes count.
 *
 *   npx tsx scripts/bench-sweep.ts [--epochs 100] [--hidden 256] [--workers 2] [--repeat 1] [--processes]
 *
 * --processes also times the sweep split over as many separate processes (each loads Node, tsx and
 * tfjs): what the machine gives to independent programs in the same minute, a ceiling for the pool.
 *
 * Workers against threads on the native engine: a registry figure, each configuration in a fresh
 * process (TensorFlow reads its thread count once per process) with a fresh store, in alternating
 * order over --repeat rounds, one JSON line per timing and one summary line:
 *
 *   npx tsx scripts/bench-sweep.ts --figure cifar-resnet --scale quick --configs 2x1,1x2 [--backend tensorflow] [--repeat 1]
 *
 * A configuration WxT is W worker threads, each engine on T intra-op threads (IWLAB_THREADS=T).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { initEngine } from '../src/engine/index';
import { ResultStore } from '../src/experiments/resultStore';
import { runFigure } from '../src/experiments/runFigure';
import { runId } from '../src/experiments/runId';
import { expandRuns } from '../src/experiments/expand';
import type { FigureSpec } from '../src/experiments/types';
import { readSettings } from '../src/options';
import { parseCommandLine } from '../src/commandLine';
import { UsageError, describeError, errorExitCode, isDebug } from '../src/usageError';

function sweep(epochs: number, hidden: number): FigureSpec {
  return {
    id: 'bench-sweep',
    title: 'worker pool benchmark',
    description: 'four independent toy MLP runs',
    data: { source: 'toy-gaussian', perClass: 512 },
    model: { kind: 'mlp', inputSize: 2, hidden },
    loss: { kind: 'cross-entropy', reduction: 'weights' },
    optimizer: { kind: 'sgd', learningRate: 0.1, batchSize: 16, weightDecay: 0 },
    classWeights: [1 / 16, 1 / 4, 4, 16],
    variants: [{ id: 'mlp', label: 'MLP' }],
    evaluations: [],
    scales: { smoke: { epochs, seeds: 1 }, quick: { epochs, seeds: 1 }, paper: { epochs, seeds: 1 } },
  };
}

interface SweepTiming {
  /** Wall time of the whole sweep, worker start-up included. */
  seconds: number;
  /** Seconds until the first run started (engine start-up in each worker; ~0 in-process). */
  firstRunStart: number;
  /** CPU seconds of the whole process (all threads): what the sweep cost, whatever else runs. */
  cpuSeconds: number;
}

async function timeSweep(spec: FigureSpec, workers: number): Promise<SweepTiming> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'iwlab-bench-sweep-'));
  try {
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    let firstRunStart: number | undefined;
    const result = await runFigure(spec, {
      scale: 'quick',
      workers,
      store: new ResultStore(root),
      onProgress: (event) => {
        if (event.type === 'runStart') firstRunStart ??= (performance.now() - started) / 1000;
      },
    });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const failed = result.runs.filter((run) => run.status !== 'done');
    if (failed.length > 0) throw new Error(`The benchmark sweep failed: ${failed.map((run) => run.error).join('; ')}`);
    return { seconds, firstRunStart: firstRunStart ?? 0, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** Wall seconds of the sweep split over `count` child processes (run i goes to process i % count). */
async function timeProcesses(args: { epochs: string; hidden: string }, count: number): Promise<number> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'iwlab-bench-sweep-'));
  const started = performance.now();
  try {
    const children = Array.from({ length: count }, (_, share) => {
      const child = spawn(process.execPath, ['--import', 'tsx', __filename, '--epochs', args.epochs, '--hidden', args.hidden, '--share', `${share}/${count}`, '--store', root], { stdio: 'inherit' });
      return new Promise<void>((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`benchmark child ${share} exited ${code}`)))));
    });
    await Promise.all(children);
    return (performance.now() - started) / 1000;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** A child of timeProcesses: trains its share of the runs in-process. */
async function trainShare(spec: FigureSpec, share: string, store: string): Promise<void> {
  await initEngine({ log: () => undefined });
  const [index, count] = share.split('/').map(Number) as [number, number];
  const only = expandRuns(spec, 'quick')
    .map(runId)
    .filter((_, i) => i % count === index);
  const result = await runFigure(spec, { scale: 'quick', workers: 1, store: new ResultStore(store), only });
  if (result.runs.some((run) => run.status !== 'done')) throw new Error('a benchmark run failed');
}

/** WxT: workers x intra-op threads. */
function parseConfigs(text: string): { workers: number; threads: number }[] {
  return text.split(',').map((item) => {
    const match = /^(\d+)x(\d+)$/.exec(item.trim());
    if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) throw new Error(`--configs takes WORKERSxTHREADS items such as 2x1,1x2; got '${item}'.`);
    return { workers: Number(match[1]), threads: Number(match[2]) };
  });
}

/** Wall seconds of one whole figure in a fresh process with `workers` workers and `threads` intra-op threads. */
function timeFigureInChild(figure: string, scale: string, backend: string, workers: number, threads: number): Promise<{ seconds: number; engine: unknown }> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'iwlab-bench-figure-'));
  const child = spawn(process.execPath, ['--import', 'tsx', __filename, '--figure-child', figure, '--scale', scale, '--workers', String(workers), '--store', root], {
    env: { ...process.env, IWLAB_THREADS: String(threads), IWLAB_BACKEND: backend },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => {
      fs.rmSync(root, { recursive: true, force: true });
      const line = output.split('\n').find((text) => text.startsWith('{'));
      if (code !== 0 || line === undefined) reject(new Error(`the ${workers}x${threads} child exited ${code}`));
      else resolve(JSON.parse(line) as { seconds: number; engine: unknown });
    }),
  );
}

/** The child of timeFigureInChild: trains the whole figure and prints its wall time and engine. */
async function trainFigure(figure: string, scale: string, workers: number, store: string): Promise<void> {
  const { getFigure } = await import('../src/experiments/figures');
  const { parseScale } = await import('../src/experiments/expand');
  const engine = await initEngine({ requested: process.env.IWLAB_BACKEND, log: () => undefined });
  const started = performance.now();
  const result = await runFigure(getFigure(figure), { scale: parseScale(scale), workers, store: new ResultStore(store), backend: engine.backend });
  const failed = result.runs.filter((run) => run.status !== 'done');
  if (failed.length > 0) throw new Error(`${failed.length} run(s) did not finish: ${failed.map((run) => run.error).join('; ')}`);
  const { skipped: _, ...provenance } = engine;
  console.log(JSON.stringify({ seconds: (performance.now() - started) / 1000, runs: result.runs.length, engine: provenance }));
}

async function compareConfigs(figure: string, scale: string, backend: string, configs: { workers: number; threads: number }[], repeat: number): Promise<void> {
  const best = new Map<string, number>();
  for (let round = 0; round < repeat; round++) {
    const order = round % 2 === 0 ? configs : [...configs].reverse(); // a drifting load favours neither side
    for (const { workers, threads } of order) {
      const loadBefore = os.loadavg()[0]!;
      const { seconds, engine } = await timeFigureInChild(figure, scale, backend, workers, threads);
      const name = `${workers}x${threads}`;
      best.set(name, Math.min(best.get(name) ?? Infinity, seconds));
      console.log(JSON.stringify({ benchmark: 'workers-vs-threads', figure, scale, workers, threads, seconds: round2(seconds), engine, cores: os.availableParallelism(), loadAverage1mBefore: round2(loadBefore), loadAverage1mAfter: round2(os.loadavg()[0]!) }));
    }
  }
  const ranked = [...best.entries()].sort((a, b) => a[1] - b[1]);
  console.log(JSON.stringify({ benchmark: 'workers-vs-threads', figure, scale, bestSeconds: Object.fromEntries(ranked.map(([name, seconds]) => [name, round2(seconds)])), fastest: ranked[0]![0], rounds: repeat }));
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

async function main(): Promise<void> {
  // The edges' options reader: a mistyped flag is one line naming it, not a stack trace. Only
  // --backend of the shared flags applies (the sweep sets its own workers and stores; --scale is the
  // --figure comparison's own).
  const { values, positionals } = parseCommandLine(
    process.argv.slice(2),
    {
      figure: { type: 'string' },
      'figure-child': { type: 'string' },
      scale: { type: 'string', default: 'quick' },
      configs: { type: 'string', default: '2x1,1x2' },
      epochs: { type: 'string', default: '100' },
      hidden: { type: 'string', default: '256' },
      workers: { type: 'string', default: '2' },
      repeat: { type: 'string', default: '1' },
      processes: { type: 'boolean', default: false },
      share: { type: 'string' },
      store: { type: 'string' },
    },
    'the comment at the top of scripts/bench-sweep.ts',
    ['backend'],
  );
  if (positionals.length > 0) throw new UsageError(`Unexpected argument '${positionals[0]}': bench-sweep takes flags only (see the top of scripts/bench-sweep.ts).`);
  const { backend } = readSettings({ backend: values.backend });
  if (values['figure-child'] !== undefined && values.store !== undefined) return trainFigure(values['figure-child'], values.scale, Number(values.workers), values.store);
  if (values.figure !== undefined) return compareConfigs(values.figure, values.scale, backend ?? 'tensorflow', parseConfigs(values.configs), Number(values.repeat));
  const spec = sweep(Number(values.epochs), Number(values.hidden));
  if (values.share !== undefined && values.store !== undefined) return trainShare(spec, values.share, values.store);
  const workers = Number(values.workers);
  // The main thread's engine is started before timing: both sides then pay only for training, plus,
  // for the pool, starting its workers (each loads tsx, tfjs and the wasm backend): a real cost of the pool.
  const engine = await initEngine({ log: () => undefined, ...(backend === undefined ? {} : { requested: backend }) });
  for (let repeat = 0; repeat < Number(values.repeat); repeat++) {
    const loadBefore = os.loadavg()[0]!;
    // Alternate the order between repeats, so a drifting machine load favours neither side.
    const order = repeat % 2 === 0 ? [1, workers] : [workers, 1];
    const timings = new Map<number, SweepTiming>();
    for (const count of order) timings.set(count, await timeSweep(spec, count));
    const one = timings.get(1)!;
    const pooled = timings.get(workers)!;
    const processes = values.processes ? await timeProcesses({ epochs: values.epochs, hidden: values.hidden }, workers) : undefined;
    console.log(
      JSON.stringify({
        benchmark: 'sweep-workers',
        runs: spec.classWeights.length,
        epochs: spec.scales.quick.epochs,
        hidden: Number(values.hidden),
        backend: engine.backend,
        workers,
        secondsWith1: round(one.seconds),
        [`secondsWith${workers}`]: round(pooled.seconds),
        speedup: round(one.seconds / pooled.seconds),
        workerStartSeconds: round(pooled.firstRunStart),
        // On a loaded machine wall time mostly measures the neighbours; equal CPU seconds on both
        // sides mean the pool adds no work, so the speedup on free cores is limited by start-up only.
        cpuSecondsWith1: round(one.cpuSeconds),
        [`cpuSecondsWith${workers}`]: round(pooled.cpuSeconds),
        ...(processes === undefined ? {} : { [`secondsWith${workers}Processes`]: round(processes), processSpeedup: round(one.seconds / processes) }),
        cores: os.availableParallelism(),
        loadAverage1mBefore: round(loadBefore),
        loadAverage1mAfter: round(os.loadavg()[0]!),
      }),
    );
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

main().catch((error: unknown) => {
  console.error(describeError(error, isDebug(process.argv)));
  process.exitCode = errorExitCode(error);
});
