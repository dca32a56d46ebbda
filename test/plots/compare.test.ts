// The loss-comparison plot: losses side by side in shared panels, told apart by dash and named in the legend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandRuns } from '../../src/experiments/expand';
import { cifarCnn, polyLossCifar, polyLossToy, toyGaussian } from '../../src/experiments/figures';
import type { EpochMetrics, FigureResult, FigureSpec, RunConfig, RunResult } from '../../src/experiments/types';
import { LossComparisonError, lossComparisonFigure, lossName } from '../../src/plots/compare';
import { figurePlots } from '../../src/draw';

type Trace = Record<string, unknown> & { line?: { dash?: string }; y?: number[] };

/** Two epochs per run; every value encodes the run: offset = weight-ordered, poly runs 0.1 further out. */
function fakeRun(config: RunConfig): RunResult {
  const poly = config.loss.kind === 'polynomial' ? 0.1 : 0;
  const metrics = [1, 10].map(
    (epoch) =>
      ({
        epoch,
        classWeight: config.classWeight,
        seed: config.seed,
        variant: config.variant,
        trainLoss: 1,
        wallTime: 0,
        boundaryOffset: -Math.log(config.classWeight) / epoch + poly,
        modelMargin: 0.5,
        svmMargin: 1,
        inDomainFraction: 0.5 + poly,
        outOfDomainFraction: 0.25 + poly,
      }) as EpochMetrics,
  );
  return { runId: `${config.variant}-${config.classWeight}-${config.seed}`, config, status: 'done', metrics, snapshots: [] };
}

function fakeResult(spec: FigureSpec): FigureResult {
  return { spec, scale: 'paper', runs: expandRuns(spec, 'paper', 1).map(fakeRun) };
}

test('toy comparison: a row per model, offset and margin columns, cross entropy solid and the polynomial loss dashed in the same panels', () => {
  const figure = lossComparisonFigure(fakeResult(polyLossToy));
  const weights = polyLossToy.scales.paper.classWeights ?? polyLossToy.classWeights;
  assert.deepEqual(figure.layout.grid, { rows: 2, columns: 2, pattern: 'independent', xgap: 0.212, ygap: 0.138 });
  const traces = figure.data as Trace[];
  assert.equal(traces.length, 2 * 2 * 2 * weights.length); // models x columns x losses x weights, k = 1
  const firstPanel = traces.filter((t) => t.xaxis === 'x');
  assert.equal(firstPanel.length, 2 * weights.length, 'both losses share the panel');
  const solid = firstPanel.filter((t) => t.line?.dash === 'solid');
  const dashed = firstPanel.filter((t) => t.line?.dash === 'dash');
  assert.ok(solid.every((t) => String(t.name).endsWith(', cross entropy')) && solid.length === weights.length);
  assert.ok(dashed.every((t) => String(t.name).endsWith(', polynomial tail (alpha 1)')) && dashed.length === weights.length);
  // The values are the runs' own: the 16:1 polynomial offset is -ln 16 + 0.1 at epoch 1.
  const poly16 = dashed.find((t) => t.name === '16:1, polynomial tail (alpha 1)')!;
  assert.ok(Math.abs(poly16.y![0]! - (-Math.log(16) + 0.1)) < 1e-12);
  assert.deepEqual(traces.filter((t) => t.xaxis === 'x2').map((t) => t.y![0]), Array(2 * weights.length).fill(0.5), 'margin / SVM margin');
  // Each (weight, loss) is one legend entry, shown once although it appears in four panels.
  const legend = traces.filter((t) => t.showlegend).map((t) => t.name);
  assert.equal(legend.length, 2 * weights.length);
  assert.equal(new Set(legend).size, legend.length);
  const annotations = (figure.layout.annotations as { text: string }[]).map((a) => a.text);
  // Metrics over the top row, models beside their rows (long titles broken in two).
  assert.deepEqual(annotations, [
    '<b>boundary offset<br>(towards base class)</b>',
    '<b>linear model</b>',
    '<b>margin / SVM margin</b>',
    '<b>MLP (64 ReLU)</b>',
  ]);
  assert.equal((figure.layout.xaxis as { type: string }).type, 'log');
  // Dotted limits: offset 0 and margin ratio 1 in every row.
  assert.deepEqual((figure.layout.shapes as { y0: number }[]).map((s) => s.y0), [0, 1, 0, 1]);
});

