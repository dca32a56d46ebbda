/**
 * The registry: every figure's numbers, and nothing else's. Notebooks, the CLI, the report builder
 * and the tests read figures from here; a number from a paper carries a comment naming its source
 * (BL = Byrd & Lipton 2019, NYU = Ha et al.'s replication, XYR = Xu, Ye & Ruan 2021; section
 * numbers refer to shared/research/paper-spec.md). A choice we calibrated gives a one-line reason and
 * its log in docs/calibration.md; what a figure measured at the quick scale is in README.md's table.
 */
import type { FigureSpec, LossSpec } from './types';

const exponentialLoss = { kind: 'exponential', reduction: 'weights' } as const;

/** BL-A with XYR's generator and exponential-loss variant: weighted boundaries differ early and
 *  converge to one separator late, for the linear model and the MLP alike. Run: iwlab figure toy-gaussian */
export const toyGaussian: FigureSpec = {
  id: 'toy-gaussian',
  title: 'Toy 2-D Gaussians: decision boundaries under importance weights',
  description:
    "Byrd & Lipton's synthetic experiment on Xu et al.'s separable data: logistic regression and a one-hidden-layer " +
    'MLP, trained with class-weighted cross entropy and with the exponential loss. Weights move the boundary early; ' +
    'with training every weighting approaches the same (max-margin) separator.',
  data: { source: 'toy-gaussian', perClass: 512 }, // XYR lin_sep: n = 1024
  model: { kind: 'mlp', inputSize: 2, hidden: 64 }, // 64 ReLU units per VT's summary of BL (XYR's final code: 5)
  loss: { kind: 'cross-entropy', reduction: 'weights' },
  // Full-batch GD as XYR (the implicit-bias path shows cleanly); lr 1.0, not XYR's 0.1: docs/calibration.md#toy-learning-rates
  optimizer: { kind: 'sgd', learningRate: 1, batchSize: 0, weightDecay: 0 },
  classWeights: [1 / 16, 1, 16], // BL's values are unknown; VT used 10:1 and XYR 9:1
  variants: [
    { id: 'linear', label: 'logistic regression', model: { kind: 'linear', inputSize: 2 } },
    { id: 'mlp', label: 'MLP (64 ReLU), cross entropy' },
    // lr 0.25: higher rates diverge under the exponential loss (docs/calibration.md#toy-learning-rates).
    { id: 'linear-exp', label: 'linear, exponential loss (XYR)', model: { kind: 'linear', inputSize: 2 }, loss: exponentialLoss, optimizer: { learningRate: 0.25 } },
    { id: 'mlp-exp', label: 'MLP, exponential loss (XYR)', loss: exponentialLoss, optimizer: { learningRate: 0.25 } },
  ],
  evaluations: ['boundary', 'max-margin'], // max-margin: the implicit-bias view (XYR) of the same runs
  scales: {
    smoke: { epochs: 20, seeds: 1, data: { perClass: 64 }, snapshotEpochs: [1, 20] },
    quick: { epochs: 1000, seeds: 1, snapshotEpochs: [1, 10, 100, 1000] },
    paper: { epochs: 10000, seeds: 3, classWeights: [1 / 64, 1 / 16, 1 / 4, 1, 4, 16, 64], snapshotEpochs: [1, 10, 100, 1000, 10000] }, // VT: 10^4 epochs
  },
};

// The deep-net figures share NYU's protocol (paper-spec 2.2, 3.2-3.5): CIFAR-10 dog (base) vs cat, SGD
// without momentum, lr 0.1, batch 16, 1000 epochs, self-normalised weighted cross entropy, one seed.
const CIFAR_WEIGHTS = [256, 64, 16, 4, 1, 1 / 4, 1 / 16, 1 / 64, 1 / 256]; // dog : cat, paper-spec 1.3
const MNIST_WEIGHTS = [256, 16, 1, 1 / 16, 1 / 256]; // '0' : '1', NYU Figs 2, 5, 7
const cifarData = { source: 'cifar10', classes: ['dog', 'cat'] } as const;
const nyuSgd = { kind: 'sgd', learningRate: 0.1, batchSize: 16, weightDecay: 0 } as const;
const selfNormalisedCrossEntropy = { kind: 'cross-entropy', reduction: 'weights' } as const;
const cnn = { kind: 'cnn', inChannels: 3, width: 1, dropout: 0 } as const;

