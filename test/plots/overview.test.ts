import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cifarCnn, toyGaussian } from '../../src/experiments/figures';
import type { EpochMetrics, FigureResult, FigureSpec, RunConfig, RunResult } from '../../src/experiments/types';
import { OVERVIEW_COLUMNS, overviewFigure, overviewSkipped, overviewTable, spreadCurves } from '../../src/plots/overview';

/** A run whose metrics line i (epoch i + 1) holds values[i] as every measure the overview reads. */
function run(figure: string, variant: string, classWeight: number, seed: number, values: number[], scaleOut = 0.5): RunResult {
  const config = { figure, variant, classWeight, seed } as RunConfig;
  const metrics = values.map(
    (value, i) =>
      ({ epoch: i + 1, classWeight, seed, variant, trainLoss: 1, trainAccuracy: 1, wallTime: 0, inDomainFraction: value, outOfDomainFraction: value * scaleOut, boundaryOffset: value }) as EpochMetrics,
  );
  return { runId: `${figure}-${variant}-${classWeight}-${seed}`, config, status: 'done', metrics, snapshots: [] };
}

const fading: FigureSpec = { ...cifarCnn, id: 'fading', variants: [{ id: 'cnn', label: 'CNN' }] };
const twoVariants: FigureSpec = { ...cifarCnn, id: 'two', variants: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }] };

test('the spread is max minus min over weights of the seed means, epoch by epoch', () => {
  const result: FigureResult = {
    spec: fading,
    scale: 'smoke',
    runs: [
      // weight 16: seeds 0 and 1, means 0.9, 0.7, 0.5
      run('fading', 'cnn', 16, 0, [1, 0.8, 0.6]),
      run('fading', 'cnn', 16, 1, [0.8, 0.6, 0.4]),
      run('fading', 'cnn', 1, 0, [0.5, 0.5, 0.5]),
      run('fading', 'cnn', 1 / 16, 0, [0.1, 0.3, 0.45]),
    ],
  };
  const curves = spreadCurves([result]);
  assert.deepEqual(curves.map((c) => c.measure), ['outOfDomainFraction', 'inDomainFraction']);
  const inDomain = curves.find((c) => c.measure === 'inDomainFraction')!;
  assert.deepEqual(inDomain.epochs, [1, 2, 3]);
  const expected = [0.9 - 0.1, 0.7 - 0.3, 0.5 - 0.45];
  inDomain.spread.forEach((value, i) => assert.ok(Math.abs(value - expected[i]!) < 1e-12, `epoch ${i + 1}: ${value} vs ${expected[i]}`));
  const outOfDomain = curves.find((c) => c.measure === 'outOfDomainFraction')!;
  outOfDomain.spread.forEach((value, i) => assert.ok(Math.abs(value - expected[i]! / 2) < 1e-12));
  assert.equal(inDomain.weights, 3);
  assert.equal(inDomain.seeds, 2);
});

test('an epoch some weight has not reached is left out; one weight alone has no spread', () => {
  const result: FigureResult = {
    spec: twoVariants,
    scale: 'smoke',
    runs: [
      run('two', 'a', 16, 0, [0.9, 0.8, 0.7, 0.6]),
      run('two', 'a', 1 / 16, 0, [0.1, 0.2]), // partial: two epochs
      run('two', 'b', 16, 0, [0.9, 0.8]),
    ],
  };
  const curves = spreadCurves([result]);
  assert.deepEqual(curves.map((c) => `${c.variant}/${c.measure}`), ['a/outOfDomainFraction', 'a/inDomainFraction']);
  assert.deepEqual(curves[1]!.epochs, [1, 2]);
  assert.ok(Math.abs(curves[1]!.spread[1]! - 0.6) < 1e-12);
});

