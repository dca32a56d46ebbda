/**
 * Plot styling shared by every figure. One colour per class weight, the same in every figure: the base class up-weighted in reds, down-weighted
 * in blues, darker the further from 1:1, and 1:1 itself in black.
 */
export function weightColor(weight: number, weights: readonly number[]): string {
  if (Math.abs(Math.log(weight)) < 1e-9) return '#111111';
  const extreme = Math.max(...weights.map((w) => Math.abs(Math.log(w))), Math.abs(Math.log(weight)));
  const strength = 0.35 + (0.65 * Math.abs(Math.log(weight))) / extreme; // 0.35 .. 1
  const [r, g, b] = weight > 1 ? [214, 39, 40] : [31, 119, 180];
  const mix = (channel: number) => Math.round(255 - (255 - channel) * strength);
  return `rgb(${mix(r)}, ${mix(g)}, ${mix(b)})`;
}

/** Plotly names subplot axes x, x2, x3...: the first has no number. */
export function axisSuffix(axis: number): string {
  return axis === 1 ? '' : String(axis);
}
