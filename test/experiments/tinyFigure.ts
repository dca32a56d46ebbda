/** Shared by the experiment tests: a figure small enough to train in well under a second per run. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ResultStore } from '../../src/experiments/resultStore';
import type { EpochMetrics, FigureResult, FigureSpec, ScaleSettings } from '../../src/experiments/types';

export function tinyFigure(smoke: Partial<ScaleSettings> = {}, overrides: Partial<FigureSpec> = {}): FigureSpec {
  return {
    id: 'tiny',
    title: 'tiny',
    description: 'a test figure',
    data: { source: 'toy-gaussian', perClass: 32 },
    model: { kind: 'mlp', inputSize: 2, hidden: 8 },
    loss: { kind: 'cross-entropy', reduction: 'weights' },
    // Mini-batches, weight decay and an MLP, so shuffling and initialisation go through the RNG.
    optimizer: { kind: 'sgd', learningRate: 0.5, batchSize: 16, weightDecay: 1e-3 },
    classWeights: [1 / 4, 4],
    variants: [{ id: 'mlp', label: 'MLP' }],
    evaluations: ['boundary'],
    scales: {
      smoke: { epochs: 6, seeds: 2, snapshotEpochs: [0, 3, 6], ...smoke },
      quick: { epochs: 6, seeds: 1 },
      paper: { epochs: 6, seeds: 1 },
    },
    ...overrides,
  };
}

/** One seed, two weights, `epochs` epochs: long enough to be killed part-way (kill-and-resume test). */
export function killFigure(epochs: number): FigureSpec {
  return tinyFigure({ epochs, seeds: 1, snapshotEpochs: [0, 1, 50, epochs] });
}

export function tempStore(): ResultStore {
  return new ResultStore(fs.mkdtempSync(path.join(os.tmpdir(), 'iwlab-results-')));
}

/** Metrics without wall time and peak memory (the fields measured from the machine, which differ between identical runs). */
export function withoutTime(lines: readonly EpochMetrics[]): Omit<EpochMetrics, 'wallTime' | 'peakMemoryMiB'>[] {
  return lines.map(({ wallTime: _wallTime, peakMemoryMiB: _peakMemoryMiB, ...rest }) => rest);
}

/** Everything a figure result says about its numbers, keyed by run id. */
export function figureNumbers(result: FigureResult): Record<string, unknown> {
  return Object.fromEntries(result.runs.map((run) => [run.runId, { status: run.status, metrics: withoutTime(run.metrics), snapshots: run.snapshots }]));
}
