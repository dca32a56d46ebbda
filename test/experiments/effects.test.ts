import { test } from 'node:test';
import assert from 'node:assert/strict';
import { effectEpochs, effectRows } from '../../src/experiments/effects';
import { runMilestones } from '../../src/experiments/milestones';
import { expandRuns } from '../../src/experiments/expand';
import { cifarCnn } from '../../src/experiments/figures';
import type { EpochMetrics, FigureResult, RunConfig, RunResult } from '../../src/experiments/types';
import { effectFigure, effectTable, milestoneTable } from '../../src/plots/effects';

// The fixtures count steps on 100 + 100 images (12 an epoch), whatever the registry's quick sizes are.
const onSmallSet = (config: RunConfig): RunConfig => ({ ...config, data: { ...config.data, perClass: 100 } });
const base = onSmallSet(expandRuns(cifarCnn, 'quick')[0]!);
const spec = { ...cifarCnn, classWeights: [4, 1, 1 / 4] };

/** A run whose in-domain fraction at epochs 1, 2, 3 is `fractions` (out of domain: half of it), fitted from epoch 2. */
function run(classWeight: number, seed: number, fractions: number[]): RunResult {
  const config: RunConfig = { ...base, classWeight, seed };
  const metrics = fractions.map(
    (f, i) => ({ epoch: i + 1, classWeight, seed, variant: 'cnn', trainLoss: 1, wallTime: 0, trainAccuracy: i === 0 ? 0.5 : 1, inDomainFraction: f, outOfDomainFraction: f / 2 }) as EpochMetrics,
  );
  return { runId: `${classWeight}-${seed}`, config, status: 'done', metrics, snapshots: [] };
}

const inDomain = (rows: ReturnType<typeof effectRows>, moment: string, weight: number) => rows.find((r) => r.measure === 'inDomainFraction' && r.moment === moment && r.classWeight === weight)!;

test('effect = seed mean minus the 1:1 seed mean; noise floor = the range of the two 1:1 seeds (worked by hand)', () => {
  const result: FigureResult = {
    spec,
    scale: 'quick',
    runs: [
      run(4, 0, [1, 0.8, 0.62]), run(4, 1, [1, 0.7, 0.58]), // 4:1 leaves the constant predictor at epoch 2
      run(1, 0, [0.5, 0.52, 0.5]), run(1, 1, [0.4, 0.46, 0.54]),
      run(1 / 4, 0, [0, 0, 0.45]), run(1 / 4, 1, [0, 0.3, 0.47]), // seed 0 of 1:4 leaves only at epoch 3
    ],
  };
  const rows = effectRows(result);
  assert.deepEqual(effectEpochs(result.runs, 'inDomainFraction'), { 'left constant': 3, last: 3 });
  // At epoch 3: 4:1 mean 0.60, 1:1 mean 0.52 (seeds 0.50 and 0.54), 1:4 mean 0.46.
  const up = inDomain(rows, 'last', 4);
  assert.ok(Math.abs(up.effect! - 0.08) < 1e-12, `effect ${up.effect}`);
  assert.ok(Math.abs(up.noiseFloor! - 0.04) < 1e-12, `floor ${up.noiseFloor}`);
  assert.equal(up.verdict, 'outside the noise');
  const down = inDomain(rows, 'last', 1 / 4);
  assert.ok(Math.abs(down.effect! + 0.06) < 1e-12);
  assert.equal(down.verdict, 'outside the noise');
  assert.equal(up.step, 36, 'epoch 3 x 12 steps');
  assert.equal(up.seeds, 2);
  assert.equal(up.referenceSeeds, 2);
  // Out of domain everything is halved: effect 0.04 against a floor of 0.02.
  const outside = rows.find((r) => r.measure === 'outOfDomainFraction' && r.moment === 'last' && r.classWeight === 4)!;
  assert.ok(Math.abs(outside.effect! - 0.04) < 1e-12 && Math.abs(outside.noiseFloor! - 0.02) < 1e-12);

  // A smaller effect than the 1:1 seeds' range is within the noise.
  const faded = effectRows({ ...result, runs: result.runs.map((r) => (r.config.classWeight === 4 ? run(4, r.config.seed, [1, 0.8, 0.53]) : r)) });
  assert.equal(inDomain(faded, 'last', 4).verdict, 'within the noise');
});

