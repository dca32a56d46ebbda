// The polynomially-tailed loss figures (Wang et al., ICLR 2022): cross entropy and the polynomial loss under the
// same weights, models and optimiser, so the loss is the only difference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandRuns } from '../../src/experiments/expand';
import { FIGURES, cifarCnn, getFigure, polyLossCifar, polyLossToy, toyGaussian } from '../../src/experiments/figures';
import { SCALES, type RunConfig } from '../../src/experiments/types';
import { checkLossSpec } from '../../src/train/losses';

/**
 * A run config without what tells the two losses apart: the loss, and on CIFAR the polynomial runs' learning rate,
 * lr 0.1 x softplus(-1), at which their steps below the joint are cross entropy's at 0.1 (test/train/losses.test.ts).
 */
const withoutLoss = ({ variant: _variant, loss: _loss, optimizer: { learningRate: _rate, ...optimizer }, ...rest }: RunConfig) => JSON.stringify({ ...rest, optimizer });

test('every registered loss is one the trainer accepts (alpha > 0, finite beta)', () => {
  for (const figure of FIGURES) for (const loss of [figure.loss, ...figure.variants.flatMap((v) => (v.loss ? [v.loss] : []))]) assert.doesNotThrow(() => checkLossSpec(loss), figure.id);
});

test('both polynomial-loss figures are registered and use Wang et al.\'s beta = 1 with alpha 1 (toy) and both 2 and 1 (CIFAR)', () => {
  assert.equal(getFigure('poly-loss-toy'), polyLossToy);
  assert.equal(getFigure('poly-loss-cifar'), polyLossCifar);
  const polynomial = (id: string, variant: string) => getFigure(id).variants.find((v) => v.id === variant)?.loss;
  assert.deepEqual(polynomial('poly-loss-toy', 'linear-poly'), { kind: 'polynomial', alpha: 1, beta: 1, reduction: 'weights' });
  assert.deepEqual(polynomial('poly-loss-toy', 'mlp-poly'), { kind: 'polynomial', alpha: 1, beta: 1, reduction: 'weights' });
  assert.deepEqual(polynomial('poly-loss-cifar', 'polynomial'), { kind: 'polynomial', alpha: 2, beta: 1, reduction: 'weights' });
  assert.deepEqual(polynomial('poly-loss-cifar', 'polynomial-alpha1'), { kind: 'polynomial', alpha: 1, beta: 1, reduction: 'weights' });
});

for (const figure of [polyLossToy, polyLossCifar]) {
  test(`${figure.id}: at every scale each polynomial run has a cross-entropy twin that differs in the loss (and its learning rate) only`, () => {
    for (const scale of SCALES) {
      const runs = expandRuns(figure, scale);
      const poly = runs.filter((run) => run.loss.kind === 'polynomial');
      const ce = runs.filter((run) => run.loss.kind === 'cross-entropy');
      // Polynomial variants per cross-entropy one: 1 for the toy figure, 2 for CIFAR (alpha 2 and alpha 1).
      const perTwin = new Set(poly.map((run) => run.variant)).size / new Set(ce.map((run) => run.variant)).size;
      assert.ok(poly.length > 0 && poly.length === ce.length * perTwin, `${scale}: ${poly.length} polynomial, ${ce.length} cross-entropy runs`);
      const twins = new Set(ce.map(withoutLoss));
      for (const run of poly) assert.ok(twins.has(withoutLoss(run)), `${scale}: ${run.variant} weight ${run.classWeight} has no cross-entropy twin`);
    }
  });
}

test('poly-loss-cifar runs the deep figures\' shared smoke scale, their variant grid at quick (cross entropy and alpha 1), and cifar-cnn\'s protocol', () => {
  assert.equal(polyLossCifar.scales.smoke, cifarCnn.scales.smoke);
  const { variants, ...quick } = polyLossCifar.scales.quick;
  assert.deepEqual(variants, ['cross-entropy', 'polynomial-alpha1']);
  assert.deepEqual(quick, { ...cifarCnn.scales.quick, seeds: 1, referenceSeeds: 2, classWeights: [4, 1, 1 / 4] });
  assert.deepEqual(polyLossCifar.classWeights, [16, 1, 1 / 16]);
  assert.deepEqual([polyLossCifar.data, polyLossCifar.model, polyLossCifar.optimizer], [cifarCnn.data, cifarCnn.model, cifarCnn.optimizer]);
});

test('poly-loss-toy trains as toy-gaussian does: its data, optimiser, weights and smoke scale; quick stays at 1000 epochs', () => {
  assert.deepEqual([polyLossToy.data, polyLossToy.optimizer, polyLossToy.classWeights], [toyGaussian.data, toyGaussian.optimizer, toyGaussian.classWeights]);
  assert.equal(polyLossToy.scales.smoke, toyGaussian.scales.smoke);
  assert.equal(polyLossToy.scales.quick.epochs, 1000);
  assert.ok(polyLossToy.evaluations.includes('boundary') && polyLossToy.evaluations.includes('max-margin'));
});
