// The toy figures' geometry, computed in the experiments layer so that src/plots only draws numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadFigureData } from '../../src/data/index';
import { expandRuns } from '../../src/experiments/expand';
import { subsamplingToy, toyGaussian } from '../../src/experiments/figures';
import { runId } from '../../src/experiments/runId';
import { TOY_BOX, maxMarginLimits, toyBoundaries, toyGeometry } from '../../src/experiments/toyGeometry';
import { runResult, trainRun } from '../../src/experiments/trainRun';
import type { FigureResult, FigureSpec } from '../../src/experiments/types';
import { toyBoundaryFigure } from '../../src/plots/toy';

async function linearResult(spec: FigureSpec): Promise<FigureResult> {
  const configs = expandRuns(spec, 'smoke').filter((c) => c.model.kind === 'linear').map((c) => ({ ...c, epochs: 2, snapshotEpochs: [2] }));
  const runs = [];
  for (const run of configs) runs.push(runResult(runId(run), run, await trainRun(run, await loadFigureData(run.data, { seed: run.seed }))));
  return { spec, scale: 'smoke', runs };
}

test('boundaries: a score grid per seed-0 run and snapshot, points per variant, and the plot draws exactly those', async () => {
  const result = await linearResult(subsamplingToy);
  const boundaries = toyBoundaries(result);
  assert.equal(boundaries.box, TOY_BOX);
  const drawn = result.runs.filter((run) => run.config.seed === 0);
  assert.deepEqual(Object.keys(boundaries.scores).sort(), drawn.map((run) => run.runId).sort());
  for (const grids of Object.values(boundaries.scores)) {
    assert.deepEqual(Object.keys(grids), ['2']);
    assert.equal(grids[2]!.length, boundaries.grid.length);
    assert.ok(grids[2]!.every((row) => row.length === boundaries.grid.length));
  }
  // The sub-sampled row shows the smallest kept set: fewer base points than the weighted row.
  const rows = Object.entries(boundaries.points);
  assert.equal(rows.length, 2);
  const [weighted, subsampled] = rows.map(([, points]) => points.base.x.length);
  assert.ok(subsampled! < weighted!, `${subsampled} < ${weighted}`);
  const figure = toyBoundaryFigure(result, boundaries);
  const contours = figure.data.filter((trace) => trace.type === 'contour').map((trace) => trace.z);
  assert.deepEqual(contours.sort(), Object.values(boundaries.scores).map((grids) => grids[2]).sort());
});

test('max-margin limits: by default for figures that compare weightings, on request for others, off on request', async () => {
  const compared = await linearResult(subsamplingToy);
  const limits = maxMarginLimits(compared);
  assert.deepEqual(Object.keys(limits).sort(), compared.runs.map((run) => run.runId).sort());
  assert.ok(Object.values(limits).every(Number.isFinite));
  assert.deepEqual(maxMarginLimits(compared, { limits: false }), {});
  const plain = await linearResult(toyGaussian);
  assert.deepEqual(maxMarginLimits(plain), {});
  assert.equal(Object.keys(maxMarginLimits(plain, { limits: true })).length, plain.runs.length);
});

test('a figure without boundary evaluations has no toy geometry to compute', () => {
  const spec = { ...toyGaussian, evaluations: ['fractions'] } as FigureSpec;
  assert.equal(toyGeometry({ spec, scale: 'smoke', runs: [] }), undefined);
});
