import { formatFraction, formatWeight } from '../experiments/expand';
import type { Variant } from '../experiments/types';

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

/** How the curves of one (variant, class weight) are named, grouped and dashed in a legend. */
export interface CurveLook {
  name: string;
  legendgroup: string;
  /** 'dash' for sub-sampled runs; undefined for solid lines. */
  dash?: string;
}

/**
 * Name and line style of one variant's curve for one class weight: "sub-sampled to 1/16" (dashed) for a
 * sub-sampling variant, else "weight 16:1" when `prefixed`, the papers' bare "16:1" when not.
 */
export function curveLook(variant: Variant, weight: number, prefixed: boolean): CurveLook {
  if (variant.weighting === 'subsample') {
    return { name: weight === 1 ? 'all kept, 1:1' : formatFraction(weight), legendgroup: `subsample ${weight}`, dash: 'dash' };
  }
  return { name: prefixed ? `weight ${formatWeight(weight)}` : formatWeight(weight), legendgroup: String(weight) };
}

// Defined beside the weighting it asks about; the legends and the toy limits both ask it.
export { comparesWeightings } from '../experiments/expand';

/** Shows each legend entry once: true the first time a name is asked about. */
export function legendOnce(): (name: string) => boolean {
  const shown = new Set<string>();
  return (name) => {
    if (shown.has(name)) return false;
    shown.add(name);
    return true;
  };
}

/** A subplot's bold title, above its panel ('top') or beside its row ('left'). */
export function panelTitle(text: string, axis: number, side: 'top' | 'left'): Record<string, unknown> {
  const suffix = axisSuffix(axis);
  return side === 'top'
    ? { text: `<b>${text}</b>`, xref: `x${suffix} domain`, yref: `y${suffix} domain`, x: 0.5, y: 1.02, xanchor: 'center', yanchor: 'bottom', showarrow: false }
    : { text: `<b>${text}</b>`, xref: `x${suffix} domain`, yref: `y${suffix} domain`, x: -0.08, y: 0.5, xanchor: 'right', yanchor: 'middle', showarrow: false, textangle: -90 };
}
