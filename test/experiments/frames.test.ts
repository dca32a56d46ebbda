import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataFrame, toCSV } from 'danfojs-node';
import { expandRuns } from '../../src/experiments/expand';
import { NoResultsError, aggregateOverSeeds, frameRows, loadMetricsFrame, metricsFrame, rowsToCsv, writeFigureCsv } from '../../src/experiments/frames';
import { runFigure } from '../../src/experiments/runFigure';
import { runId } from '../../src/experiments/runId';
import type { TrainFunction } from '../../src/experiments/runWorker';
import type { EpochMetrics, FigureResult, RunResult } from '../../src/experiments/types';
import { tempStore, tinyFigure } from './tinyFigure';

const spec = tinyFigure({ seeds: 3, epochs: 2, classWeights: [1, 4] });

/** Three seeds per weight with in-domain fractions (seed + 1) / 10 * epoch: hand-checkable. */
function handResult(): FigureResult {
  const runs: RunResult[] = expandRuns(spec, 'smoke').map((config) => ({
    runId: runId(config),
    config,
    status: 'done',
    snapshots: [],
    metrics: [1, 2].map((epoch): EpochMetrics => ({
      epoch, classWeight: config.classWeight, seed: config.seed, variant: config.variant,
      trainLoss: config.classWeight, trainAccuracy: 1, inDomainFraction: ((config.seed + 1) / 10) * epoch, wallTime: epoch,
    })),
  }));
  return { spec, scale: 'smoke', runs };
}

test('the metrics frame has one row per run and epoch, and only the metrics some line has', () => {
  const frame = metricsFrame(handResult());
  assert.deepEqual(frame.shape, [12, 12]);
  assert.ok(frame.columns.includes('inDomainFraction'));
  assert.ok(!frame.columns.includes('outOfDomainFraction'));
  const first = frameRows(frame)[0]!;
  assert.equal(first.seed, 0);
  assert.equal(first.epoch, 1);
  assert.ok(Math.abs(first.inDomainFraction! - 0.1) < 1e-12);
});

test('aggregating over seeds gives the mean and the t-based 95% interval', () => {
  const rows = frameRows(aggregateOverSeeds(handResult(), ['inDomainFraction']));
  assert.equal(rows.length, 4, 'two weights x two epochs');
  const row = rows.find((r) => r.classWeight === 4 && r.epoch === 2)! as unknown as Record<string, number>;
  // Epoch 2 fractions 0.2, 0.4, 0.6: mean 0.4, sample sd 0.2, half-width 4.303 * 0.2 / sqrt(3).
  const half = (4.303 * 0.2) / Math.sqrt(3);
  assert.equal(row.seeds, 3);
  assert.ok(Math.abs(row.inDomainFractionMean! - 0.4) < 1e-12);
  assert.ok(Math.abs(row.inDomainFractionLow! - (0.4 - half)) < 1e-9);
  assert.ok(Math.abs(row.inDomainFractionHigh! - (0.4 + half)) < 1e-9);
  // The same numbers from the DataFrame as from the runs.
  assert.deepEqual(frameRows(aggregateOverSeeds(metricsFrame(handResult()), ['inDomainFraction'])), rows);
});

test('CSV files land beside the report and read back to the same numbers', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iwlab-csv-'));
  const files = writeFigureCsv(handResult(), dir);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['tiny-smoke.metrics.csv', 'tiny-smoke.summary.csv']);
  const lines = fs.readFileSync(files.metrics, 'utf8').trim().split('\n');
  assert.equal(lines.length, 13);
  const header = lines[0]!.split(',');
  const second = lines[2]!.split(',');
  assert.equal(Number(second[header.indexOf('inDomainFraction')]), 0.2);
  const summary = fs.readFileSync(files.summary, 'utf8').trim().split('\n');
  assert.equal(summary.length, 5);
  assert.ok(summary[0]!.includes('inDomainFractionMean'));  // The files hold exactly what danfojs writes for the same frames.
  assert.equal(fs.readFileSync(files.metrics, 'utf8'), toCSV(metricsFrame(handResult())));
  assert.equal(fs.readFileSync(files.summary, 'utf8'), toCSV(aggregateOverSeeds(handResult())));
});

test('CSV cells with commas or quotes are quoted', () => {
  assert.equal(rowsToCsv([{ variant: 'l2=1e-3, bn', note: 'say "hi"', x: Number.NaN }]), 'variant,note,x\n"l2=1e-3, bn","say ""hi""",NaN\n');
});

test('a figure loads from the store without training, by scale', async () => {
  const store = tempStore();
  const train: TrainFunction = async (config, _data, hooks) => {
    const metrics: EpochMetrics[] = [];
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      const line = { epoch, classWeight: config.classWeight, seed: config.seed, variant: config.variant, trainLoss: epoch, trainAccuracy: 1, wallTime: 0 };
      metrics.push(line);
      await hooks.onEpoch?.(line);
    }
    return { runId: '', config, status: 'done', metrics, snapshots: [] };
  };
  await runFigure(spec, { scale: 'smoke', store, train, workers: 1 });
  const frame = loadMetricsFrame('tiny', { store, scale: 'smoke' });
  assert.ok(frame instanceof DataFrame);
  assert.deepEqual(frame.shape[0], 12);
  assert.throws(() => loadMetricsFrame('tiny', { store, scale: 'paper' }), (error: Error) => error instanceof NoResultsError && /iwlab run tiny --scale paper/.test(error.message));
});

test('one seed is its own mean and interval', () => {
  const oneSeed = handResult();
  oneSeed.runs = oneSeed.runs.filter((run) => run.config.seed === 1);
  const rows = frameRows(aggregateOverSeeds(oneSeed, ['inDomainFraction'])) as unknown as Record<string, number>[];
  const row = rows.find((r) => r.classWeight === 1 && r.epoch === 2)!;
  assert.deepEqual([row.seeds, row.inDomainFractionMean, row.inDomainFractionLow, row.inDomainFractionHigh], [1, 0.4, 0.4, 0.4]);
});

test('a run stored before the issue-13 metrics loads beside a newer one: its missing columns are NaN, the old columns keep their places', () => {
  const [oldRun, newRun] = handResult().runs;
  const newer: RunResult = { ...newRun!, metrics: newRun!.metrics.map((line) => ({ ...line, inDomainAccuracy: 0.75, baseClassRecall: 0.5, peakMemoryMiB: 300 })) };
  const frame = metricsFrame([oldRun!, newer]);
  const columns = frame.columns;
  assert.ok(columns.indexOf('wallTime') < columns.indexOf('inDomainAccuracy'), 'new columns after the old ones');
  const rows = frameRows(frame);
  assert.ok(Number.isNaN(rows[0]!.inDomainAccuracy) && Number.isNaN(rows[0]!.peakMemoryMiB), 'the old run has blanks');
  assert.equal(rows[2]!.inDomainAccuracy, 0.75);
  assert.equal(rows[2]!.baseClassRecall, 0.5);
});
