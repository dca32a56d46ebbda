import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toyGaussian } from '../../src/experiments/figures';
import type { EpochMetrics, FigureResult, RunConfig } from '../../src/experiments/types';
import { fractionFigure, seedCurve, trainingFigure } from '../../src/plots/fractions';

function run(variant: string, classWeight: number, seed: number, fractions: number[]) {
  const config = { variant, classWeight, seed } as RunConfig;
  const metrics = fractions.map(
    (f, i) => ({ epoch: i + 1, classWeight, seed, variant, trainLoss: 1 / (i + 1), trainAccuracy: 0.5, wallTime: 0, inDomainFraction: f, outOfDomainFraction: f / 2 }) as EpochMetrics,
  );
  return { runId: `${variant}-${classWeight}-${seed}`, config, status: 'done' as const, metrics, snapshots: [] };
}

const spec = { ...toyGaussian, variants: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }] };

test('fraction figure: two panels per variant, a curve per weight, bands only with several seeds', () => {
  const result: FigureResult = {
    spec,
    scale: 'smoke',
    runs: [run('a', 16, 0, [1, 0.8]), run('a', 16, 1, [1, 0.6]), run('a', 1 / 16, 0, [0, 0.3]), run('b', 1, 0, [0.5, 0.5])],
  };
  const figure = fractionFigure(result, { logEpochs: true });
  const lines = figure.data.filter((t) => t.fill === undefined);
  const bands = figure.data.filter((t) => t.fill === 'toself');
  assert.equal(lines.length, 2 * 3); // a: weights 16 and 1/16, b: weight 1; x 2 panels
  assert.equal(bands.length, 2); // only weight 16 of variant a has two seeds
  const mean = lines.find((t) => t.name === '16:1' && t.xaxis === 'x')!;
  assert.deepEqual(mean.y, [1, 0.7]);
  assert.equal((figure.layout.xaxis as { type: string }).type, 'log');
  assert.equal(trainingFigure(result).data.filter((t) => t.fill === undefined).length, 6);
});

test('seed curve keeps epochs that only some seeds reached', () => {
  const curve = seedCurve([run('a', 1, 0, [0.2, 0.4, 0.6]).metrics, run('a', 1, 1, [0.4]).metrics], (line) => line.inDomainFraction);
  assert.deepEqual(curve.epochs, [1, 2, 3]);
  assert.deepEqual(curve.counts, [2, 1, 1]);
  assert.ok(Math.abs(curve.mean[0]! - 0.3) < 1e-12);
});