/** Smoke: seconds, a sliver of every set, a 1/8-width net; only proves the code path runs. */
const deepSmoke = { epochs: 2, seeds: 1, data: { perClass: 24, testPerClass: 25, outOfDomainCount: 100 }, width: 0.125, classWeights: [16, 1, 1 / 16] };
/** Paper: the published protocol, for a machine with tfjs-node-gpu. NYU evaluated after every epoch
 *  (their notebooks' test loop), so the paper scale does too; the smaller scales keep log-spaced epochs. */
const deepPaper = { epochs: 1000, seeds: 1, evaluationCadence: 'every-epoch' } as const; // NYU ran seed 123 once per setting
/** Quick (issue 13): 1:1 and two weights on each side, two seeds each. A quarter-width CNN on 400 + 400 images for
 *  270 epochs (13,500 steps): the half-width net on 500 + 500 the issue suggests needs ~7,000-7,800 steps before its
 *  heavy weights fit, and at 32 ms a step (two workers, this machine) ten runs get only ~6,000 steps in 20 minutes;
 *  the quarter-width net steps in 16.5 ms, and a trial to 11,000 steps saw a 16:1 seed fit at 10,000
 *  (docs/calibration.md#deepquick). */
const quickTestSets = { testPerClass: 250, outOfDomainCount: 1000 };
const deepQuick = {
  epochs: 270,
  seeds: 2,
  data: { perClass: 400, ...quickTestSets },
  width: 0.25,
  classWeights: [16, 4, 1, 1 / 4, 1 / 16],
};
/** Quick for a figure that also varies something else: 4:1, 1:1, 1:4, one seed each and two at 1:1, whose
 *  seeds give the noise floor (issue 13 allows this grid for variants; docs/calibration.md#variantquick). */
const variantQuick = { ...deepQuick, seeds: 1, referenceSeeds: 2, classWeights: [4, 1, 1 / 4] };

/** BL-B, NYU Fig 1: the weighting effect fades once the CNN separates its training data. Run: iwlab run cifar-cnn */
export const cifarCnn: FigureSpec = {
  id: 'cifar-cnn',
  title: 'CIFAR-10 cat vs dog, CNN',
  description: 'Byrd & Lipton / NYU Fig 1: the dog fraction starts ordered by weight and converges for every weight as training goes on.',
  data: cifarData,
  model: cnn,
  loss: selfNormalisedCrossEntropy,
  optimizer: nyuSgd,
  classWeights: CIFAR_WEIGHTS,
  variants: [{ id: 'cnn', label: 'CNN' }],
  evaluations: ['fractions'],
  scales: { smoke: deepSmoke, quick: deepQuick, paper: deepPaper },
};

/** BL-C, NYU Fig 3: with L2 the ordering by weight persists. L2 strengths are unreported in both
 *  sources (paper-spec 6.4); the paper scale runs three, as weight decay (gradient += lambda * theta, NYU's
 *  form). The quick scale runs four, chosen by learning rate x lambda x steps (docs/calibration.md#cifar-cnn-l2). */
