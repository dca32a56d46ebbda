/**
 * What notebooks import: `import { runFigure, showFigure, ... } from './src'`.
 */
export { initEngine } from './engine';
export { FIGURES, getFigure } from './experiments/figures';
export { expandRuns, formatWeight, runLabel } from './experiments/expand';
export { runFigure } from './experiments/runFigure';
export type * from './experiments/types';
export { figurePlots } from './plots';
export { showFigure } from './plots/display';
export { notebookProgress } from './plots/progressDisplay';
export { toyBoundaryFigure, toyTrajectoryFigure } from './plots/toy';
export { boundaryTable, metricTable, showTable } from './plots/tables';
export { fractionFigure, trainingFigure } from './plots/fractions';
export { implicitBiasFigure } from './plots/implicitBias';
