/**
 * Mean and 95% confidence interval over seeds (Student's t, k - 1 degrees of freedom). With one seed
 * the interval is the point itself: a single run says nothing about spread.
 */
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