export const cifarCnnL2: FigureSpec = {
  ...cifarCnn,
  id: 'cifar-cnn-l2',
  title: 'CIFAR-10 cat vs dog, CNN + L2',
  description: 'Byrd & Lipton / NYU Fig 3: with an L2 penalty the weights keep their effect to the end of training.',
  classWeights: [256, 16, 1 / 16, 1 / 256], // NYU Fig 3
  variants: [
    { id: 'l2=1e-4', label: 'L2 1e-4', optimizer: { weightDecay: 1e-4 } },
    { id: 'l2=1e-3', label: 'L2 1e-3', optimizer: { weightDecay: 1e-3 } },
    { id: 'l2=2e-3', label: 'L2 2e-3', optimizer: { weightDecay: 2e-3 } },
    { id: 'l2=4e-3', label: 'L2 4e-3', optimizer: { weightDecay: 4e-3 } },
    { id: 'l2=8e-3', label: 'L2 8e-3', optimizer: { weightDecay: 8e-3 } },
    { id: 'l2=1e-2', label: 'L2 1e-2', optimizer: { weightDecay: 1e-2 } },
  ],
  scales: {
    smoke: { ...deepSmoke, variants: ['l2=1e-4', 'l2=1e-3', 'l2=1e-2'] },
    // Quick: 16 runs, so 200 + 200 images for 300 epochs (7,500 steps): lr x lambda x steps is 0.75, 1.5, 3 and 6
    // (at half width on 1,000 images 5e-3 already kept the net constant; docs/calibration.md#cifar-cnn-l2).
    quick: { ...variantQuick, epochs: 300, data: { ...variantQuick.data, perClass: 200 }, variants: ['l2=1e-3', 'l2=2e-3', 'l2=4e-3', 'l2=8e-3'] },
    paper: { ...deepPaper, variants: ['l2=1e-4', 'l2=1e-3', 'l2=1e-2'] },
  },
};

/** BL-D, NYU Fig 4: dropout does not keep the effect. Dropout 0.5 after each hidden dense layer and
 *  lr 0.05 (NYU's notebook and report). */
export const cifarCnnDropout: FigureSpec = {
  ...cifarCnn,
  id: 'cifar-cnn-dropout',
  title: 'CIFAR-10 cat vs dog, CNN + dropout',
  description: 'Byrd & Lipton / NYU Fig 4: with dropout the curves still converge, the heavy weights later.',
  model: { ...cnn, dropout: 0.5 },
  optimizer: { ...nyuSgd, learningRate: 0.05 },
  variants: [{ id: 'dropout', label: 'CNN + dropout 0.5' }],
  // Quick: at half the learning rate the heavy weights need about twice the steps to fit, so 200 + 200 images (fewer
  // to fit) for 560 epochs (14,000 steps): at 460 two heavy seeds never left the constant predictor, and the 460-epoch
  // runs' 16.0 min on the slowest machine measured scale to ~19.5 min at 560 (docs/calibration.md#cifar-cnn-dropout).
  scales: { ...cifarCnn.scales, quick: { ...deepQuick, epochs: 560, data: { ...deepQuick.data, perClass: 200 } } },
};

/** BL-E with BN, NYU Fig 6: batch norm keeps a residual, weight-ordered spread. */
export const cifarResnet: FigureSpec = {
  ...cifarCnn,
  id: 'cifar-resnet',
  title: 'CIFAR-10 cat vs dog, ResNet with batch norm',
  description: 'Byrd & Lipton / NYU Fig 6: with batch norm a weight-ordered spread of the dog fraction persists.',
  model: { kind: 'resnet', inChannels: 3, width: 1, batchNorm: true },
  variants: [{ id: 'resnet', label: 'ResNet + BN' }],
  // Quick: an eighth-width ResNet (34 ms a step against the half-width CNN's 22 on the native engine, measured on the
  // machine of issue 13's first calibration) on 500 + 500 images for 75 epochs (4,650 steps): batch norm fits fast,
  // every run by epoch 64, and 80 epochs took 20.4 min on the slowest machine measured (docs/calibration.md#cifar-resnet).
  // The CNN's set is now 400 + 400; this figure keeps the set it was measured on.
  scales: { smoke: deepSmoke, quick: { ...deepQuick, width: 0.125, epochs: 75, data: { perClass: 500, ...quickTestSets } }, paper: deepPaper },
};

/** BL-E without BN, NYU Fig 8: curves converge as for the CNN (NYU's stuck runs look like failed training;
 *  paper-spec 3.10 D1), so the training panel matters here. */
