// Plots of the figures that compare weighting with sub-sampling: each treatment told apart, legends saying which.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadFigureData } from '../../src/data/index';
import { expandRuns } from '../../src/experiments/expand';
import { subsampling, subsamplingToy, toyGaussian } from '../../src/experiments/figures';
import { runId } from '../../src/experiments/runId';
import { maxMarginLimits, maxMarginOffset, toyBoundaries } from '../../src/experiments/toyGeometry';
import { runResult, trainRun } from '../../src/experiments/trainRun';
import type { EpochMetrics, FigureResult, RunConfig, RunResult } from '../../src/experiments/types';
import { fractionFigure } from '../../src/plots/fractions';
import { implicitBiasFigure } from '../../src/plots/implicitBias';
import { toyBoundaryFigure, toyTrajectoryFigure } from '../../src/plots/toy';

type Trace = Record<string, unknown> & { line?: { dash?: string } };

function fakeRun(config: RunConfig, fractions: number[]): RunResult {
  const metrics = fractions.map((f, i) => ({ epoch: i + 1, classWeight: config.classWeight, seed: 0, variant: config.variant, trainLoss: 1, trainAccuracy: 1, wallTime: 0, inDomainFraction: f, outOfDomainFraction: f / 2 }) as EpochMetrics);
  return { runId: `${config.variant}-${config.classWeight}`, config, status: 'done', metrics, snapshots: [] };
}

test('fraction figure: a row per treatment, sub-sampled curves dashed, each legend entry once and named', () => {
  const runs = expandRuns(subsampling, 'paper').map((config) => fakeRun(config, [0.2, 0.4]));
  const figure = fractionFigure({ spec: subsampling, scale: 'paper', runs });
  const weights = subsampling.classWeights;
  assert.equal((figure.layout.grid as { rows: number }).rows, 2);
  const lines = (figure.data as Trace[]).filter((t) => t.mode !== 'markers'); // curves; markers flag left-constant and fitted epochs
  assert.equal(lines.length, 2 * 2 * weights.length); // 2 treatments x 2 panels x weights, k = 1
  const subsampled = lines.filter((t) => t.yaxis === 'y3'); // second row, left panel
  assert.deepEqual(subsampled.map((t) => t.name).sort(), ['all kept, 1:1', 'sub-sampled to 1/16', 'sub-sampled to 1/4', 'sub-sampled to 1/64']);
  assert.ok(subsampled.every((t) => t.line?.dash === 'dash'));
  const weighted = lines.filter((t) => t.yaxis === 'y');
  assert.deepEqual(weighted.map((t) => t.name).sort(), ['weight 1:1', 'weight 1:16', 'weight 1:4', 'weight 1:64']);
  assert.ok(weighted.every((t) => t.line?.dash === undefined));
  const legend = lines.filter((t) => t.showlegend).map((t) => t.name as string);
  assert.equal(legend.length, 2 * weights.length);
  assert.equal(new Set(legend).size, legend.length);
});

test('a figure without sub-sampling keeps its bare weight names and one legend entry per weight', () => {
  const runs = expandRuns(toyGaussian, 'smoke').map((config) => fakeRun(config, [0.5]));
  const figure = fractionFigure({ spec: toyGaussian, scale: 'smoke', runs });
  const legend = (figure.data as Trace[]).filter((t) => t.showlegend && t.mode !== 'markers').map((t) => t.name);
  assert.deepEqual(legend, ['16:1', '1:1', '1:16']);
});

test("the max-margin limit: 0 for the full (symmetric) set, towards the base class once it is thinned out", () => {
  const full = maxMarginOffset({ source: 'toy-gaussian', perClass: 512 }, 0);
  assert.ok(Math.abs(full) < 1e-6, `full set: ${full}`);
  const sixteenth = maxMarginOffset({ source: 'toy-gaussian', perClass: 512, baseClassFraction: 1 / 16 }, 0);
  assert.ok(sixteenth > 0.05, `1/16: ${sixteenth}`);
});

async function toySmoke(): Promise<FigureResult> {
  const configs = expandRuns(subsamplingToy, 'smoke').filter((c) => c.model.kind === 'linear');
  const runs: RunResult[] = [];
  for (const run of configs.map((config) => ({ ...config, epochs: 5, snapshotEpochs: [1, 5] }))) {
    runs.push(runResult(runId(run), run, await trainRun(run, await loadFigureData(run.data, { seed: run.seed }))));
  }
  return { spec: subsamplingToy, scale: 'smoke', runs };
}

test('toy figures: dashed sub-sampled boundaries over the kept points, limit lines on the linear offsets', async () => {
  const result = await toySmoke();
  const weights = subsamplingToy.classWeights.length;
  const boundaries = toyBoundaryFigure(result, toyBoundaries(result));
  const contours = boundaries.data as Trace[];
  const dashed = contours.filter((t) => t.type === 'contour' && t.line?.dash === 'dash');
  assert.equal(dashed.length, 2 * weights); // the sub-sampled row at epochs 1 and 5
  // Row 2 (sub-sampled) shows the 4 base points the 1/16 run kept; row 1 all 64.
  const basePoints = (axis: string) => (contours.find((t) => t.type === 'scatter' && t.xaxis === axis && t.name === 'base class (+1)')!.x as number[]).length;
  assert.equal(basePoints('x'), 64);
  assert.equal(basePoints('x3'), 4);

  const trajectory = toyTrajectoryFigure(result, { limits: maxMarginLimits(result) });
  const limits = (trajectory.data as Trace[]).filter((t) => t.name === 'max-margin limit');
  assert.equal(limits.length, 2 * weights); // offset row only, both linear variants
  const weightedLimits = limits.filter((t) => t.xaxis === 'x').map((t) => (t.y as number[])[0]!);
  assert.ok(weightedLimits.every((y) => Math.abs(y) < 1e-6));
  assert.equal(limits.filter((t) => t.showlegend).length, 1);
  assert.equal(toyTrajectoryFigure(result, { limits: maxMarginLimits(result, { limits: false }) }).data.length, trajectory.data.length - limits.length);

  const bias = implicitBiasFigure(result);
  assert.ok((bias.data as Trace[]).some((t) => t.name === 'sub-sampled to 1/16' && t.line?.dash === 'dash'));
});
