import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { engineLabel, setEngineProvenance } from '../../src/engine/provenance';
import { executeRun } from '../../src/experiments/runWorker';
import { readStoredResult } from '../../src/experiments/storedResult';
import { expandRuns } from '../../src/experiments/expand';
import { runId } from '../../src/experiments/runId';
import type { RunResult } from '../../src/experiments/types';
import { engineTable } from '../../src/plots/tables';
import { tempStore, tinyFigure } from '../experiments/tinyFigure';

const spec = tinyFigure({ epochs: 2, seeds: 1, snapshotEpochs: [] });
const config = expandRuns(spec, 'smoke')[0]!;

/** A trainer that writes nothing but its metrics (no tfjs), enough for the store logic. */
async function fakeTrain(): Promise<Omit<RunResult, 'runId'> & { runId: string }> {
  return { runId: '', config, status: 'done', metrics: [{ epoch: 1 } as never, { epoch: 2 } as never], snapshots: [] };
}

test('a stored run records the engine that trained it beside its metrics, and its id does not change', async () => {
  const store = tempStore();
  setEngineProvenance({ backend: 'tensorflow', tfjs: '4.22.0', tensorflow: '2.21.0', threads: 1 });
  const idBefore = runId(config);
  const outcome = await executeRun(config, { store, train: fakeTrain as never, loadData: async () => ({}) as never });
  const dir = store.run(config.figure, idBefore).dir;
  assert.equal(runId(config), idBefore);
  assert.ok(!fs.readFileSync(path.join(dir, 'config.json'), 'utf8').includes('tensorflow'), 'config.json (the hashed config) carries no engine');
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'engine.json'), 'utf8')), [{ backend: 'tensorflow', tfjs: '4.22.0', tensorflow: '2.21.0', threads: 1, startEpoch: 0 }]);
  assert.deepEqual(outcome.result.engine, [{ backend: 'tensorflow', tfjs: '4.22.0', tensorflow: '2.21.0', threads: 1, startEpoch: 0 }]);
  assert.deepEqual(readStoredResult(store.run(config.figure, idBefore), config)?.engine, outcome.result.engine);
});

test('the engine table names each session of a run, a resumed one from the epoch it resumed at', () => {
  const run: RunResult = {
    runId: 'r',
    config,
    status: 'done',
    metrics: [],
    snapshots: [],
    engine: [
      { backend: 'wasm', tfjs: '4.22.0', threads: 1, startEpoch: 0 },
      { backend: 'tensorflow', tfjs: '4.22.0', tensorflow: '2.21.0', threads: 2, startEpoch: 5 },
    ],
  };
  const unrecorded: RunResult = { ...run, runId: 's', engine: undefined as never };
  delete unrecorded.engine;
  const table = engineTable({ spec, scale: 'smoke', runs: [run, unrecorded] });
  assert.deepEqual(table.column('engine').values, ['wasm, 1 thread; from epoch 5: tensorflow 2.21.0, 2 threads', 'not recorded']);
  assert.equal(engineLabel({ backend: 'cpu', tfjs: '4.22.0', threads: 1 }), 'cpu, 1 thread');
});

test('the report index names the engines that trained a notebook figure stored runs', async () => {
  const { notebookEngines, indexHtml } = await import('../../scripts/lib/report');
  const { getFigure } = await import('../../src/experiments/figures');
  const store = tempStore();
  const toy = expandRuns(getFigure('toy-gaussian'), 'smoke');
  assert.equal(notebookEngines('notebooks/01-toy-gaussian.ipynb', 'smoke', store), 'not recorded');
  for (const [i, engine] of [{ backend: 'wasm', tfjs: '4.22.0', threads: 1 }, { backend: 'tensorflow', tfjs: '4.22.0', tensorflow: '2.21.0', threads: 2 }].entries()) {
    setEngineProvenance(engine as never);
    await executeRun(toy[i]!, { store, train: (async () => ({ runId: '', config: toy[i]!, status: 'done', metrics: [], snapshots: [] })) as never, loadData: async () => ({}) as never });
  }
  assert.equal(notebookEngines('notebooks/01-toy-gaussian.ipynb', 'smoke', store), 'wasm, 1 thread + tensorflow 2.21.0, 2 threads');
  assert.equal(notebookEngines('notebooks/01-toy-gaussian.ipynb', 'quick', store), 'not recorded', 'only the scale asked for');
  assert.equal(notebookEngines('notebooks/11-overview.ipynb', 'smoke', store), "see each figure's report");
  const html = indexHtml([{ href: 'a.html', title: 'A', notebook: 'a.ipynb', scale: 'smoke', status: 'ok', seconds: 1, engine: 'tensorflow 2.21.0, 2 threads' }], { generated: new Date(0) });
  assert.match(html, /<th>Engine<\/th>/);
  assert.match(html, /<td>tensorflow 2\.21\.0, 2 threads<\/td>/);
});