export const cifarResnetNoBn: FigureSpec = {
  ...cifarResnet,
  id: 'cifar-resnet-nobn',
  title: 'CIFAR-10 cat vs dog, ResNet without batch norm',
  description: 'Byrd & Lipton: without batch norm the weighting effect fades as for the CNN; NYU Fig 8 saw runs stuck at 0 or 1.',
  model: { kind: 'resnet', inChannels: 3, width: 1, batchNorm: false },
  variants: [{ id: 'resnet-nobn', label: 'ResNet, no BN' }],
  // Quick: without BN the runs sit at the constant predictor far longer, so 100 + 100 images for 600 epochs
  // (7,200 steps, 22 ms each) rather than the BN net's 500 + 500 (docs/calibration.md#cifar-resnet-nobn).
  scales: {
    smoke: deepSmoke,
    quick: { ...deepQuick, width: 0.125, epochs: 600, data: { ...deepQuick.data, perClass: 100 } },
    paper: deepPaper,
  },
};

/** NYU Figs 2, 5, 7: MNIST 0 (base) vs 1, resized to 32x32, one channel. In-domain fractions meet at
 *  980/2115 = 0.463 at once. Out of domain NYU's text has them converge to about 0.5; their CNN figure (Fig 2)
 *  is not ordered by weight, and only the ResNet with batch norm (Fig 7) stays ordered. */
export const mnist: FigureSpec = {
  ...cifarCnn,
  id: 'mnist',
  title: 'MNIST 0 vs 1: CNN, CNN + dropout, ResNet',
  description:
    'NYU Figs 2, 5 and 7: in-domain every weight reaches the perfect 0.463 quickly; out of domain the fractions converge to about 0.5, ' +
    'not ordered by weight, except for the ResNet with batch norm, whose out-of-domain fractions stay ordered by weight.',
  data: { source: 'mnist', classes: ['0', '1'] },
  model: { ...cnn, inChannels: 1 },
  classWeights: MNIST_WEIGHTS,
  variants: [
    { id: 'cnn', label: 'CNN' },
    { id: 'cnn-dropout', label: 'CNN + dropout', model: { ...cnn, inChannels: 1, dropout: 0.5 }, optimizer: { learningRate: 0.05 } },
    { id: 'resnet', label: 'ResNet + BN', model: { kind: 'resnet', inChannels: 1, width: 1, batchNorm: true } },
  ],
  // Quick: a quarter-width net on 100 + 100 images for 60 epochs on smaller test sets, 16:1, 1:1, 1:16 with two
  // seeds each: 0 against 1 is fitted in a few hundred steps (docs/calibration.md#mnist).
  scales: {
    smoke: deepSmoke,
    quick: { epochs: 60, seeds: 2, data: { perClass: 100, testPerClass: 100, outOfDomainCount: 500 }, width: 0.25, classWeights: [16, 1, 1 / 16] },
    paper: deepPaper,
  },
};

/** BL-F (paper-spec 2.4, C4; NYU did not run it): keep a fraction w of the dogs and train unweighted, against
 *  all dogs with weight w in the loss. BL gives no ratios (paper-spec 6.6); ours are the CIFAR grid's down-weights,
 *  sampled without replacement (NYU's unused helper drew with replacement). Weight 1, the unweighted reference, in
 *  both variants: docs/calibration.md#subsampling. Run: iwlab run subsampling */
export const subsampling: FigureSpec = {
  ...cifarCnn,
  id: 'subsampling',
  title: 'CIFAR-10 cat vs dog, CNN: sub-sampling vs weighting',
  description:
    "Byrd & Lipton's comparison: down-weighting dogs in the loss stops mattering once the CNN fits its training set, " +
    'while training on only that fraction of the dogs keeps the predictions shifted towards cat.',
  classWeights: [1, 1 / 4, 1 / 16, 1 / 64], // dog : cat, the grid's down-weights to 1/64 (78 of 5000 dogs); sub-sampling allows w <= 1 only
  variants: [
    { id: 'weighted', label: 'all dogs, weight w in the loss' },
    { id: 'subsampled', label: 'dogs sub-sampled to w, 1:1 loss', weighting: 'subsample' },
  ],
  // Quick: 1, 1/4 and 1/16, one seed each and two of weight 1 in both variants (docs/calibration.md#subsampling).
  scales: { smoke: { ...deepSmoke, classWeights: [1, 1 / 16] }, quick: { ...variantQuick, classWeights: [1, 1 / 4, 1 / 16] }, paper: deepPaper },
};

