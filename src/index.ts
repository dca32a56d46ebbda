/**
 * What notebooks import: `import { runFigure, showFigure, ... } from './src/index'` (tslab needs the file, not the folder).
 */
export { initEngine } from './engine/index';
export { FIGURES, getFigure } from './experiments/figures';
export { expandRuns, formatWeight, parseScale, parseSeeds, runLabel } from './experiments/expand';
export { runFigure } from './experiments/runFigure';
export { coverageRows, loadStoredFigure, trainCommand, type StoredFigure } from './experiments/storedFigure';
export { aggregateOverSeeds, loadMetricsFrame, metricsFrame, writeFigureCsv } from './experiments/frames';
export type * from './experiments/types';
export { figurePlots, toyBoundaryFigure, toyTrajectoryFigure } from './draw';
export { showFigure } from './plots/display';
export { notebookProgress } from './plots/progressDisplay';
export { boundaryTable, metricTable, showTable } from './plots/tables';
export { fractionFigure, trainingFigure } from './plots/fractions';
export { implicitBiasFigure } from './plots/implicitBias';
export { lossComparisonFigure } from './plots/compare';
export { coverageTable, overviewEffectTable, overviewFigure, overviewSkipped, overviewTable, spreadCurves } from './plots/overview';
export { EFFECT_CAPTION, effectFigure, effectTable, milestoneTable } from './plots/effects';
export { decayExposure, finalFractionFigure } from './plots/finalFractions';
export { effectRows } from './experiments/effects';
export { runMilestones } from './experiments/milestones';
export { computeMarkdown, computeRows } from './experiments/compute';
export { seedsNote } from './plots/bands';
