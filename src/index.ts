/**
 * What notebooks import: `import { runFigure, showFigure, ... } from './src/index'` (tslab needs the file, not the folder).
 * This file is the notebooks' edge: runFigure and loadStoredFigure here take the result store, the data
 * folder and the backend from the kernel's environment (IWLAB_RESULTS, IWLAB_DATA_DIR, IWLAB_BACKEND,
 * read by src/options.ts as the commands read them) unless the cell passes its own.
 */
import { ResultStore } from './experiments/resultStore';
import { type RunFigureOptions, runFigure as runFigureWith } from './experiments/runFigure';
import { type LoadStoredFigureOptions, type StoredFigure, loadStoredFigure as loadStoredFigureWith } from './experiments/storedFigure';
import type { FigureResult, FigureSpec } from './experiments/types';
import { readDataDir, readResultsDir } from './options';

/** runFigure with the kernel's IWLAB_RESULTS, IWLAB_DATA_DIR and IWLAB_BACKEND as defaults. */
export function runFigure(specOrId: FigureSpec | string, options: RunFigureOptions): Promise<FigureResult> {
  const backend = process.env.IWLAB_BACKEND?.trim();
  return runFigureWith(specOrId, {
    store: new ResultStore(readResultsDir(undefined)),
    dataDir: readDataDir(undefined),
    ...(backend ? { backend } : {}),
    ...definedOnly(options),
  });
}

/** loadStoredFigure reading the store IWLAB_RESULTS names (else <repo>/results). */
export function loadStoredFigure(specOrId: FigureSpec | string, options: LoadStoredFigureOptions): StoredFigure {
  return loadStoredFigureWith(specOrId, { store: new ResultStore(readResultsDir(undefined)), ...definedOnly(options) });
}

/** Options a cell set to undefined (`seeds: parseSeeds('')`) keep the environment's default. */
function definedOnly<T extends object>(options: T): T {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as T;
}

export { initEngine } from './engine/index';
export { FIGURES, getFigure } from './experiments/figures';
export { expandRuns, formatWeight, parseScale, parseSeeds, runLabel } from './experiments/expand';
export { coverageRows, trainCommand, type StoredFigure } from './experiments/storedFigure';
export { aggregateOverSeeds, loadMetricsFrame, metricsFrame, writeFigureCsv } from './experiments/frames';
export type * from './experiments/types';
export { figurePlots, toyBoundaryFigure, toyTrajectoryFigure } from './draw';
export { showFigure } from './plots/display';
export { notebookProgress } from './plots/progressDisplay';
export { boundaryTable, engineTable, metricTable, showTable } from './plots/tables';
export { fractionFigure, trainingFigure } from './plots/fractions';
export { implicitBiasFigure } from './plots/implicitBias';
export { lossComparisonFigure } from './plots/compare';
export { coverageTable, overviewEffectTable, overviewFigure, overviewSkipped, overviewTable, spreadCurves } from './plots/overview';
export { EFFECT_CAPTION, effectFigure, effectTable, milestoneTable } from './plots/effects';
export { decayExposure, finalFractionFigure } from './plots/finalFractions';
export { effectRows } from './experiments/effects';
export { runMilestones } from './experiments/milestones';
export { computeMarkdown, computeRows } from './experiments/compute';
export { resultSeedsNote, seedsNote } from './plots/bands';
