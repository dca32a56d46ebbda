/**
 * The registry: every figure's numbers, and nothing else's. Notebooks, the CLI, the report builder
 * and the tests read figures from here; a number from a paper carries a comment naming its source
 * (BL = Byrd & Lipton 2019, NYU = Ha et al.'s replication, XYR = Xu, Ye & Ruan 2021; section
 * numbers refer to shared/research/paper-spec.md).
 */
import type { FigureSpec } from './types';

/** BL-A with XYR's generator and exponential-loss variant: weighted boundaries differ early and
 *  converge to one separator late, for the linear model and the MLP alike.
 *  Expect (quick): the offset spread across weights halves between epochs 10 and 1000.
 *  Run: iwlab figure toy-gaussian */
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
  // Full-batch gradient descent as XYR (deterministic, so the implicit-bias path shows cleanly). lr 1.0 on
  // standardised inputs instead of XYR's 0.1: the same path, ten times fewer epochs, still stable (measured).
  optimizer: { kind: 'sgd', learningRate: 1, batchSize: 0, weightDecay: 0 },
  classWeights: [1 / 16, 1, 16], // BL's values are unknown; VT used 10:1 and XYR 9:1
  variants: [
    { id: 'linear', label: 'logistic regression', model: { kind: 'linear', inputSize: 2 } },
    { id: 'mlp', label: 'MLP (64 ReLU), cross entropy' },
    { id: 'linear-exp', label: 'linear, exponential loss (XYR)', model: { kind: 'linear', inputSize: 2 }, loss: { kind: 'exponential', reduction: 'weights' } },
    { id: 'mlp-exp', label: 'MLP, exponential loss (XYR)', loss: { kind: 'exponential', reduction: 'weights' } },
  ],
  evaluations: ['boundary'],
  scales: {
    smoke: { epochs: 20, seeds: 1, data: { perClass: 64 }, snapshotEpochs: [1, 20] },
    quick: { epochs: 1000, seeds: 1, snapshotEpochs: [1, 10, 100, 1000] },
    paper: { epochs: 10000, seeds: 3, classWeights: [1 / 64, 1 / 16, 1 / 4, 1, 4, 16, 64], snapshotEpochs: [1, 10, 100, 1000, 10000] }, // VT: 10^4 epochs
  },
};

export const FIGURES: readonly FigureSpec[] = [toyGaussian];

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
