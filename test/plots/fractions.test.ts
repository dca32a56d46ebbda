import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toyGaussian } from '../../src/experiments/figures';
import type { EpochMetrics, FigureResult, RunConfig } from '../../src/experiments/types';
import { fractionFigure, seedCurve, trainingFigure } from '../../src/plots/fractions';

function run(variant: string, classWeight: number, seed: number, fractions: number[], trainAccuracy = 1) {
  const config = { variant, classWeight, seed, data: { source: 'toy-gaussian', perClass: 16 }, optimizer: { kind: 'sgd', learningRate: 1, batchSize: 8, weightDecay: 0 } } as RunConfig;
  const metrics = fractions.map(
    (f, i) => ({ epoch: i + 1, classWeight, seed, variant, trainLoss: 1 / (i + 1), trainAccuracy, wallTime: 0, inDomainFraction: f, outOfDomainFraction: f / 2 }) as EpochMetrics,
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
  const lines = figure.data.filter((t) => t.fill === undefined && t.mode !== 'markers');
  const bands = figure.data.filter((t) => t.fill === 'toself');
  assert.equal(lines.length, 2 * 3); // a: weights 16 and 1/16, b: weight 1; x 2 panels
  assert.equal(bands.length, 2); // only weight 16 of variant a has two seeds
  const mean = lines.find((t) => t.name === '16:1' && t.xaxis === 'x')!;
  assert.deepEqual(mean.y, [1, 0.7]);
  assert.equal((figure.layout.xaxis as { type: string }).type, 'log');
  assert.equal(trainingFigure(result).data.filter((t) => t.fill === undefined && t.mode !== 'markers').length, 6);
});

test('seed curve keeps epochs that only some seeds reached', () => {
  const curve = seedCurve([run('a', 1, 0, [0.2, 0.4, 0.6]).metrics, run('a', 1, 1, [0.4]).metrics], (line) => line.inDomainFraction);
  assert.deepEqual(curve.epochs, [1, 2, 3]);
  assert.deepEqual(curve.counts, [2, 1, 1]);
  assert.ok(Math.abs(curve.mean[0]! - 0.3) < 1e-12);
});

test('the x-axis buttons switch every trace between epochs and SGD steps (epoch x floor(32 / 8) = 4 steps an epoch)', () => {
  const result: FigureResult = { spec, scale: 'smoke', runs: [run('a', 16, 0, [1, 0.8]), run('a', 1 / 16, 0, [0, 0.3])] };
  const figure = fractionFigure(result);
  const menu = (figure.layout.updatemenus as { buttons: { label: string; args: [{ x: number[][] }, Record<string, string>] }[] }[])[0]!;
  assert.deepEqual(menu.buttons.map((b) => b.label), ['epochs', 'SGD steps']);
  const [epochs, steps] = menu.buttons.map((b) => b.args[0].x);
  assert.equal(epochs!.length, figure.data.length);
  assert.equal(steps!.length, figure.data.length);
  const first = figure.data.findIndex((t) => t.name === '16:1' && t.xaxis === 'x');
  assert.deepEqual(epochs![first], [1, 2]);
  assert.deepEqual(steps![first], [4, 8]);
  assert.equal(menu.buttons[1]!.args[1]['xaxis.title.text'], 'SGD step');
  const opened = fractionFigure(result, { xAxis: 'steps' });
  assert.deepEqual(opened.data[first]!.x, [4, 8], 'opened on steps');
});

test('runs that never fitted are dotted and named so; left-constant and fitted epochs get markers', () => {
  const fitted = run('a', 16, 0, [1, 0.6, 0.5], 0.5);
  fitted.metrics[2]!.trainAccuracy = 0.995; // fits at epoch 3 (>= 0.99); leaves the constant predictor at epoch 2 (0.6)
  const stuck = run('a', 1 / 16, 0, [0, 0, 0], 0.5); // never leaves, never fits
  const figure = fractionFigure({ spec, scale: 'smoke', runs: [fitted, stuck] });
  const stuckLine = figure.data.find((t) => t.xaxis === 'x' && t.mode === 'lines' && String(t.name).startsWith('1:16'))!;
  assert.equal(stuckLine.name, '1:16, did not fit');
  assert.equal((stuckLine.line as { dash?: string }).dash, 'dot');
  const fittedLine = figure.data.find((t) => t.xaxis === 'x' && t.name === '16:1')!;
  assert.equal((fittedLine.line as { dash?: string }).dash, undefined);
  const left = figure.data.find((t) => t.xaxis === 'x' && t.name === 'left the constant predictor')!;
  const fit = figure.data.find((t) => t.xaxis === 'x' && t.name === 'fitted its training data')!;
  assert.deepEqual([left.x, left.y], [[2], [0.6]]);
  assert.deepEqual([fit.x, fit.y], [[3], [0.5]]);
});
