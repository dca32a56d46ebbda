import type { ToyGeometry } from '../experiments/toyGeometry';
import type { FigureResult } from '../experiments/types';
import { lossComparisonFigure } from './compare';
import { fractionFigure, trainingFigure } from './fractions';
import { implicitBiasFigure } from './implicitBias';
import { toyBoundaryFigure, toyTrajectoryFigure } from './toy';
import type { PlotlyFigure } from './types';

/**
 * Every plot of a figure, as its evaluations call for: what the CLI and the report draw. A figure that
 * evaluates boundaries needs its toy geometry (toyGeometry(result), src/experiments/toyGeometry.ts).
 */
export function figurePlots(result: FigureResult, toy?: ToyGeometry): PlotlyFigure[] {
  const plots: PlotlyFigure[] = [];
  // Wang et al.'s comparison first: the polynomially-tailed loss against cross entropy, same weights.
  if (result.runs.some((run) => run.config.loss.kind === 'polynomial')) plots.push(lossComparisonFigure(result));
  if (result.spec.evaluations.includes('boundary')) {
    if (toy === undefined) throw new TypeError(`figurePlots: '${result.spec.id}' draws boundaries; pass its geometry, figurePlots(result, toyGeometry(result)).`);
    plots.push(toyBoundaryFigure(result, toy.boundaries), toyTrajectoryFigure(result, { limits: toy.limits }));
  }
  if (result.spec.evaluations.includes('max-margin')) plots.push(implicitBiasFigure(result));
  if (result.spec.evaluations.includes('fractions')) plots.push(fractionFigure(result), fractionFigure(result, { logEpochs: true }), trainingFigure(result));
  return plots;
}
