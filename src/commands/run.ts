import path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../cli';
import { runLabel } from '../experiments/expand';
import { getFigure } from '../experiments/figures';
import { ResultStore, defaultResultStore } from '../experiments/resultStore';
import { runId } from '../experiments/runId';
import { selectRuns, runFigure } from '../experiments/runFigure';
import { terminalProgress } from '../experiments/terminalProgress';
import { SCALES, type RunConfig, type ScaleName } from '../experiments/types';
import { REPO_ROOT } from '../paths';

const HELP = `Usage: iwlab run <figure> [--scale smoke|quick|paper] [--retrain] [--workers n]
                 [--list [--ids]] [--only id[,id...]] [--index n] [--results dir] [--csv dir]

Trains every run of a figure that the result store does not hold yet: finished runs are reused,
unfinished ones resume from their last checkpoint. Ctrl-C stops cleanly (run again to resume).

  --scale s      smoke, quick (default: $IWLAB_SCALE, else quick) or paper
  --retrain      forget stored results of the selected runs and train them afresh
  --workers n    parallel worker threads (default: one per core; 1 on tfjs-node)
  --list         print the runs (index, id, status, label) and exit; --ids prints the ids alone
  --only ids     run only these run ids (comma-separated, as --list prints them)
  --index n      run only the n-th run of --list (0-based): one task of a Slurm job array
                 (--index $SLURM_ARRAY_TASK_ID) or a Kubernetes Indexed Job ($JOB_COMPLETION_INDEX)
  --results dir  the result store (default: $IWLAB_RESULTS, else <repo>/results); share it between tasks
  --csv dir      where the whole figure's CSV files go (default: <repo>/reports/figures)

Backend: $IWLAB_BACKEND (tensorflow-gpu, tensorflow, wasm, cpu) overrides the automatic choice.
Cluster job files: docs/cluster.md.`;

export async function main(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      scale: { type: 'string' },
      retrain: { type: 'boolean', default: false },
      workers: { type: 'string' },
      list: { type: 'boolean', default: false },
      ids: { type: 'boolean', default: false },
      only: { type: 'string' },
      index: { type: 'string' },
      results: { type: 'string' },
      csv: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return console.log(HELP);
  const [id, ...extra] = positionals;
  if (id === undefined) throw new UsageError(`Name a figure.\n\n${HELP}`);
  if (extra.length > 0) throw new UsageError(`Unexpected argument '${extra[0]}': name one figure, and options after it.\n\n${HELP}`);
  const spec = getFigure(id);
  const scale = parseScale(values.scale ?? process.env.IWLAB_SCALE ?? 'quick');
  const resultsDir = values.results ?? process.env.IWLAB_RESULTS;
  const store = resultsDir ? new ResultStore(path.resolve(resultsDir)) : defaultResultStore();
  const all = selectRuns(spec, scale);

  if (values.list) {
    if (values.ids) for (const config of all) console.log(runId(config));
    else printList(all, store);
    return;
  }

  let only: string[] | undefined;
  if (values.only !== undefined) only = values.only.split(',').map((value) => value.trim()).filter((value) => value !== '');
  if (values.index !== undefined) {
    if (only) throw new UsageError('Use --only or --index, not both.');
    const index = Number(values.index);
    if (!Number.isInteger(index) || index < 0 || index >= all.length) {
      throw new UsageError(`--index ${values.index} is out of range: ${spec.id} has ${all.length} runs at ${scale} scale (indices 0-${all.length - 1}). Size the job array to match.`);
    }
    only = [runId(all[index]!)];
  }

  // Ctrl-C once: stop after the current step of every run (finished epochs stay). Twice: quit now.
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    console.error('\nStopping: each run finishes its current step and keeps its epochs. Ctrl-C again to quit at once.');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const started = performance.now();
  try {
    const result = await runFigure(spec, {
      scale,
      store,
      retrain: values.retrain,
      onProgress: terminalProgress(),
      signal: controller.signal,
      ...(values.workers === undefined ? {} : { workers: parseWorkers(values.workers) }),
      ...(only ? { only } : {}),
      ...(process.env.IWLAB_BACKEND ? { backend: process.env.IWLAB_BACKEND } : {}),
    });
    const count = (status: string) => result.runs.filter((run) => run.status === status).length;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`${spec.id} at ${scale} scale: ${result.runs.length} runs, ${count('done')} done, ${count('failed')} failed, ${count('stopped')} stopped, in ${seconds} s (results in ${store.root})`);
    for (const run of result.runs.filter((r) => r.status !== 'done')) {
      console.log(`  ${run.runId}  ${runLabel(run.config)}: ${run.status}${run.error ? ` (${run.error})` : ''}; ${run.metrics.length} epochs kept`);
    }
    if (only === undefined && result.runs.some((run) => run.metrics.length > 0)) {
      // Lazily: danfojs loads tfjs, which a --list or a job-array task never needs.
      const { writeFigureCsv } = await import('../experiments/frames');
      const files = writeFigureCsv(result, path.resolve(values.csv ?? path.join(REPO_ROOT, 'reports', 'figures')));
      console.log(`CSV: ${files.metrics}\n     ${files.summary}`);
    }
    if (controller.signal.aborted) process.exitCode = 130;
    else if (result.runs.some((run) => run.status !== 'done')) process.exitCode = 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function printList(configs: readonly RunConfig[], store: ResultStore): void {
  const rows = configs.map((config, index) => {
    const id = runId(config);
    const run = store.run(config.figure, id);
    const state = run.state();
    let status: string;
    if (state.kind === 'partial') status = `partial ${state.checkpointEpoch}/${config.epochs}`;
    else if (state.kind === 'new') status = 'new';
    else status = state.kind;
    if (state.kind !== 'done' && state.kind !== 'failed' && run.hasLockFile()) status += ' (locked)';
    return [String(index), id, status, runLabel(config)];
  });
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]!.length), ['index', 'run id', 'status'][column]!.length));
  const format = (row: string[]) => row.map((cell, column) => (column < 3 ? cell.padEnd(widths[column]!) : cell)).join('  ');
  console.log(format(['index', 'run id', 'status', 'run']));
  for (const row of rows) console.log(format(row));
}

function parseScale(value: string): ScaleName {
  if (!(SCALES as readonly string[]).includes(value)) throw new UsageError(`Unknown scale '${value}'; use one of ${SCALES.join(', ')}.`);
  return value as ScaleName;
}

function parseWorkers(value: string): number {
  const workers = Number(value);
  if (!Number.isInteger(workers) || workers < 1) throw new UsageError(`--workers takes a positive integer, got '${value}'.`);
  return workers;
}
