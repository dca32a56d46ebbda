import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runFigure } from '../../src/experiments/runFigure';
import { figureNumbers, killFigure, tempStore, withoutTime } from './tinyFigure';

const EPOCHS = 300;
const CHILD = path.join(__dirname, 'trainChild.ts');

interface ChildRun {
  child: ChildProcess;
  events: { type: string; startEpoch?: number; epoch?: number }[];
  exited: Promise<number | null>;
}

function startChild(root: string, checkpointEverySeconds: number, onEvent: () => void): ChildRun {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, root, String(EPOCHS), String(checkpointEverySeconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const events: ChildRun['events'] = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) events.push(JSON.parse(line));
    onEvent();
  });
  return { child, events, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

/** Starts a child and SIGKILLs it once it has reported `afterEpochs` epochs, plus a random few ms. */
async function killPartWay(root: string, checkpointEverySeconds: number, afterEpochs: number): Promise<ChildRun> {
  let isKilling = false;
  const run: ChildRun = startChild(root, checkpointEverySeconds, () => {
    const epochs = run.events.filter((event) => event.type === 'epochEnd').length;
    if (!isKilling && epochs >= afterEpochs) {
      isKilling = true;
      setTimeout(() => run.child.kill('SIGKILL'), Math.random() * 20);
    }
  });
  await run.exited;
  return run;
}

test('a run killed by SIGKILL at random moments resumes to the metrics of an uninterrupted run', async () => {
  const spec = killFigure(EPOCHS);
  const referenceStore = tempStore();
  const reference = await runFigure(spec, { scale: 'smoke', store: referenceStore, workers: 1 });
  assert.ok(reference.runs.every((run) => run.status === 'done'));

  const store = tempStore();
  // Three kills at random points of the 600 epochs, checkpointing every epoch and then at most every
  // 0.2 s (so some killed epochs lie past the checkpoint and are trained again).
  const plan = [0, 0.2, 0].map((seconds) => ({ seconds, afterEpochs: 1 + Math.floor(Math.random() * 2 * EPOCHS * 0.3) }));
  const starts: number[] = [];
  for (const { seconds, afterEpochs } of plan) {
    const killed = await killPartWay(store.root, seconds, afterEpochs);
    starts.push(...killed.events.filter((event) => event.type === 'runStart').map((event) => event.startEpoch!));
  }
  const last = startChild(store.root, 1, () => undefined);
  assert.equal(await last.exited, 0);
  starts.push(...last.events.filter((event) => event.type === 'runStart').map((event) => event.startEpoch!));
  const context = `kill plan ${JSON.stringify(plan)}, run starts at epochs ${starts.join(', ')}`;
  assert.ok(starts.some((epoch) => epoch > 0), `at least one run must resume from a checkpoint (${context})`);

  const resumed = await runFigure(spec, { scale: 'smoke', store, workers: 1 });
  assert.deepEqual(figureNumbers(resumed), figureNumbers(reference), context);
  for (const run of reference.runs) {
    const killedRun = store.run('tiny', run.runId);
    const lines = fs.readFileSync(killedRun.metricsPath, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    assert.deepEqual(withoutTime(lines), withoutTime(run.metrics), `metrics.jsonl of ${run.runId} (${context})`);
    const finalWeights = killedRun.readCheckpoint()!.params.map((tensor) => Array.from(tensor.values));
    const referenceWeights = referenceStore.run('tiny', run.runId).readCheckpoint()!.params.map((tensor) => Array.from(tensor.values));
    assert.deepEqual(finalWeights, referenceWeights, `final weights of ${run.runId}`);
    assert.equal(fs.existsSync(killedRun.lockPath), false, 'no lock is left behind');
  }
});