test('CIFAR comparison: one CNN row with the in- and out-of-domain fractions, on a linear epoch axis when asked', () => {
  const figure = lossComparisonFigure(fakeResult(polyLossCifar), { logEpochs: false });
  assert.deepEqual(figure.layout.grid, { rows: 1, columns: 2, pattern: 'independent', xgap: 0.212, ygap: 0.138 });
  const traces = figure.data as Trace[];
  assert.equal(traces.length, 3 * 2 * polyLossCifar.classWeights.length); // cross entropy, alpha 2, alpha 1
  const outOfDomainPoly = traces.filter((t) => t.xaxis === 'x2' && t.line?.dash === 'dash');
  assert.ok(outOfDomainPoly.every((t) => Math.abs(t.y![0]! - 0.35) < 1e-12 && String(t.name).endsWith('polynomial tail (alpha 2)')));
  assert.equal((figure.layout.xaxis as { type: string }).type, 'linear');
  assert.match((figure.layout.title as { text: string }).text, /^cross entropy vs polynomial tail \(alpha 2 and 1\),<br>under the same class weights/);
});

test('any figure whose variants differ in their loss compares: the toy figure puts the exponential loss beside cross entropy', () => {
  const figure = lossComparisonFigure(fakeResult(toyGaussian));
  const names = new Set((figure.data as Trace[]).map((t) => String(t.name).split(', ')[1]));
  assert.deepEqual([...names].sort(), ['cross entropy', 'exponential loss']);
});

test('a figure with one loss, or two variants of one model and loss, is refused with the reason', () => {
  assert.throws(() => lossComparisonFigure(fakeResult(cifarCnn)), (error: unknown) => error instanceof LossComparisonError && /one loss only/.test(error.message));
  const clashing: FigureSpec = {
    ...polyLossCifar,
    variants: [...polyLossCifar.variants, { id: 'cross-entropy-again', label: 'CNN, cross entropy again', optimizer: { learningRate: 0.05 } }],
  };
  assert.throws(() => lossComparisonFigure(fakeResult(clashing)), (error: unknown) => error instanceof LossComparisonError && /'cross-entropy-again'/.test(error.message));
});

test('loss names give alpha, and beta when it is not the default 1', () => {
  assert.equal(lossName({ kind: 'polynomial', alpha: 2, beta: 1, reduction: 'weights' }), 'polynomial tail (alpha 2)');
  assert.equal(lossName({ kind: 'polynomial', alpha: 0.5, beta: 3, reduction: 'weights' }), 'polynomial tail (alpha 0.5, beta 3)');
  assert.equal(lossName({ kind: 'cross-entropy', reduction: 'count' }), 'cross entropy');
});

test('figurePlots (the CLI and report view) leads with the loss comparison for the polynomial-loss figures only', () => {
  const poly = figurePlots(fakeResult(polyLossCifar));
  assert.equal(poly.length, 4, 'comparison + fractions (linear and log epochs) + training');
  assert.deepEqual(poly[0], lossComparisonFigure(fakeResult(polyLossCifar)));
  assert.equal(figurePlots(fakeResult(cifarCnn)).length, 3);
  const toy = figurePlots(fakeResult(polyLossToy));
  assert.deepEqual(toy[0], lossComparisonFigure(fakeResult(polyLossToy)));
  assert.equal(toy.length, figurePlots(fakeResult(toyGaussian)).length + 1, 'toy-gaussian mixes cross entropy and the exponential loss at other learning rates: no comparison');
});
