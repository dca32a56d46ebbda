/**
 * One figure of every builder and panel layout, from made-up metrics over 1..1000 epochs (the span
 * of the quick scale, where log-axis labels run from 1 to 1000) and, for the toy boundaries, a few
 * epochs of real training. For the layout tests (test/plots/layout.test.ts, test/browser/figures.browser.ts); not a test file itself.
 */
import { loadFigureData } from '../../src/data/index';
import { toyBoundaryFigure, toyTrajectoryFigure } from '../../src/draw';
import { expandRuns } from '../../src/experiments/expand';
import { runId } from '../../src/experiments/runId';
import { runResult, trainRun } from '../../src/experiments/trainRun';
import { cifarCnn, cifarCnnL2, mnist, polyLossCifar, polyLossToy, subsampling, subsamplingToy, toyGaussian } from '../../src/experiments/figures';
import type { EpochMetrics, FigureResult, FigureSpec, RunResult } from '../../src/experiments/types';
import { lossComparisonFigure } from '../../src/plots/compare';
import { fractionFigure, trainingFigure } from '../../src/plots/fractions';
import { effectFigure } from '../../src/plots/effects';
import { finalFractionFigure } from '../../src/plots/finalFractions';
import { implicitBiasFigure } from '../../src/plots/implicitBias';
import { overviewFigure } from '../../src/plots/overview';
import type { PlotlyFigure } from '../../src/plots/types';

const EPOCHS = [1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000];

/** Every metric a figure may plot, moving with the epoch and the class weight (the effect fading). */
function fakeMetrics(config: RunResult['config']): EpochMetrics[] {
  const tilt = Math.log(config.classWeight) / 8;
  return EPOCHS.map((epoch) => {
    const fade = 1 / (1 + Math.log10(epoch));
    return {
      epoch,
      classWeight: config.classWeight,
      seed: config.seed,
      variant: config.variant,
      trainLoss: 0.7 / epoch,
      trainAccuracy: 1 - 0.5 / epoch,
      inDomainFraction: 0.5 + tilt * fade,
      outOfDomainFraction: 0.3 + tilt * fade,
      boundaryAngle: 40 * fade,
      boundaryOffset: -tilt * fade,
      maxMarginAngle: 60 * fade,
      modelMargin: 0.5 * (1 - fade),
      svmMargin: 0.5,
      wallTime: epoch,
    };
  });
}

function fakeResult(spec: FigureSpec, seeds = 2): FigureResult {
  const runs = expandRuns(spec, 'paper', seeds).map((config, i) => ({ runId: `run-${i}`, config, status: 'done' as const, metrics: fakeMetrics(config), snapshots: [] }));
  return { spec, scale: 'paper', runs };
}

async function trainedToy(): Promise<FigureResult> {
  const runs = [];
  for (const smoke of expandRuns(toyGaussian, 'smoke')) {
    const config = { ...smoke, epochs: 3, snapshotEpochs: [1, 2, 3] };
    runs.push(runResult(runId(config), config, await trainRun(config, await loadFigureData(config.data, { seed: config.seed }))));
  }
  return { spec: toyGaussian, scale: 'smoke', runs };
}

export async function sampleFigures(): Promise<{ name: string; figure: PlotlyFigure }[]> {
  const l2 = fakeResult(cifarCnnL2);
  const toy = await trainedToy();
  return [
    { name: 'fractions, one row', figure: fractionFigure(fakeResult(cifarCnn)) },
    { name: 'fractions, log epochs, rows per variant', figure: fractionFigure(l2, { logEpochs: true }) },
    { name: 'fractions, weighting vs sub-sampling', figure: fractionFigure(fakeResult(subsampling), { logEpochs: true }) },
    { name: 'training, rows per variant', figure: trainingFigure(fakeResult(mnist)) },
    { name: 'effects against the 1:1 noise floor, one row', figure: effectFigure(fakeResult(cifarCnn)) },
    { name: 'effects against the 1:1 noise floor, rows per variant', figure: effectFigure(l2) },
    { name: 'final fraction against the class weight, one line per L2 strength', figure: finalFractionFigure(l2) },
    { name: 'loss comparison, toy', figure: lossComparisonFigure(fakeResult(polyLossToy)) },
    { name: 'loss comparison, CIFAR', figure: lossComparisonFigure(fakeResult(polyLossCifar)) },
    { name: 'implicit bias', figure: implicitBiasFigure(fakeResult(toyGaussian)) },
    { name: 'toy boundaries', figure: toyBoundaryFigure(toy) },
    { name: 'toy trajectory', figure: toyTrajectoryFigure(fakeResult(subsamplingToy)) },
    { name: 'overview', figure: overviewFigure([fakeResult(cifarCnn), l2, fakeResult(mnist), fakeResult(subsampling), fakeResult(toyGaussian), fakeResult(subsamplingToy)]) },
  ];
}
