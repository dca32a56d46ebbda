import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandRuns } from '../../src/experiments/expand';
import { cifarCnnL2 } from '../../src/experiments/figures';
import type { EpochMetrics, FigureResult, RunResult } from '../../src/experiments/types';
import { decayExposure, finalFractionFigure } from '../../src/plots/finalFractions';

test('one line per L2 strength of the last-epoch fraction against the weight; the legend gives lr x lambda x steps; unfitted weights open and dotted', () => {
  // Two strengths and two weights on 100 + 100 images for 500 epochs, whatever the registry's quick grid is.
  const configs = expandRuns({ ...cifarCnnL2, scales: { ...cifarCnnL2.scales, quick: { ...cifarCnnL2.scales.quick!, epochs: 500, data: { perClass: 100 }, classWeights: [4, 1 / 4], variants: ['l2=1e-3', 'l2=1e-2'] } } }, 'quick');
  const runs: RunResult[] = configs.map((config) => {
    const fitted = config.variant === 'l2=1e-3';
    const metrics = [1, 2].map((epoch) => ({ epoch, classWeight: config.classWeight, seed: config.seed, variant: config.variant, trainLoss: 1, wallTime: 0, trainAccuracy: fitted ? 1 : 0.5, inDomainFraction: config.classWeight > 1 ? 0.6 : 0.4, outOfDomainFraction: 0.3 }) as EpochMetrics);
    return { runId: `${config.variant}-${config.classWeight}`, config, status: 'done', metrics, snapshots: [] };
  });
  // 500 epochs x floor(200 / 16) = 12 steps: 0.1 x 1e-3 x 6000 = 0.6 and 0.1 x 1e-2 x 6000 = 6.
  assert.ok(Math.abs(decayExposure(runs[0]!) - 0.6) < 1e-12);
  const figure = finalFractionFigure({ spec: cifarCnnL2, scale: 'quick', runs } as FigureResult);
  const inDomain = figure.data.filter((t) => t.xaxis === 'x');
  assert.deepEqual(inDomain.map((t) => t.name), ['L2 1e-3 (lr x lambda x steps 0.60)', 'L2 1e-2 (lr x lambda x steps 6.0)']);
  assert.deepEqual(inDomain[0]!.x, [1 / 4, 4]);
  assert.deepEqual(inDomain[0]!.y, [0.4, 0.6]);
  assert.equal((inDomain[0]!.line as { dash: string }).dash, 'solid');
  assert.equal((inDomain[1]!.line as { dash: string }).dash, 'dot', 'the 1e-2 runs did not fit');
});
