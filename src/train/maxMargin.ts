/**
 * The hard-margin SVM (with bias) of a separable two-class set, which gradient descent on logistic or
 * exponential losses approaches in direction whatever the class weights (Soudry et al. 2018; Xu et al.
 * 2021). Computed as the nearest points of the two classes' convex hulls: the SVM normal is their
 * difference and its boundary their perpendicular bisector. Solved by the MDM algorithm (Mitchell,
 * Dem'yanov & Malozemov), iterated until the duality gap is below `tolerance` relative to the
 * squared distance - exact to float precision on the toy problems here.
 */
export interface MaxMarginSolution {
  /** Unit normal, pointing towards the base class (label 1). */
  direction: Float64Array;
  /** Offset so that direction . x + bias = 0 on the boundary. */
  bias: number;
  /** Geometric margin: half the distance between the hulls. */
  margin: number;
  /** Relative duality gap reached (<= tolerance unless maxIterations ran out). */
  gap: number;
  iterations: number;
}

export class NotSeparableError extends Error {
  override name = 'NotSeparableError';
  constructor() {
    super('The two classes are not linearly separable here (their convex hulls intersect), so no max-margin direction exists.');
  }
}

/** points: [count * dim] row-major; labels: 1 for the base class, 0 for the other. */
export function maxMarginSvm(points: ArrayLike<number>, labels: ArrayLike<number>, dim: number, tolerance = 1e-12, maxIterations = 200000): MaxMarginSolution {
  const count = labels.length;
  const classes: number[][] = [[], []];
  for (let i = 0; i < count; i++) classes[labels[i] === 1 ? 1 : 0]!.push(i);
  if (classes[0]!.length === 0 || classes[1]!.length === 0) throw new RangeError('maxMarginSvm needs examples of both classes');
  // Signed examples: z = sum_i coef_i * sign_i * x_i with coefficients on each class's simplex.
  const sign = (i: number) => (labels[i] === 1 ? 1 : -1);
  const row = (i: number) => Array.from({ length: dim }, (_, d) => points[i * dim + d]!);
  const coef = new Float64Array(count);
  coef[classes[1]![0]!] = 1;
  coef[classes[0]![0]!] = 1;
  const z = new Float64Array(dim);
  for (const i of [classes[1]![0]!, classes[0]![0]!]) row(i).forEach((v, d) => (z[d]! += sign(i) * v));
  // g_i = sign_i * (z . x_i): the gradient of |z|^2 / 2 along each coefficient.
  const g = new Float64Array(count);
  for (let i = 0; i < count; i++) g[i] = sign(i) * dot(z, points, i, dim);

  let gap = Number.POSITIVE_INFINITY;
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const zz = dot(z, z, 0, dim);
    if (zz < 1e-24) throw new NotSeparableError();
    // Per class: the active example with the largest gradient (move mass away) and the smallest (towards).
    let best = { gapSize: -1, from: -1, to: -1 };
    let lowerBound = 0;
    for (const members of classes) {
      let from = -1;
      let to = -1;
      for (const i of members) {
        if (coef[i]! > 0 && (from < 0 || g[i]! > g[from]!)) from = i;
        if (to < 0 || g[i]! < g[to]!) to = i;
      }
      lowerBound += g[to]!;
      if (g[from]! - g[to]! > best.gapSize) best = { gapSize: g[from]! - g[to]!, from, to };
    }
    // |z|^2 - (min over class 1 + min over class 0) is the duality gap of the nearest-point problem.
    gap = (zz - lowerBound) / zz;
    if (gap <= tolerance) break;
    const { from, to } = best;
    // Move t of coefficient mass from `from` to `to`: z += t * (s_to x_to - s_from x_from); exact line search.
    const step = new Float64Array(dim);
    for (let d = 0; d < dim; d++) step[d] = sign(to) * points[to * dim + d]! - sign(from) * points[from * dim + d]!;
    const stepSquared = dot(step, step, 0, dim);
    if (stepSquared === 0) break;
    const t = Math.min(coef[from]!, Math.max(0, -dot(z, step, 0, dim) / stepSquared));
    coef[from]! -= t;
    coef[to]! += t;
    for (let d = 0; d < dim; d++) z[d]! += t * step[d]!;
    for (let i = 0; i < count; i++) g[i]! += t * sign(i) * dot(step, points, i, dim);
  }
  const distance = Math.sqrt(dot(z, z, 0, dim));
  const direction = z.map((v) => v / distance);
  // The boundary bisects the nearest points p (base hull) and n (other hull): z = p - n.
  const nearestBase = new Float64Array(dim);
  for (const i of classes[1]!) for (let d = 0; d < dim; d++) nearestBase[d]! += coef[i]! * points[i * dim + d]!;
  const bias = -(dot(direction, nearestBase, 0, dim) - distance / 2);
  return { direction, bias, margin: distance / 2, gap, iterations };
}

/** a . (row `index` of b), both of length dim. */
function dot(a: ArrayLike<number>, b: ArrayLike<number>, index: number, dim: number): number {
  let sum = 0;
  const offset = index * dim;
  for (let d = 0; d < dim; d++) sum += a[d]! * b[offset + d]!;
  return sum;
}

/** Degrees between two vectors. */
export function angleBetween(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const cosine = dot(a, b, 0, a.length) / Math.sqrt(dot(a, a, 0, a.length) * dot(b, b, 0, b.length));
  return (Math.acos(Math.max(-1, Math.min(1, cosine))) * 180) / Math.PI;
}
