import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIGURES, UnknownFigureError, getFigure } from '../../src/experiments/figures';
import { SCALES } from '../../src/experiments/types';

test('figure ids are unique and every figure defines every scale', () => {
  const ids = FIGURES.map((f) => f.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const figure of FIGURES) {
    for (const scale of SCALES) {
      const settings = figure.scales[scale];
      assert.ok(settings.epochs >= 1, `${figure.id}/${scale} epochs`);
      assert.ok(settings.seeds >= 1, `${figure.id}/${scale} seeds`);
      for (const epoch of settings.snapshotEpochs ?? []) assert.ok(epoch <= settings.epochs, `${figure.id}/${scale} snapshot ${epoch}`);
    }
  }
});

test('smoke runs are smaller than quick runs, quick smaller than paper', () => {
  for (const figure of FIGURES) {
    assert.ok(figure.scales.smoke.epochs <= figure.scales.quick.epochs, figure.id);
    assert.ok(figure.scales.quick.epochs <= figure.scales.paper.epochs, figure.id);
  }
});

test('variant ids are unique within a figure and class weights are positive', () => {
  for (const figure of FIGURES) {
    const ids = figure.variants.map((v) => v.id);
    assert.equal(new Set(ids).size, ids.length, figure.id);
    for (const scale of SCALES) {
      for (const weight of figure.scales[scale].classWeights ?? figure.classWeights) assert.ok(weight > 0, `${figure.id} weight ${weight}`);
    }
  }
});

test('getFigure names the known figures when an id is wrong', () => {
  assert.equal(getFigure('toy-gaussian').id, 'toy-gaussian');
  assert.throws(() => getFigure('toy-gausian'), (error: unknown) => error instanceof UnknownFigureError && /toy-gaussian/.test(error.message));
});

// Issue 13's quick grid: a weight's effect is judged against what separates the 1:1 seeds, so every deep
// figure runs 1:1 with at least two seeds, and weights on both sides of it.
test('every deep figure at quick runs 1:1 with two seeds and weights on both sides of it', async () => {
  const { expandRuns } = await import('../../src/experiments/expand');
  for (const figure of FIGURES.filter((spec) => spec.evaluations.includes('fractions'))) {
    const runs = expandRuns(figure, 'quick');
    for (const variant of new Set(runs.map((run) => run.variant))) {
      const own = runs.filter((run) => run.variant === variant);
      const reference = own.filter((run) => run.classWeight === 1);
      assert.ok(reference.length >= 2, `${figure.id}/${variant}: ${reference.length} seed(s) at 1:1`);
      if (figure.variants.some((v) => v.weighting === 'subsample')) continue; // compares at fractions <= 1, the only ones sub-sampling has
      assert.ok(own.some((run) => run.classWeight > 1) && own.some((run) => run.classWeight < 1), `${figure.id}/${variant}: weights on both sides of 1:1`);
    }
  }
});

test('the plain CIFAR figures at quick run two weights on each side of 1:1, two seeds each', async () => {
  const { expandRuns } = await import('../../src/experiments/expand');
  for (const id of ['cifar-cnn', 'cifar-cnn-dropout', 'cifar-resnet', 'cifar-resnet-nobn']) {
    const runs = expandRuns(getFigure(id), 'quick');
    const weights = [...new Set(runs.map((run) => run.classWeight))];
    assert.equal(weights.filter((w) => w > 1).length, 2, id);
    assert.equal(weights.filter((w) => w < 1).length, 2, id);
    for (const weight of weights) assert.equal(runs.filter((run) => run.classWeight === weight).length, 2, `${id} ${weight}`);
  }
});