const linearModel = { kind: 'linear', inputSize: 2 } as const;

/** XYR's down-sampling experiment (XYR-2c; their paper's text, not their code: paper-spec 4.2) and BL-F on the
 *  toy data: the base class down-sampled to w and trained unweighted, against all of it with weight w in the
 *  loss; the toy figure's data, models, loss and full-batch GD. The sub-sampled points keep the full set's
 *  standardisation, and every run measures its boundary along the full set's class means. The two move alike
 *  while training and differ in the limit (XYR). Run: iwlab run subsampling-toy */
export const subsamplingToy: FigureSpec = {
  ...toyGaussian,
  id: 'subsampling-toy',
  title: 'Toy 2-D Gaussians: sub-sampling vs weighting',
  description:
    "Xu et al.'s generated data with the base class down-sampled, against the full data importance-weighted by the same factor: " +
    'both move alike while training; in the limit weighted boundaries reach the full set\'s max-margin separator and down-sampled ones the subset\'s.',
  classWeights: [1, 1 / 4, 1 / 16], // base : other; XYR's 80%/20% split is weight 1/4
  variants: [
    { id: 'linear', label: 'linear, weighted', model: linearModel },
    { id: 'linear-subsampled', label: 'linear, sub-sampled', model: linearModel, weighting: 'subsample' },
    { id: 'mlp', label: 'MLP, weighted' },
    { id: 'mlp-subsampled', label: 'MLP, sub-sampled', weighting: 'subsample' },
  ],
  scales: {
    smoke: toyGaussian.scales.smoke,
    quick: toyGaussian.scales.quick,
    paper: { ...toyGaussian.scales.paper, classWeights: [1, 1 / 4, 1 / 16, 1 / 64] },
  },
};

/**
 * Wang, Chatterji, Haque & Hashimoto (ICLR 2022)'s polynomially-tailed loss l_{alpha,beta} (src/train/losses.ts):
 * its tail decays like margin^-alpha, not exponentially, so gradient descent does not head for the max-margin
 * separator and the weights keep moving the boundary. Their code fixes beta = 1 and takes alpha = 1 in the
 * linear-model simulations of their Fig. 2 (the loss 1/margin) and alpha = 2 in its binary CIFAR-10 configs
 * (configs/loss_fn/polynomial_loss.yaml, poly_cifar_binary_reweighted.yaml). Self-normalised like our cross entropy.
 */
const polynomialLoss = (alpha: number): LossSpec => ({ kind: 'polynomial', alpha, beta: 1, reduction: 'weights' });

/** Wang et al.'s claim on the toy figure's data, models and full-batch GD (lr 1): cross entropy against the
 *  polynomially-tailed loss with alpha 1 (their linear simulations' value: docs/calibration.md#poly-loss-toy), same
 *  weights. Cross-entropy runs head to the max-margin separator; polynomial ones to a weight-dependent separator.
 *  Run: iwlab run poly-loss-toy */
export const polyLossToy: FigureSpec = {
  ...toyGaussian,
  id: 'poly-loss-toy',
  title: 'Toy 2-D Gaussians: cross entropy vs a polynomially-tailed loss',
  description:
    "Wang et al. (ICLR 2022): on separable data the effect of importance weights fades under cross entropy but not under a loss " +
    'with a polynomial tail. Linear model and MLP, both losses, the same weights and full-batch gradient descent.',
  classWeights: [1 / 16, 1, 16], // as toy-gaussian
  variants: [
    { id: 'linear-ce', label: 'linear, cross entropy', model: linearModel },
    { id: 'linear-poly', label: 'linear, polynomial tail (alpha 1)', model: linearModel, loss: polynomialLoss(1) },
    { id: 'mlp-ce', label: 'MLP, cross entropy' },
    { id: 'mlp-poly', label: 'MLP, polynomial tail (alpha 1)', loss: polynomialLoss(1) },
  ],
  evaluations: ['boundary', 'max-margin'],
  scales: {
    smoke: toyGaussian.scales.smoke,
    quick: { epochs: 1000, seeds: 1, snapshotEpochs: [1, 10, 100, 1000] },
    paper: toyGaussian.scales.paper,
  },
};