test('no 1:1 run, one 1:1 seed, or a net that never leaves the constant predictor: said plainly, no number made up', () => {
  const noReference = effectRows({ spec, scale: 'quick', runs: [run(4, 0, [1, 0.6]), run(1 / 4, 0, [0, 0.4])] });
  assert.ok(noReference.every((row) => row.verdict === 'no 1:1 run' && row.effect === undefined && row.noiseFloor === undefined));
  const oneSeed = effectRows({ spec, scale: 'quick', runs: [run(4, 0, [1, 0.6]), run(1, 0, [0.5, 0.5])] });
  const row = inDomain(oneSeed, 'last', 4);
  assert.equal(row.verdict, 'one 1:1 seed: no noise floor');
  assert.ok(Math.abs(row.effect! - 0.1) < 1e-12, 'the effect itself is measured');
  assert.equal(row.noiseFloor, undefined);
  const stuck = effectRows({ spec, scale: 'quick', runs: [run(4, 0, [1, 1]), run(1, 0, [0.5, 0.5]), run(1, 1, [0.4, 0.5])] });
  assert.equal(inDomain(stuck, 'left constant', 4).verdict, 'a net never left the constant predictor');
  assert.equal(inDomain(stuck, 'left constant', 4).epoch, undefined);
  assert.equal(inDomain(stuck, 'last', 4).verdict, 'outside the noise');
  // A run that never fits (training accuracy 0.5 throughout), here at 1:1: measured, but no verdict.
  const unfitted = (r: RunResult): RunResult => ({ ...r, metrics: r.metrics.map((line) => ({ ...line, trainAccuracy: 0.5 })) });
  const neverFits = effectRows({ spec, scale: 'quick', runs: [run(4, 0, [1, 0.8, 0.62]), run(1, 0, [0.5, 0.52, 0.5]), unfitted(run(1, 1, [0.4, 0.46, 0.54]))] });
  const notFitted = inDomain(neverFits, 'last', 4);
  assert.equal(notFitted.verdict, 'a run did not fit');
  assert.ok(Math.abs(notFitted.effect! - 0.1) < 1e-12 && Math.abs(notFitted.noiseFloor! - 0.04) < 1e-12, 'the numbers are still given');

  // A 1:4 run that fitted (from epoch 2) and collapsed by epoch 3 (training accuracy 0.502, 1.2% dog): measured, but no verdict.
  const collapsed = (r: RunResult): RunResult => ({ ...r, metrics: r.metrics.map((line) => (line.epoch === 3 ? { ...line, trainAccuracy: 0.502 } : line)) });
  const fallsBack = effectRows({ spec, scale: 'quick', runs: [run(4, 0, [1, 0.8, 0.62]), run(1, 0, [0.5, 0.52, 0.5]), run(1, 1, [0.4, 0.46, 0.54]), collapsed(run(1 / 4, 0, [0, 0.3, 0.012]))] });
  assert.equal(inDomain(fallsBack, 'last', 1 / 4).verdict, 'a run fell back to the constant predictor');
  assert.ok(Math.abs(inDomain(fallsBack, 'last', 1 / 4).effect! + 0.508) < 1e-12, 'the numbers are still given');
  assert.equal(inDomain(fallsBack, 'last', 4).verdict, 'outside the noise', "the other weights' rows keep their verdicts");
  assert.equal(runMilestones(collapsed(run(1 / 4, 0, [0, 0.3, 0.012]))).fellBackEpoch, 3);
  assert.equal(runMilestones(run(1 / 4, 0, [0, 0.3, 0.012])).fellBackEpoch, undefined, 'a low fraction alone is not a fall-back: the net still fits');

  // A run that diverged at epoch 2 is left out: the others are still read at their last epoch, 3.
  const diverged: RunResult = { ...run(4, 1, [1, 0.9]), status: 'failed', error: 'Training diverged at epoch 3 (loss NaN).' };
  const withFailed = effectRows({ spec, scale: 'quick', runs: [run(4, 0, [1, 0.8, 0.62]), diverged, run(1, 0, [0.5, 0.52, 0.5]), run(1, 1, [0.4, 0.46, 0.54])] });
  assert.equal(inDomain(withFailed, 'last', 4).epoch, 3);
  assert.equal(inDomain(withFailed, 'last', 4).seeds, 1);

  const table = effectTable({ spec, scale: 'quick', runs: [run(4, 0, [1, 0.6]), run(1, 0, [0.5, 0.5])] });
  const values = table.values as (string | number)[][];
  const floorColumn = table.columns.indexOf('noise floor');
  assert.ok(values.every((cells) => cells[floorColumn] === ''), 'a floor not measured is a blank');
});

