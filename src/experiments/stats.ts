/**
 * Mean and 95% confidence interval over seeds (Student's t, k - 1 degrees of freedom). With one seed
 * the interval is the point itself: a single run says nothing about spread.
 */
import type { EpochMetrics } from './types';

export interface MeanInterval {
  mean: number;
  low: number;
  high: number;
  count: number;
}

// Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom; beyond 30 the normal's 1.96.
const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086,
  2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function tQuantile975(degreesOfFreedom: number): number {
  if (degreesOfFreedom < 1) throw new RangeError('Student t needs at least one degree of freedom');
  return T_975[degreesOfFreedom - 1] ?? 1.96;
}

export function meanInterval(values: readonly number[]): MeanInterval {
  const finite = values.filter(Number.isFinite);
  const count = finite.length;
  if (count === 0) return { mean: Number.NaN, low: Number.NaN, high: Number.NaN, count };
  const mean = finite.reduce((a, b) => a + b, 0) / count;
  if (count === 1) return { mean, low: mean, high: mean, count };
  const variance = finite.reduce((a, b) => a + (b - mean) ** 2, 0) / (count - 1);
  const half = tQuantile975(count - 1) * Math.sqrt(variance / count);
  return { mean, low: mean - half, high: mean + half, count };
}

/** A curve over seeds: at each epoch any seed reached, the mean, its interval, and how many seeds had a value. */
export interface SeedCurve {
  epochs: number[];
  mean: number[];
  low: number[];
  high: number[];
  /** Seeds with a finite value at each epoch. */
  counts: number[];
}

/** What a curve takes from one metrics line; undefined or NaN where it has no value. */
export type MetricValue = (line: EpochMetrics) => number | undefined;

/** Mean and 95% interval over seeds of one value, epoch by epoch (epochs any seed reached). */
export function seedCurve(runs: readonly (readonly EpochMetrics[])[], value: MetricValue): SeedCurve {
  const byEpoch = new Map<number, number[]>();
  for (const metrics of runs) {
    for (const line of metrics) {
      const v = value(line);
      if (v === undefined || !Number.isFinite(v)) continue;
      const values = byEpoch.get(line.epoch) ?? [];
      values.push(v);
      byEpoch.set(line.epoch, values);
    }
  }
  const curve: SeedCurve = { epochs: [], mean: [], low: [], high: [], counts: [] };
  for (const [epoch, values] of [...byEpoch.entries()].sort(([a], [b]) => a - b)) {
    const summary = meanInterval(values);
    curve.epochs.push(epoch);
    curve.mean.push(summary.mean);
    curve.low.push(summary.low);
    curve.high.push(summary.high);
    curve.counts.push(summary.count);
  }
  return curve;
}
