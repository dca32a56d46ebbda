import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadFigureData } from '../../src/data/index';
import { expandRuns } from '../../src/experiments/expand';
import { toyGaussian } from '../../src/experiments/figures';
import { runId } from '../../src/experiments/runId';
import { toyBoundaries } from '../../src/experiments/toyGeometry';
import { runResult, trainRun } from '../../src/experiments/trainRun';
import type { FigureResult } from '../../src/experiments/types';
import { toyBoundaryFigure, toyTrajectoryFigure } from '../../src/plots/toy';

async function smokeResult(): Promise<FigureResult> {
  const configs = expandRuns(toyGaussian, 'smoke').filter((c) => c.variant === 'linear' || c.variant === 'mlp');
  const runs = [];
  for (const run of configs.map((config) => ({ ...config, epochs: 5, snapshotEpochs: [1, 5] }))) {
    runs.push(runResult(runId(run), run, await trainRun(run, await loadFigureData(run.data, { seed: run.seed }))));
  }
  return { spec: toyGaussian, scale: 'smoke', runs };
}

test('boundary figure: a panel per variant and snapshot, a contour per weight, the data in each panel', async () => {
  const result = await smokeResult();
  const figure = toyBoundaryFigure(result, toyBoundaries(result));
  const weights = toyGaussian.classWeights.length;
  const panels = 2 * 2; // variants linear, mlp x epochs 1, 5
  assert.equal(figure.data.filter((t) => t.type === 'contour').length, panels * weights);
  assert.equal(figure.data.filter((t) => t.type === 'scatter').length, panels * 2);
  assert.deepEqual(figure.layout.grid, { rows: 2, columns: 2, pattern: 'independent', xgap: 0.085, ygap: 0.074 });
  const contour = figure.data.find((t) => t.type === 'contour')!;
  const z = contour.z as number[][];
  assert.equal(z.length, (contour.y as number[]).length);
  // The boundary runs through the plotted square: the score takes both signs there.
  assert.ok(z.flat().some((v) => v > 0) && z.flat().some((v) => v < 0));
  assert.doesNotThrow(() => JSON.stringify(figure));
});

test('trajectory figure: offset and angle rows, one line per weight, log epoch axes', async () => {
  const figure = toyTrajectoryFigure(await smokeResult());
  assert.equal(figure.data.length, 2 * 2 * toyGaussian.classWeights.length);
  assert.equal((figure.layout.xaxis as { type: string }).type, 'log');
  const first = figure.data[0]!;
  assert.deepEqual(first.x, [1, 2, 3, 4, 5]);
});

test('implicit-bias figure: angle and margin-ratio rows, one curve per weight, finite values', async () => {
  const { implicitBiasFigure } = await import('../../src/plots/implicitBias');
  const figure = implicitBiasFigure(await smokeResult());
  assert.equal(figure.data.length, 2 * 2 * toyGaussian.classWeights.length);
  const angles = figure.data[0]!.y as number[];
  assert.ok(angles.length > 0 && angles.every((a) => Number.isFinite(a) && a >= 0 && a <= 180));
});
