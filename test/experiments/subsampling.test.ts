// The sub-sampling figures: a class weight realised by keeping a fraction of the base class, resolved at expand time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadFigureData } from '../../src/data/index';
import { SubsamplingWeightError, expandRuns, formatFraction, runLabel } from '../../src/experiments/expand';
import { FIGURES, cifarCnn, subsampling, subsamplingToy, toyGaussian } from '../../src/experiments/figures';
import { runId } from '../../src/experiments/runId';
import { SCALES, type FigureSpec, type RunConfig } from '../../src/experiments/types';
import { lossClassWeights, trainerConfig } from '../../src/experiments/trainRun';
import { train } from '../../src/train/trainer';

const LOSS_WEIGHTED_KEYS = ['classWeight', 'data', 'epochs', 'evaluations', 'figure', 'loss', 'model', 'optimizer', 'scale', 'seed', 'snapshotEpochs', 'variant'];

test('a sub-sampling run keeps the weight as a base-class fraction and drops it from the loss', () => {
  const runs = expandRuns(subsampling, 'quick');
  const weights = subsampling.scales.quick.classWeights!;
  assert.equal(runs.length, 2 * (weights.length + 1), 'weight 1, the noise floor, has two seeds in each variant');
  for (const weight of weights) {
    const weighted = runs.find((r) => r.variant === 'weighted' && r.classWeight === weight && r.seed === 0)!;
    const subsampled = runs.find((r) => r.variant === 'subsampled' && r.classWeight === weight && r.seed === 0)!;
    assert.equal(subsampled.weighting, 'subsample');
    assert.equal(subsampled.data.baseClassFraction, weight);
    assert.deepEqual(lossClassWeights(subsampled), [1, 1]);
    assert.deepEqual(lossClassWeights(weighted), [1, weight]);
    // Everything else is the weighted twin's.
    assert.deepEqual({ ...subsampled, variant: 'weighted', weighting: undefined, data: { ...subsampled.data, baseClassFraction: undefined } }, { ...weighted, weighting: undefined, data: { ...weighted.data, baseClassFraction: undefined } });
    assert.notEqual(runId(subsampled), runId(weighted));
  }
});

test('loss-weighted runs carry no weighting or fraction, so their configs and ids are what they were', () => {
  for (const figure of FIGURES) {
    for (const scale of SCALES) {
      for (const config of expandRuns(figure, scale)) {
        if (figure.variants.find((v) => v.id === config.variant)!.weighting !== undefined) continue;
        // The one key added since: the deep figures' paper scale evaluates every epoch (issue 13); log-spaced runs omit it.
        const expected = config.evaluationCadence === undefined ? LOSS_WEIGHTED_KEYS : [...LOSS_WEIGHTED_KEYS, 'evaluationCadence'].sort();
        if (config.evaluationCadence !== undefined) assert.equal(scale, 'paper', `${figure.id}/${scale}: only the paper scale sets a cadence`);
        assert.deepEqual(Object.keys(config).sort(), expected, `${figure.id}/${scale}/${config.variant}`);
        assert.equal(config.data.baseClassFraction, undefined, `${figure.id}/${scale}/${config.variant}`);
      }
    }
  }
  // The same settings without the sub-sampling variant give the same ids: the field changes nothing else.
  const weightedOnly: FigureSpec = { ...subsampling, variants: [subsampling.variants[0]!] };
  assert.deepEqual(
    expandRuns(weightedOnly, 'smoke').map(runId),
    expandRuns(subsampling, 'smoke').filter((r) => r.weighting === undefined).map(runId),
  );
});

test('a weight above 1 cannot be sub-sampled: expandRuns says so and names the fix', () => {
  const spec: FigureSpec = { ...subsampling, classWeights: [4, 1, 1 / 4] };
  assert.throws(
    () => expandRuns(spec, 'paper'),
    (error: unknown) => error instanceof SubsamplingWeightError && /class weight 4/.test(error.message) && /weights <= 1/.test(error.message) && /'subsampled'/.test(error.message),
  );
  assert.throws(() => expandRuns({ ...subsamplingToy, classWeights: [0] }, 'quick'), SubsamplingWeightError);
  // The loss-weighted variant alone takes any weight.
  assert.equal(expandRuns({ ...spec, variants: [subsampling.variants[0]!] }, 'paper').length, 3);
});

