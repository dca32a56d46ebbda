/**
 * Clean stops through every launcher, with the real process tree: `npm run iwlab -- run ...`, `npx
 * iwlab run ...` and `./bin/iwlab run ...` train toy-gaussian at quick scale (runs of a few seconds,
 * no datasets needed) into a temporary store; once a run has started, Ctrl-C (SIGINT to the whole
 * process group, as a terminal sends it) or SIGTERM (to the process the user started only) must stop
 * every process of the tree within seconds, print the summary, leave no lock file, and exit 130/143.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../src/paths';

/** How long a stopped tree may take to be gone: a run stops after its current step, well under this. */
const STOP_DEADLINE_MS = 25_000;

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from the signal until no process of the group was left. */
  goneAfterMs: number;
}

function tempDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `iwlab-stop-${name}-`));
}

function lockFiles(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return (fs.readdirSync(root, { recursive: true }) as string[]).filter((file) => path.basename(file) === 'lock' || path.basename(file).startsWith('lock.'));
}

function isGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts `command` in its own process group, waits for the first run to start, signals, and waits for the end. */
async function stopAfterFirstRun(command: string, args: string[], signal: 'SIGINT' | 'SIGTERM', target: 'group' | 'top'): Promise<Finished> {
  const child: ChildProcess = spawn(command, args, { cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, IWLAB_SCALE: '', IWLAB_RESULTS: '' } });
  const pgid = child.pid!;
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  let signalledAt: number | undefined;
  const started = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no run started within 120 s; stderr:\n${stderr}`)), 120_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (signalledAt === undefined && /^start /m.test(stderr)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  // Streams close when the last writer (possibly an orphaned trainer) is gone.
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  try {
    await started;
    signalledAt = Date.now();
    process.kill(target === 'group' ? -pgid : pgid, signal);
    const code = await closed;
    while (isGroupAlive(pgid) && Date.now() - signalledAt < STOP_DEADLINE_MS) await new Promise((resolve) => setTimeout(resolve, 100));
    return { code, stdout, stderr, goneAfterMs: Date.now() - signalledAt };
  } finally {
    if (isGroupAlive(pgid)) process.kill(-pgid, 'SIGKILL'); // never leave a trainer behind a failed test
  }
}

function runArgs(results: string, csv: string, workers: number): string[] {
  return ['run', 'toy-gaussian', '--scale', 'quick', '--workers', String(workers), '--results', results, '--csv', csv];
}

function assertCleanStop(finished: Finished, results: string, exitCode: number): void {
  const context = `stdout:\n${finished.stdout}\nstderr:\n${finished.stderr}`;
  assert.ok(finished.goneAfterMs < STOP_DEADLINE_MS, `every process of the tree is gone within ${STOP_DEADLINE_MS / 1000} s (${context})`);
  assert.match(finished.stdout, /^toy-gaussian at quick scale \(k = 1 seed\): 12 runs, \d+ done, 0 failed, [1-9]\d* stopped/m, `the summary is printed, with runs stopped part-way (${context})`);
  assert.deepEqual(lockFiles(results), [], 'no lock file is left');
  assert.equal(finished.code, exitCode, context);
}

test('Ctrl-C through npm run (SIGINT to the whole group) stops cleanly: summary, no locks, no process left, exit 130', async () => {
  const results = tempDir('results');
  const finished = await stopAfterFirstRun('npm', ['run', '-s', 'iwlab', '--', ...runArgs(results, tempDir('csv'), 1)], 'SIGINT', 'group');
  assertCleanStop(finished, results, 130);
  assert.equal((finished.stderr.match(/SIGINT: stopping/g) ?? []).length, 1, 'one press, though the terminal and npm both deliver it');
});

test('SIGTERM to npm (an IDE stop button) stops the trainer too: summary, no locks, no process left, exit 143', async () => {
  const results = tempDir('results');
  const finished = await stopAfterFirstRun('npm', ['run', '-s', 'iwlab', '--', ...runArgs(results, tempDir('csv'), 1)], 'SIGTERM', 'top');
  assertCleanStop(finished, results, 143);
});

test('SIGTERM to npx iwlab stops the orphaned trainer (its parent watchdog): summary, no locks, no process left', async () => {
  const results = tempDir('results');
  const finished = await stopAfterFirstRun('npx', ['iwlab', ...runArgs(results, tempDir('csv'), 1)], 'SIGTERM', 'top');
  // npx's own status is its shell's (killed by SIGTERM); what matters is what the trainer did.
  assert.ok(finished.goneAfterMs < STOP_DEADLINE_MS, finished.stderr);
  assert.match(finished.stdout, /^toy-gaussian at quick scale \(k = 1 seed\): 12 runs, \d+ done, 0 failed, [1-9]\d* stopped/m, `stopped, not trained to the end in the background:\n${finished.stderr}`);
  assert.match(finished.stderr, /the process that started iwlab \(npm or npx\) exited: stopping/);
  assert.deepEqual(lockFiles(results), []);
});

test('Ctrl-C on ./bin/iwlab with worker threads stops every worker: summary, no locks, exit 130', async () => {
  const results = tempDir('results');
  const finished = await stopAfterFirstRun(path.join(REPO_ROOT, 'bin', 'iwlab'), runArgs(results, tempDir('csv'), 2), 'SIGINT', 'group');
  assertCleanStop(finished, results, 130);
});

test('SIGTERM to ./bin/iwlab: summary, no locks, exit 143', async () => {
  const results = tempDir('results');
  const finished = await stopAfterFirstRun(path.join(REPO_ROOT, 'bin', 'iwlab'), runArgs(results, tempDir('csv'), 1), 'SIGTERM', 'top');
  assertCleanStop(finished, results, 143);
});

test('two processes on one store: the one that ends last, with every run done, exits 0 and says all done', async () => {
  const results = tempDir('results');
  const { expandRuns } = await import('../../src/experiments/expand');
  const { toyGaussian } = await import('../../src/experiments/figures');
  const { runId } = await import('../../src/experiments/runId');
  const only = expandRuns(toyGaussian, 'quick').slice(0, 4).map(runId).join(',');
  const args = ['run', 'toy-gaussian', '--scale', 'quick', '--workers', '1', '--only', only, '--results', results, '--csv', tempDir('csv')];
  const start = () => {
    const child = spawn(path.join(REPO_ROOT, 'bin', 'iwlab'), args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, IWLAB_SCALE: '', IWLAB_RESULTS: '' } });
    const output = { stdout: '', stderr: '' };
    child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
    const ended = new Promise<{ code: number | null; at: number } & typeof output>((resolve) => child.on('close', (code) => resolve({ code, at: Date.now(), ...output })));
    return { output, ended };
  };
  const first = start();
  // The second starts once the first holds a run, so each finds runs the other is training.
  while (!/^start /m.test(first.output.stderr)) await new Promise((resolve) => setTimeout(resolve, 50));
  const second = start();
  const [a, b] = await Promise.all([first.ended, second.ended]);
  const last = a.at >= b.at ? a : b;
  const other = last === a ? b : a;
  assert.equal(last.code, 0, `the store holds every run done when the last one exits:\n${last.stdout}\n${last.stderr}`);
  assert.match(last.stdout, /^toy-gaussian at quick scale \(k = 1 seed\): 4 runs, 4 done, 0 failed, 0 stopped/m);
  assert.ok(other.code === 0 || other.code === 75, `the first to end exits 0, or 75 while the other still trains a run:\n${other.stdout}`);
  assert.deepEqual(lockFiles(results), []);
});
