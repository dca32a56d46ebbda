import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidSeedsError, UnknownScaleError, UnknownVariantError, expandRuns, formatWeight, parseSeeds } from '../../src/experiments/expand';
import { runId } from '../../src/experiments/runId';
import { toyGaussian } from '../../src/experiments/figures';
import type { FigureSpec } from '../../src/experiments/types';

test('a figure expands into variant x weight x seed runs', () => {
  const runs = expandRuns(toyGaussian, 'paper');
  const { seeds, classWeights } = toyGaussian.scales.paper;
  assert.equal(runs.length, toyGaussian.variants.length * classWeights!.length * seeds);
  assert.equal(new Set(runs.map((r) => JSON.stringify(r))).size, runs.length);
});

test('variant overrides replace the figure defaults, scale settings replace both', () => {
  const runs = expandRuns(toyGaussian, 'smoke');
  const linear = runs.find((r) => r.variant === 'linear')!;
  const mlpExp = runs.find((r) => r.variant === 'mlp-exp')!;
  assert.equal(linear.model.kind, 'linear');
  assert.equal(mlpExp.model.kind, 'mlp');
  assert.equal(mlpExp.loss.kind, 'exponential');
  assert.deepEqual(linear.data, { source: 'toy-gaussian', perClass: toyGaussian.scales.smoke.data!.perClass });
  assert.equal(linear.epochs, toyGaussian.scales.smoke.epochs);
});

test('a scale width applies to conv nets only', () => {
  const spec: FigureSpec = {
    ...toyGaussian,
    model: { kind: 'cnn', inChannels: 3, width: 1, dropout: 0 },
    variants: [{ id: 'cnn', label: 'cnn' }, { id: 'linear', label: 'linear', model: { kind: 'linear', inputSize: 2 } }],
    scales: { ...toyGaussian.scales, quick: { epochs: 2, seeds: 1, width: 0.25 } },
  };
  const runs = expandRuns(spec, 'quick');
  assert.deepEqual(runs.find((r) => r.variant === 'cnn')!.model, { kind: 'cnn', inChannels: 3, width: 0.25, dropout: 0 });
  assert.deepEqual(runs.find((r) => r.variant === 'linear')!.model, { kind: 'linear', inputSize: 2 });
});

test('a scale may run a subset of the variants, named by id; an unknown id is refused with the known ones', () => {
  const withVariants = (variants: readonly string[]): FigureSpec => ({ ...toyGaussian, scales: { ...toyGaussian.scales, quick: { epochs: 2, seeds: 1, variants } } });
  const runs = expandRuns(withVariants(['mlp-exp', 'linear']), 'quick');
  assert.deepEqual([...new Set(runs.map((r) => r.variant))], ['linear', 'mlp-exp'], 'the figure\'s order, not the setting\'s');
  assert.equal(runs.length, 2 * toyGaussian.classWeights.length);
  assert.throws(() => expandRuns(withVariants(['linear', 'svm']), 'quick'), (error: Error) => error instanceof UnknownVariantError && /\[linear, mlp, linear-exp, mlp-exp\]/.test(error.message));
  assert.throws(() => expandRuns(withVariants([]), 'quick'), UnknownVariantError);
});

test('weights print as the papers write them', () => {
  assert.equal(formatWeight(16), '16:1');
  assert.equal(formatWeight(1 / 256), '1:256');
  assert.equal(formatWeight(1), '1:1');
});

test('an unknown scale names the known ones', () => {
  assert.throws(() => expandRuns(toyGaussian, 'quik' as never), (error: unknown) => error instanceof UnknownScaleError && /smoke, quick, paper/.test(error.message));
});

test('k seeds override the scale: seeds 0..k-1, and a larger k keeps the smaller k\'s run ids', () => {
  const scaleSeeds = toyGaussian.scales.smoke.seeds;
  assert.equal(scaleSeeds, 1, 'this test assumes the toy smoke scale runs one seed');
  const one = expandRuns(toyGaussian, 'smoke');
  const three = expandRuns(toyGaussian, 'smoke', 3);
  assert.equal(three.length, 3 * one.length);
  assert.deepEqual([...new Set(three.map((run) => run.seed))], [0, 1, 2]);
  const threeIds = new Set(three.map(runId));
  assert.ok(one.map(runId).every((id) => threeIds.has(id)), 'raising k reuses the runs already stored');
  assert.deepEqual(expandRuns(toyGaussian, 'smoke', 1).map(runId), one.map(runId));
});

test('referenceSeeds gives the 1:1 runs more seeds than the others, and never fewer than k', () => {
  const spec = { ...toyGaussian, scales: { ...toyGaussian.scales, smoke: { ...toyGaussian.scales.smoke, referenceSeeds: 2 } } };
  const seedsOf = (runs: ReturnType<typeof expandRuns>, weight: number) => runs.filter((run) => run.variant === 'linear' && run.classWeight === weight).map((run) => run.seed);
  const runs = expandRuns(spec, 'smoke');
  assert.deepEqual(seedsOf(runs, 1), [0, 1]);
  assert.deepEqual(seedsOf(runs, 16), [0]);
  const three = expandRuns(spec, 'smoke', 3);
  assert.deepEqual(seedsOf(three, 1), [0, 1, 2]);
  assert.deepEqual(seedsOf(three, 16), [0, 1, 2]);
  const ids = new Set(three.map(runId));
  assert.ok(runs.map(runId).every((id) => ids.has(id)), 'a larger k reuses the reference seeds already stored');
});

test('seeds must be a positive integer; unset or empty means the scale\'s own count', () => {
  assert.equal(parseSeeds(undefined), undefined);
  assert.equal(parseSeeds(''), undefined);
  assert.equal(parseSeeds('  '), undefined);
  assert.equal(parseSeeds('3'), 3);
  assert.equal(parseSeeds(' 2 '), 2);
  assert.equal(parseSeeds(5), 5);
  for (const bad of ['0', '-1', '2.5', 'three', '1e400', 0, 1.5, Number.NaN]) {
    assert.throws(() => parseSeeds(bad), (error: unknown) => error instanceof InvalidSeedsError && /positive integer/.test(error.message) && /IWLAB_SEEDS/.test(error.message), String(bad));
  }
  assert.throws(() => expandRuns(toyGaussian, 'smoke', 0), InvalidSeedsError);
  assert.throws(() => expandRuns(toyGaussian, 'smoke', 2.5), InvalidSeedsError);
});

test('the deep figures evaluate every epoch at the paper scale only; log-spaced runs carry no cadence key (their ids never changed)', async () => {
  const { cifarCnn, toyGaussian: toy } = await import('../../src/experiments/figures');
  assert.ok(expandRuns(cifarCnn, 'paper').every((run) => run.evaluationCadence === 'every-epoch'));
  for (const scale of ['smoke', 'quick'] as const) assert.ok(expandRuns(cifarCnn, scale).every((run) => !('evaluationCadence' in run)), scale);
  assert.ok(expandRuns(toy, 'paper').every((run) => !('evaluationCadence' in run)), 'the toy figures keep log-spaced boundary evaluations');
});