/** Wang et al.'s imbalanced binary CIFAR-10 comparison in our protocol: cifar-cnn's CNN, data and SGD (NYU's:
 *  no momentum, batch 16; lr 0.1, the polynomial loss polynomialLearningRate), cross entropy against the polynomially-tailed loss at both tail exponents in
 *  their material (they trained with momentum 0.9, batch 64, 200 epochs). alpha 1 is the loss's default in their
 *  code (src/loss_fns.py, paper-spec 5) and, per issue 13's reading of the paper, their final configs' value;
 *  alpha 2 is what their stored CIFAR config files name (configs/loss_fn/polynomial_loss.yaml,
 *  configs/experiment/poly_cifar_binary_reweighted.yaml) and their Fig 5's setting. We could not settle which
 *  their final CIFAR numbers used from the stored repository, so both run; the alpha-2 variant keeps its run ids.
 *  Quick and smoke are the deep figures' shared scales. Wang et al. predict the polynomial loss's fractions
 *  stay ordered by weight. Run: iwlab run poly-loss-cifar */
/** The polynomial loss below the joint is cross entropy divided by softplus(-1) = 0.313 (src/train/losses.ts), so at
 *  NYU's lr 0.1 its steps are 3.2 times cross entropy's, and three of four quick runs at lr 0.1 diverged to NaN
 *  (docs/calibration.md#poly-loss-cifar). lr 0.1 x softplus(-1) = 0.0313 makes every step of a margin below 1 exactly
 *  cross entropy's at lr 0.1, so the two losses differ only in the tail they are compared on. */
const polynomialLearningRate = nyuSgd.learningRate * Math.log1p(Math.exp(-1));

export const polyLossCifar: FigureSpec = {
  ...cifarCnn,
  id: 'poly-loss-cifar',
  title: 'CIFAR-10 cat vs dog, CNN: cross entropy vs a polynomially-tailed loss',
  description:
    'Wang et al. (ICLR 2022): with a polynomially-tailed loss the dog fraction keeps following the importance weight after ' +
    'the CNN fits its training data; with cross entropy the curves meet.',
  classWeights: [16, 1, 1 / 16], // dog : cat
  variants: [
    { id: 'cross-entropy', label: 'CNN, cross entropy' },
    { id: 'polynomial', label: 'CNN, polynomial tail (alpha 2)', loss: polynomialLoss(2), optimizer: { learningRate: polynomialLearningRate } },
    { id: 'polynomial-alpha1', label: 'CNN, polynomial tail (alpha 1)', loss: polynomialLoss(1), optimizer: { learningRate: polynomialLearningRate } },
  ],
  // Quick: cross entropy and alpha 1 (issue 13's reading of Wang et al.'s final configs); alpha 2 at paper scale.
  scales: { smoke: deepSmoke, quick: { ...variantQuick, variants: ['cross-entropy', 'polynomial-alpha1'] }, paper: deepPaper },
};

export const FIGURES: readonly FigureSpec[] = [toyGaussian, cifarCnn, cifarCnnL2, cifarCnnDropout, cifarResnet, cifarResnetNoBn, mnist, subsampling, subsamplingToy, polyLossToy, polyLossCifar];

export class UnknownFigureError extends Error {
  override name = 'UnknownFigureError';
  constructor(id: string) {
    super(`Unknown figure '${id}'. Known figures: ${FIGURES.map((f) => f.id).join(', ')}.`);
  }
}

export function getFigure(id: string): FigureSpec {
  const figure = FIGURES.find((f) => f.id === id);
  if (figure === undefined) throw new UnknownFigureError(id);
  return figure;
}