test('the effect figure draws the effects per moment, a band for the floor, and the milestone table flags runs that did not fit', () => {
  const result: FigureResult = { spec, scale: 'quick', runs: [run(4, 0, [1, 0.8, 0.62]), run(1, 0, [0.5, 0.52, 0.5]), run(1, 1, [0.4, 0.46, 0.54]), run(1 / 4, 0, [0, 0.3, 0.47])] };
  const figure = effectFigure(result);
  const last = figure.data.find((t) => t.xaxis === 'x' && t.legendgroup === 'last')!;
  assert.deepEqual(last.x, [4, 1 / 4]);
  assert.equal((figure.layout.shapes as unknown[]).length > 0, true);
  const stuck = { ...run(1 / 4, 1, [0, 0, 0]) };
  stuck.metrics = stuck.metrics.map((l) => ({ ...l, trainAccuracy: 0.5 }));
  const table = milestoneTable({ ...result, runs: [...result.runs, stuck] });
  const fitted = (table.column('fitted').values as string[]);
  assert.deepEqual(fitted, ['yes', 'yes', 'yes', 'yes', 'did not fit']);
  assert.equal((table.column('left constant step').values as (number | string)[])[0], 24, 'epoch 2 x 12 steps');
});

test('a sub-sampled weight is compared with 1:1 at equal SGD steps, not at equal epochs', async () => {
  const { subsampling } = await import('../../src/experiments/figures');
  const configs = expandRuns(subsampling, 'quick').filter((config) => config.variant === 'subsampled');
  // 1:1 takes 12 steps an epoch (200 images), sub-sampled to 1/4 takes 7 (125 images).
  const make = (classWeight: number, seed: number, values: Record<number, number>): RunResult => {
    const config = { ...onSmallSet(configs.find((c) => c.classWeight === classWeight)!), seed };
    const metrics = Object.entries(values).map(([epoch, f]) => ({ epoch: Number(epoch), classWeight, seed, variant: 'subsampled', trainLoss: 1, wallTime: 0, trainAccuracy: 1, inDomainFraction: f, outOfDomainFraction: f }) as EpochMetrics);
    return { runId: `${classWeight}-${seed}`, config, status: 'done', metrics, snapshots: [] };
  };
  const runs = [
    make(1, 0, { 1: 0.5, 5: 0.52, 7: 0.6, 12: 0.7 }), make(1, 1, { 1: 0.5, 5: 0.5, 7: 0.64, 12: 0.8 }),
    make(1 / 4, 0, { 1: 0.3, 5: 0.3, 7: 0.3, 12: 0.2 }),
  ];
  const rows = effectRows({ spec: subsampling, scale: 'quick', runs });
  const last = rows.find((r) => r.variant === 'subsampled' && r.measure === 'inDomainFraction' && r.moment === 'last')!;
  // Epoch 12 of the 1/4 run is 84 steps; the 1:1 epoch with the most steps not beyond 84 is 7 (84 steps).
  assert.equal(last.step, 84);
  assert.equal(last.referenceEpoch, 7);
  assert.ok(Math.abs(last.effect! - (0.2 - 0.62)) < 1e-12);
  assert.ok(Math.abs(last.noiseFloor! - 0.04) < 1e-12);
});
