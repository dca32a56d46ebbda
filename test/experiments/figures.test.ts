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