test('a sub-sampling variant refuses a baseClassFraction of its own', () => {
  const spec: FigureSpec = { ...subsampling, data: { source: 'cifar10', classes: ['dog', 'cat'], baseClassFraction: 0.5 } };
  assert.throws(() => expandRuns(spec, 'smoke'), (error: unknown) => error instanceof SubsamplingWeightError && /remove baseClassFraction/.test(error.message));
});

test('registry: every figure expands at every scale; the sub-sampling figures take the shared scales', () => {
  for (const figure of FIGURES) for (const scale of SCALES) assert.doesNotThrow(() => expandRuns(figure, scale), `${figure.id}/${scale}`);
  // subsampling runs at the deep figures' smoke and quick sizes (deepSmoke; variantQuick, one seed and two at
  // weight 1), with its own weights.
  const withoutWeights = ({ classWeights: _weights, ...rest }: FigureSpec['scales']['quick']) => rest;
  assert.deepEqual(withoutWeights(subsampling.scales.smoke), withoutWeights(cifarCnn.scales.smoke));
  assert.deepEqual(withoutWeights(subsampling.scales.quick), { ...withoutWeights(cifarCnn.scales.quick), seeds: 1, referenceSeeds: 2 });
  assert.deepEqual(subsampling.scales.paper, cifarCnn.scales.paper);
  assert.deepEqual(subsamplingToy.scales.quick, toyGaussian.scales.quick);
  for (const figure of [subsampling, subsamplingToy]) {
    assert.ok(figure.variants.some((v) => v.weighting === 'subsample') && figure.variants.some((v) => v.weighting === undefined), figure.id);
    for (const scale of SCALES) assert.ok((figure.scales[scale].classWeights ?? figure.classWeights).includes(1), `${figure.id}/${scale} has the 1:1 reference`);
  }
});

test('labels say what a sub-sampled run kept', () => {
  const run = expandRuns(subsampling, 'paper').find((r) => r.weighting === 'subsample' && r.classWeight === 1 / 16)!;
  assert.equal(runLabel(run), 'subsampled, base class sub-sampled to 1/16, seed 0');
  assert.equal(formatFraction(1), 'kept whole');
  assert.equal(formatFraction(0.3), 'sub-sampled to 0.300');
});

test('the trainer weights a sub-sampled run 1:1: it trains exactly as a 1:1 loss-weighted run on the same data', async () => {
  const subsampled = expandRuns(subsamplingToy, 'smoke').find((r) => r.variant === 'linear-subsampled' && r.classWeight === 1 / 4)!;
  const short = (config: RunConfig): RunConfig => ({ ...config, epochs: 3, snapshotEpochs: [], evaluations: ['boundary'] });
  const data = await loadFigureData(subsampled.data, { seed: subsampled.seed });
  assert.equal(data.train.labels.filter((l) => l === 1).length, 16); // a quarter of 64
  const plain: RunConfig = { ...subsampled, classWeight: 1, weighting: undefined };
  const reweighted: RunConfig = { ...subsampled, weighting: undefined }; // weight 1/4 on top of the sub-sampling
  const [a, b, c] = [await train(trainerConfig(short(subsampled)), data), await train(trainerConfig(short(plain)), data), await train(trainerConfig(short(reweighted)), data)];
  const losses = (result: typeof a) => result.metrics.map((m) => m.trainLoss);
  assert.deepEqual(losses(a), losses(b));
  assert.deepEqual(a.metrics.map((m) => m.boundaryOffset), b.metrics.map((m) => m.boundaryOffset));
  assert.notDeepEqual(losses(a), losses(c));
});
