/**
 * The plots as notebooks and commands call them, a figure's result in and figures out: where a plot
 * needs more than the metrics (the toy boundaries and max-margin limits), the experiments layer
 * computes those numbers here and src/plots only draws them.
 */
import { toyBoundaries, toyGeometry, maxMarginLimits } from './experiments/toyGeometry';
import type { FigureResult } from './experiments/types';
import { figurePlots as drawFigurePlots } from './plots/index';
import { type TrajectoryOptions, toyBoundaryFigure as drawToyBoundaries, toyTrajectoryFigure as drawToyTrajectories } from './plots/toy';
import type { PlotlyFigure } from './plots/types';

/** Every plot of a figure, as its evaluations call for: what the CLI and the report draw. */
export function figurePlots(result: FigureResult): PlotlyFigure[] {
  return drawFigurePlots(result, toyGeometry(result));
}

/** The toy figure's decision boundaries (seed 0) at each snapshot epoch, over the training points. */
export function toyBoundaryFigure(result: FigureResult): PlotlyFigure {
  return drawToyBoundaries(result, toyBoundaries(result));
}

/**
 * The toy runs' boundary offset and angle against epochs; `limits` draws each linear run's max-margin
 * offset (default: for figures that compare weighting with sub-sampling).
 */
export function toyTrajectoryFigure(result: FigureResult, options: { limits?: boolean } = {}): PlotlyFigure {
  const drawn: TrajectoryOptions = { limits: maxMarginLimits(result, options) };
  return drawToyTrajectories(result, drawn);
}