test('toy figures give boundary-offset spreads in their own panel; figures with neither evaluation are skipped', () => {
  const toy: FigureResult = { spec: { ...toyGaussian, variants: [{ id: 'linear', label: 'linear' }] }, scale: 'smoke', runs: [run('toy-gaussian', 'linear', 16, 0, [1, 0.5]), run('toy-gaussian', 'linear', 1 / 16, 0, [-1, -0.25])] };
  const marginOnly: FigureResult = { spec: { ...toyGaussian, id: 'margins', evaluations: ['max-margin'] }, scale: 'smoke', runs: [run('margins', 'linear', 16, 0, [1])] };
  const empty: FigureResult = { spec: fading, scale: 'smoke', runs: [] };
  const fractions: FigureResult = { spec: fading, scale: 'smoke', runs: [run('fading', 'cnn', 16, 0, [0.8]), run('fading', 'cnn', 1, 0, [0.5])] };

  const curves = spreadCurves([toy, marginOnly, empty]);
  assert.deepEqual(curves.map((c) => [c.figure, c.measure, c.spread]), [['toy-gaussian', 'boundaryOffset', [2, 0.75]]]);
  assert.deepEqual(overviewSkipped([toy, marginOnly, empty]), [
    { figure: 'margins', reason: 'no fractions or boundary evaluation (evaluates max-margin)' },
    { figure: 'fading', reason: 'nothing stored at smoke scale' },
  ]);

  const figure = overviewFigure([fractions, toy, marginOnly]);
  const annotations = (figure.layout.annotations as { text: string }[]).map((a) => a.text);
  assert.deepEqual(annotations, ['<b>out-of-domain<br>base-class fraction</b>', '<b>in-domain<br>base-class fraction</b>', '<b>toy figures: boundary<br>offset (input units)</b>']);
  assert.deepEqual(figure.data.map((trace) => [trace.name, trace.xaxis]), [['fading', 'x'], ['fading', 'x2'], ['toy-gaussian', 'x3']]);
  assert.deepEqual(figure.data.map((trace) => trace.showlegend), [true, false, true], 'one legend entry per figure/variant');
  for (const axis of ['xaxis', 'xaxis2', 'xaxis3']) assert.equal((figure.layout[axis] as { type: string }).type, 'log');

  // Without toy curves there is no third panel.
  assert.equal((overviewFigure([fractions]).layout.grid as { columns: number }).columns, 2);
});

test('overview table: spread at the first and last stored epoch per figure, variant and measure; empty when nothing is stored', () => {
  const result: FigureResult = {
    spec: twoVariants,
    scale: 'quick',
    runs: [run('two', 'a', 16, 0, [0.9, 0.7, 0.55]), run('two', 'a', 1, 0, [0.5, 0.5, 0.5]), run('two', 'b', 16, 0, [1, 1]), run('two', 'b', 1 / 16, 0, [0, 0.2])],
  };
  const table = overviewTable([result]);
  assert.deepEqual(table.columns, [...OVERVIEW_COLUMNS]);
  assert.deepEqual(table.values, [
    ['two', 'a', 'out-of-domain fraction', 1, 2, 1, 0.2, 3, 0.025],
    ['two', 'b', 'out-of-domain fraction', 1, 2, 1, 0.5, 2, 0.4],
    ['two', 'a', 'in-domain fraction', 1, 2, 1, 0.4, 3, 0.05],
    ['two', 'b', 'in-domain fraction', 1, 2, 1, 1, 2, 0.8],
  ]);
  const empty = overviewTable([{ spec: twoVariants, scale: 'quick', runs: [] }]);
  assert.deepEqual(empty.shape, [0, OVERVIEW_COLUMNS.length]);
  const emptyFigure = overviewFigure([{ spec: twoVariants, scale: 'quick', runs: [] }]);
  assert.equal(emptyFigure.data.length, 0);
  assert.ok((emptyFigure.layout.annotations as { text: string }[]).some((a) => /No stored results at quick scale/.test(a.text)));
});

test('the overview effect table lists every figure and variant with its verdict, and says when there is no 1:1 run', async () => {
  const { overviewEffectTable } = await import('../../src/plots/overview');
  const { expandRuns } = await import('../../src/experiments/expand');
  const { cifarCnn } = await import('../../src/experiments/figures');
  const lineAt = (epoch: number, classWeight: number, seed: number, f: number) =>
    ({ epoch, classWeight, seed, variant: 'cnn', trainLoss: 1, wallTime: 0, trainAccuracy: 1, inDomainFraction: f, outOfDomainFraction: f }) as EpochMetrics;
  const base = expandRuns(cifarCnn, 'quick')[0]!;
  const make = (classWeight: number, seed: number, f: number) => ({ runId: `${classWeight}-${seed}`, config: { ...base, classWeight, seed }, status: 'done' as const, metrics: [lineAt(1, classWeight, seed, f)], snapshots: [] });
  const withReference: FigureResult = { spec: cifarCnn, scale: 'quick', runs: [make(4, 0, 0.7), make(1, 0, 0.5), make(1, 1, 0.55)] };
  const without: FigureResult = { spec: { ...cifarCnn, id: 'no-reference' }, scale: 'quick', runs: [make(4, 0, 0.7), make(1 / 4, 0, 0.3)] };
  const table = overviewEffectTable([withReference, without]);
  const rows = (table.values as (string | number)[][]).map((cells) => Object.fromEntries(table.columns.map((c, i) => [c, cells[i]])));
  const first = rows.find((r) => r.figure === 'cifar-cnn' && r.measure === 'in-domain fraction' && r.at === 'last')!;
  assert.equal(first.effect, 0.175); // 0.7 - (0.5 + 0.55) / 2
  assert.equal(first['noise floor'], 0.05);
  assert.equal(first.verdict, 'outside the noise');
  assert.ok(rows.filter((r) => r.figure === 'no-reference').every((r) => r.verdict === 'no 1:1 run' && r.effect === ''));
});
