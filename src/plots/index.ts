import type { FigureResult } from '../experiments/types';
import { fractionFigure, trainingFigure } from './fractions';
import { implicitBiasFigure } from './implicitBias';
import { toyBoundaryFigure, toyTrajectoryFigure } from './toy';
import type { PlotlyFigure } from './types';

/** Every plot of a figure, as its evaluations call for: what the CLI and the report draw. */
export function figurePlots(result: FigureResult): PlotlyFigure[] {
  const plots: PlotlyFigure[] = [];
  if (result.spec.evaluations.includes('boundary')) plots.push(toyBoundaryFigure(result), toyTrajectoryFigure(result));
  if (result.spec.evaluations.includes('max-margin')) plots.push(implicitBiasFigure(result));
  if (result.spec.evaluations.includes('fractions')) plots.push(fractionFigure(result), fractionFigure(result, { logEpochs: true }), trainingFigure(result));
  return plots;
}
