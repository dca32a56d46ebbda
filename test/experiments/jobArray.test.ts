import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { EXIT_CODES } from '../../src/commands/run';
import { expandRuns } from '../../src/experiments/expand';
import { toyGaussian } from '../../src/experiments/figures';
import { runFigure } from '../../src/experiments/runFigure';
import type { TrainFunction } from '../../src/experiments/runWorker';
import { ResultStore } from '../../src/experiments/resultStore';
import { figureNumbers, tempStore } from './tinyFigure';

const CLI = path.join(__dirname, '..', '..', 'src', 'cli.ts');
/** Array tasks running at once, as `#SBATCH --array=0-11%3` or a Job's `parallelism: 3`. */
const SLOTS = 3;

/** One array task: `iwlab run <figure> --index <i>` against the shared store, as the job files run it. */
function arrayTask(index: number, results: string): Promise<{ index: number; code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'run', toyGaussian.id, '--scale', 'smoke', '--index', String(index), '--results', results, '--workers', '1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, IWLAB_SCALE: 'paper' }, // the flag wins over the environment
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ index, code, output })));
}

test('a simulated job array (one process per run id, shared store) merges to the single-process figure', async () => {
  const shared = tempStore();
  const count = expandRuns(toyGaussian, 'smoke').length;
  // Task 0 twice, at once: a requeued or duplicated task must not corrupt the run.
  const queue = [0, ...Array.from({ length: count }, (_, i) => i)];
  const finished: Awaited<ReturnType<typeof arrayTask>>[] = [];
  await Promise.all(
    Array.from({ length: SLOTS }, async () => {
      for (let index = queue.shift(); index !== undefined; index = queue.shift()) finished.push(await arrayTask(index, shared.root));
    }),
  );

  const neverTrain: TrainFunction = () => Promise.reject(new Error('merging must not train anything'));
  const merged = await runFigure(toyGaussian, { scale: 'smoke', store: new ResultStore(shared.root), workers: 1, train: neverTrain });
  const single = await runFigure(toyGaussian, { scale: 'smoke', store: tempStore(), workers: 1 });
  assert.deepEqual(figureNumbers(merged), figureNumbers(single));

  // Exit codes a scheduler acts on: 0 done, 3 diverged (final); the duplicate of task 0 either found
  // the run finished (0) or held by its twin (75, retry later).
  for (const task of finished) {
    const expected = merged.runs[task.index]!.status === 'done' ? [0] : [EXIT_CODES.diverged];
    if (task.index === 0) expected.push(EXIT_CODES.locked);
    assert.ok(expected.includes(task.code!), `task ${task.index} exited ${task.code}, expected ${expected}:\n${task.output}`);
  }
});
