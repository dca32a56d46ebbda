import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toyGaussian } from '../../src/experiments/figures';
import { toyBoundaries } from '../../src/experiments/toyGeometry';
import type { EpochMetrics, FigureResult, RunConfig, RunResult } from '../../src/experiments/types';
import { seedRange, seedsNote, seedTraces, withAlpha } from '../../src/plots/bands';
import { fractionFigure, trainingFigure } from '../../src/plots/fractions';
import { implicitBiasFigure } from '../../src/plots/implicitBias';
import { toyBoundaryFigure, toyTrajectoryFigure } from '../../src/plots/toy';
import type { PlotlyFigure } from '../../src/plots/types';

/** A run whose every plotted metric at epoch i + 1 is values[i] (fractions, loss, accuracy, boundary, margins). */
function run(classWeight: number, seed: number, values: number[]): RunResult {
  const config = { variant: 'linear', classWeight, seed, data: { source: 'toy-gaussian', perClass: 16 }, optimizer: { kind: 'sgd', learningRate: 1, batchSize: 8, weightDecay: 0 } } as RunConfig;
  const metrics = values.map(
    (v, i) =>
      ({
        epoch: i + 1,
        classWeight,
        seed,
        variant: 'linear',
        trainLoss: v,
        trainAccuracy: v,
        wallTime: 0,
        inDomainFraction: v,
        outOfDomainFraction: v,
        boundaryOffset: v,
        boundaryAngle: v,
        maxMarginAngle: v,
        modelMargin: v,
        svmMargin: 1,
      }) as EpochMetrics,
  );
  return { runId: `${classWeight}-${seed}`, config, status: 'done', metrics, snapshots: [] };
}

const spec = { ...toyGaussian, variants: [{ id: 'linear', label: 'linear' }] };
/** Two weights (16 and 1:1), k seeds each; seed s adds 0.2 s to every value. */
function result(k: number): FigureResult {
  const runs = [16, 1].flatMap((weight) => Array.from({ length: k }, (_, seed) => run(weight, seed, [0.6 + 0.2 * seed, 0.5 + 0.2 * seed])));
  return { spec, scale: 'smoke', runs };
}

const PLOTS: [string, (r: FigureResult) => PlotlyFigure, number][] = [
  // name, plot, panels (each with one curve per weight)
  ['fractions', (r) => fractionFigure(r), 2],
  ['training', (r) => trainingFigure(r), 2],
  ['toy trajectories', (r) => toyTrajectoryFigure(r), 2],
  ['implicit bias', (r) => implicitBiasFigure(r), 2],
];

const bands = (figure: PlotlyFigure) => figure.data.filter((trace) => trace.fill === 'toself');
// Curves only: the fraction and training plots add marker-only traces (left constant, fitted).
const lines = (figure: PlotlyFigure) => figure.data.filter((trace) => trace.fill === undefined && trace.mode !== 'markers');
const title = (figure: PlotlyFigure) => (figure.layout.title as { text: string }).text;

for (const [name, plot, panels] of PLOTS) {
  test(`${name}: k > 1 draws the mean and a 95% t-interval band per curve, and the title says k`, () => {
    const figure = plot(result(2));
    assert.equal(lines(figure).length, 2 * panels);
    assert.equal(bands(figure).length, 2 * panels);
    assert.match(title(figure), /k = 2 seeds, bands: 95% t-interval of the mean/);
    // Seeds 0 and 1 hold 0.6 and 0.8 at epoch 1: mean 0.7, standard error 0.1, t(1) = 12.706.
    const band = bands(figure)[0]!;
    const [high] = band.y as number[];
    const low = (band.y as number[]).at(-1)!;
    assert.ok(Math.abs(high - (0.7 + 12.706 * 0.1)) < 1e-9, `high ${high}`);
    assert.ok(Math.abs(low - (0.7 - 12.706 * 0.1)) < 1e-9, `low ${low}`);
    assert.deepEqual(band.x, [1, 2, 2, 1]);
    const mean = lines(figure)[0]!;
    assert.ok(Math.abs((mean.y as number[])[0]! - 0.7) < 1e-12);
    assert.equal(band.legendgroup, mean.legendgroup, 'the band toggles with its line');
    for (const trace of bands(figure)) assert.match(String(trace.fillcolor), /^rgba\(\d+, \d+, \d+, 0\.15\)$/);
  });

  test(`${name}: k = 1 draws plain lines and the title says one seed`, () => {
    const figure = plot(result(1));
    assert.equal(lines(figure).length, 2 * panels);
    assert.equal(bands(figure).length, 0);
    assert.match(title(figure), /k = 1 seed(?!s)/);
    assert.doesNotMatch(title(figure), /t-interval/);
  });
}

test('the toy boundary figure says it draws seed 0 of k', () => {
  assert.match(title(toyBoundaryFigure(result(3), toyBoundaries(result(3)))), /seed 0 of k = 3/);
});

test('bands take the line colour at low opacity, hex (the 1:1 weight) or rgb', () => {
  assert.equal(withAlpha('#111111', 0.15), 'rgba(17, 17, 17, 0.15)');
  assert.equal(withAlpha('rgb(214, 39, 40)', 0.15), 'rgba(214, 39, 40, 0.15)');
  assert.throws(() => withAlpha('red', 0.1), /#rrggbb/);
  assert.equal(seedsNote(1), 'k = 1 seed');
  assert.equal(seedsNote(5), 'k = 5 seeds, bands: 95% t-interval of the mean');
  assert.equal(seedsNote(1, 2), 'k = 1 seed (2 at 1:1), bands: 95% t-interval of the mean where k > 1');
});

test('a curve that has several seeds only at some epochs still gets its band; an empty curve gives no traces', () => {
  const style = { xaxis: 'x', yaxis: 'y', color: '#111111', name: '1:1', legendgroup: '1', showlegend: true };
  const traces = seedTraces({ epochs: [1, 2], mean: [0.5, 0.4], low: [0.3, 0.4], high: [0.7, 0.4], counts: [2, 1] }, style);
  assert.deepEqual(traces.map((trace) => trace.fill ?? 'line'), ['toself', 'line']);
  assert.deepEqual(seedTraces({ epochs: [], mean: [], low: [], high: [], counts: [] }, style), []);
});

test('a title says when the 1:1 runs have more seeds than the other weights', () => {
  const mixed: FigureResult = { spec, scale: 'smoke', runs: [run(16, 0, [0.6]), run(1, 0, [0.5]), run(1, 1, [0.7])] };
  assert.deepEqual(seedRange(mixed), { fewest: 1, most: 2 });
  assert.match(title(fractionFigure(mixed)), /k = 1 seed \(2 at 1:1\)/);
  assert.deepEqual(seedRange(result(3)), { fewest: 3, most: 3 });
  assert.match(title(fractionFigure(result(3))), /k = 3 seeds, bands/);
});
