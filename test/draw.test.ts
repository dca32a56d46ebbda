// The plots as notebooks and commands call them: the toy geometry computed below src/plots and handed in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { figurePlots } from '../src/draw';
import { expandRuns } from '../src/experiments/expand';
import { subsamplingToy } from '../src/experiments/figures';
import type { FigureResult, RunResult } from '../src/experiments/types';
import { figurePlots as drawFigurePlots } from '../src/plots/index';

/** Two evaluated epochs per run, no snapshots: enough for the trajectories and their limits. */
function fakeResult(): FigureResult {
  const runs: RunResult[] = expandRuns(subsamplingToy, 'smoke').map((config, i) => ({
    runId: `run${i}`,
    config,
    status: 'done',
    metrics: [1, 2].map((epoch) => ({ epoch, classWeight: config.classWeight, seed: config.seed, variant: config.variant, trainLoss: 1, wallTime: 0, boundaryOffset: 0.1, boundaryAngle: 1 })),
    snapshots: [],
  }));
  return { spec: subsamplingToy, scale: 'smoke', runs };
}

test('src/plots cannot draw a boundary figure without its geometry, and says how to get it', () => {
  assert.throws(() => drawFigurePlots(fakeResult()), /pass its geometry, figurePlots\(result, toyGeometry\(result\)\)/);
});

test('figurePlots computes the geometry: the trajectories of a weighting comparison carry their max-margin limits', () => {
  const plots = figurePlots(fakeResult());
  const limits = plots.flatMap((plot) => plot.data).filter((trace) => trace.name === 'max-margin limit');
  const weights = subsamplingToy.classWeights.length;
  assert.equal(limits.length, 2 * weights, 'one per weight in each linear variant');
});
