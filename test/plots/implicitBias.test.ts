// The implicit-bias figure: angle and margin ratio per variant against log epochs, with the limits drawn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandRuns } from '../../src/experiments/expand';
import { toyGaussian } from '../../src/experiments/figures';
import type { EpochMetrics, FigureResult, RunConfig, RunResult } from '../../src/experiments/types';
import { implicitBiasFigure } from '../../src/plots/implicitBias';

/** Angle 30/epoch degrees, model margin growing to the SVM's 0.5 (ratio epoch/100). */
function fakeRun(config: RunConfig): RunResult {
  const metrics = [1, 10, 100].map(
    (epoch) => ({ epoch, classWeight: config.classWeight, seed: 0, variant: config.variant, trainLoss: 1, wallTime: 0, maxMarginAngle: 30 / epoch, modelMargin: (0.5 * epoch) / 100, svmMargin: 0.5 }) as EpochMetrics,
  );
  return { runId: `${config.variant}-${config.classWeight}`, config, status: 'done', metrics, snapshots: [] };
}

const result = (): FigureResult => ({ spec: toyGaussian, scale: 'quick', runs: expandRuns(toyGaussian, 'quick').map(fakeRun) });

test('implicit-bias figure: per variant an angle panel and a margin-ratio panel, one curve per weight, the values of the runs', () => {
  const figure = implicitBiasFigure(result());
  const variants = toyGaussian.variants.length;
  const weights = toyGaussian.classWeights.length;
  assert.equal(figure.data.length, 2 * variants * weights);
  const angles = figure.data.filter((t) => t.xaxis === 'x');
  assert.deepEqual(angles.map((t) => t.y), Array(weights).fill([30, 3, 0.3]));
  const ratios = figure.data.filter((t) => t.xaxis === `x${variants + 1}`);
  assert.deepEqual(ratios.map((t) => t.y), Array(weights).fill([0.01, 0.1, 1]));
});

test('implicit-bias figure: log epoch axes ticked at powers of ten, and the ratio limit 1 dotted in every margin panel', () => {
  const figure = implicitBiasFigure(result());
  const variants = toyGaussian.variants.length;
  for (let axis = 1; axis <= 2 * variants; axis++) {
    const xaxis = figure.layout[axis === 1 ? 'xaxis' : `xaxis${axis}`] as { type: string; dtick: number };
    assert.equal(xaxis.type, 'log');
    assert.equal(xaxis.dtick, 1);
  }
  const shapes = figure.layout.shapes as { yref: string; y0: number; line: { dash: string } }[];
  assert.deepEqual(
    shapes.map((s) => s.yref),
    Array.from({ length: variants }, (_, i) => `y${variants + i + 1}`),
  );
  assert.ok(shapes.every((s) => s.y0 === 1 && s.line.dash === 'dot'));
});
