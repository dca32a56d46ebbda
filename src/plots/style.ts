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

/**
 * A subplot's bold title, above its panel ('top') or beside its row ('left', `shift` px left of the
 * panel: past its tick labels and axis title, which a fraction of the panel's width would not be).
 */
export function panelTitle(text: string, axis: number, side: 'top' | 'left', shift = -12): Record<string, unknown> {
  const suffix = axisSuffix(axis);
  const base = { text: `<b>${text}</b>`, xref: `x${suffix} domain`, yref: `y${suffix} domain`, showarrow: false, font: { size: 13 } };
  return side === 'top'
    ? { ...base, x: 0.5, y: 1, yshift: 4, xanchor: 'center', yanchor: 'bottom' }
    : { ...base, x: 0, xshift: shift, y: 0.5, xanchor: 'right', yanchor: 'middle', textangle: -90 };
}

/**
 * Sizes every figure shares. Widths follow the container (a notebook output area, a report page,
 * from about 700 px): layouts set no width, `autosize` and the `responsive` config redraw on
 * resize. Heights stay fixed per row of panels, and the gaps between panels are worked out in
 * pixels, so that tick labels, axis titles and panel titles of neighbouring panels never meet.
 */
/** Height of a row of Plotly buttons (updatemenus) with its air (px). */
const BUTTONS_ROW = 34;

export const LAYOUT = {
  /** The narrowest container the figures are laid out for (px). */
  minWidth: 700,
  /** Room under a row for its x tick labels (and the axis title, on the bottom row only). */
  xTicks: 24,
  xTitle: 22,
  /** Room above a row for its bold panel titles (one or two lines). */
  panelTitleLine: 17,
  /** Room left of a column for y tick labels ("0.25", "10^3"), and the y axis title. */
  yTicks: 42,
  yTitle: 22,
  /** The figure title: two lines (its <br><sup> line says scale and seeds); a third for long subtitles. */
  titleLine: 24,
  legendRow: 21,
} as const;

export interface GridFrame {
  title: string;
  /** Lines of the title, counting its <sup> lines (default 2). */
  titleLines?: number;
  rows: number;
  columns: number;
  /** Height of one panel (px). */
  panelHeight: number;
  /** Lines of the tallest panel title above a row (0: none; the top row only when `columnTitles`). */
  panelTitleLines: number;
  /** Panel titles sit above the top row only (column titles): rows below need no room for them. */
  columnTitles?: boolean;
  /** Whether panels show x tick labels (the toy boundaries have none). */
  xTicks?: boolean;
  /** Axis title under the bottom row (every row's x axis means the same: epochs). */
  xTitle?: boolean;
  /** y tick labels on every column (independent axes) or none. */
  yTicks?: boolean;
  /** A y axis title left of the first column. */
  yTitle?: boolean;
  /** Bold row titles left of the first column (turned 90 degrees). */
  rowTitles?: boolean;
  /** Legend entries (names) and an optional legend title, for the room under the plot. */
  legend: { names: readonly string[]; title?: string };
  /** The last column's title, if it is wider than its panel may be: the right margin makes room for its overhang. */
  lastColumnTitle?: string;
  /** A row of buttons (Plotly updatemenus) between the title and the panels: room is made, `buttonsY` says where. */
  buttons?: boolean;
}

/**
 * Layout of a grid of panels that fits its container: title and legend (horizontal, under the plot,
 * so it stays visible at any width) included. Returns the layout fields to spread into a figure's
 * layout, and the x offset (px, negative) where row titles go.
 */
export function gridLayout(frame: GridFrame): { layout: Record<string, unknown>; rowTitleShift: number; buttonsY: number } {
  const xTicks = frame.xTicks === false ? 0 : LAYOUT.xTicks;
  const xTitle = frame.xTitle ? LAYOUT.xTitle : 0;
  const yTicks = frame.yTicks === false ? 0 : LAYOUT.yTicks;
  const titleRoom = frame.panelTitleLines * LAYOUT.panelTitleLine;
  // Between rows: the upper row's tick labels, then the lower row's panel titles, then a little air.
  const rowGap = xTicks + (frame.columnTitles ? 0 : titleRoom) + 16;
  // Between columns: the right panel's y tick labels, half of the left panel's last x tick label, air.
  const columnGapPx = yTicks + 28;
  const legendRows = legendRowsAt(LAYOUT.minWidth, frame.legend.names);
  const legendHeight = frame.legend.names.length === 0 ? 0 : (legendRows + (frame.legend.title ? (frame.legend.title.split('<br>').length) : 0)) * LAYOUT.legendRow + 8;
  // A long first line is broken: SVG text does not wrap, and at 700 px about 62 characters fit.
  const [head = '', ...rest] = frame.title.split('<br>');
  const title = [wrapTitle(head, 62), ...rest].join('<br>');
  const buttonsRoom = frame.buttons ? BUTTONS_ROW : 0;
  const top = Math.max(frame.titleLines ?? 2, titleLines(title)) * LAYOUT.titleLine + 16 + titleRoom + buttonsRoom;
  const bottomAxis = xTicks + xTitle + 14;
  const bottom = bottomAxis + legendHeight;
  const left = yTicks + (frame.yTitle ? LAYOUT.yTitle : 0) + (frame.rowTitles ? LAYOUT.panelTitleLine * 2 + 6 : 0) + 12;
  const plotHeight = frame.rows * frame.panelHeight + (frame.rows - 1) * rowGap;
  const height = plotHeight + top + bottom;
  // Plotly's gaps are fractions of a cell plus its gap; the column gap is sized for the narrowest panel.
  const narrowest = (LAYOUT.minWidth - left - 16 - (frame.columns - 1) * columnGapPx) / frame.columns;
  // A centred title wider than the last panel hangs over the figure's right edge by half the difference
  // (bold 13 px text: about 7.5 px a character), measured at 600 px to leave slack below the nominal width.
  const narrowestAt600 = narrowest - (LAYOUT.minWidth - 600) / frame.columns;
  const overhang = frame.lastColumnTitle ? (7.5 * Math.max(...frame.lastColumnTitle.split('<br>').map((line) => plainText(line).length))) / 2 - narrowestAt600 / 2 : 0;
  const right = Math.max(16, Math.ceil(overhang + 6));
  const layout: Record<string, unknown> = {
    // plotly.js places a title of several lines about 12 px higher than its one-line anchor (measured
    // with 4.1): the larger pad puts every title's top 6 px under the figure's edge.
    title: { text: title, x: 0, xanchor: 'left', xref: 'paper', y: 1, yanchor: 'top', yref: 'container', pad: { t: titleLines(title) > 1 ? 22 : 10 } },
    autosize: true,
    height,
    // Every axis (a template reaches all of them): the lowest y label and the first x label meet at
    // a panel's corner (epoch 1 under "0"); a few pixels more off the axis keep them apart.
    template: { layout: { xaxis: { ticklabelstandoff: 3 }, yaxis: { ticklabelstandoff: 5 } } },
    margin: { l: left, r: right, t: top, b: bottom, autoexpand: true },
    grid: { rows: frame.rows, columns: frame.columns, pattern: 'independent', xgap: round3(columnGapPx / (narrowest + columnGapPx)), ygap: round3(rowGap / (frame.panelHeight + rowGap)) },
    legend: {
      orientation: 'h',
      x: 0,
      xanchor: 'left',
      // Just under the bottom row's axis title, in plot-area units (the plot area's height is fixed).
      y: round3(-bottomAxis / plotHeight),
      yanchor: 'top',
      ...(frame.legend.title ? { title: { text: frame.legend.title, side: 'top' } } : {}),
    },
  };
  // The buttons' bottom edge just above the top row's panel titles, in plot-area units (its height is fixed).
  const buttonsY = round3(1 + (titleRoom + 6) / plotHeight);
  return { layout, rowTitleShift: -(yTicks + (frame.yTitle ? LAYOUT.yTitle : 0) + 8), buttonsY };
}

/** Rows a horizontal legend takes at a given width (entries about 7 px per character plus the line sample). */
export function legendRowsAt(width: number, names: readonly string[]): number {
  let rows = names.length === 0 ? 0 : 1;
  let used = 0;
  for (const name of names) {
    const entry = 46 + 7 * plainText(name).length;
    if (used > 0 && used + entry > width - 20) {
      rows += 1;
      used = 0;
    }
    used += entry;
  }
  return rows;
}

/** Log axes ticked at powers of ten only, written 10^k past 100: no "1000" running into "1". */
/** A log axis of class weights ticked at the weights themselves ("1:16" ... "16:1"), no in-between labels. */
export function weightAxis(weights: readonly number[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const all = [...new Set(weights)].sort((a, b) => a - b);
  // More than five weights (the papers' 1:256 ... 256:1) would crowd a 700 px panel: every other one, keeping 1:1's parity.
  const one = all.findIndex((weight) => weight >= 1);
  const ticks = all.length <= 5 ? all : all.filter((_, i) => (i - Math.max(0, one)) % 2 === 0);
  return { type: 'log', tickvals: ticks, ticktext: ticks.map(weightTick), ...extra };
}

function weightTick(weight: number): string {
  return weight >= 1 ? `${Number(weight.toPrecision(3))}:1` : `1:${Number((1 / weight).toPrecision(3))}`;
}

export function logAxis(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'log', dtick: 1, exponentformat: 'power', minexponent: 3, ...extra };
}

/** A long panel title broken into two lines at the space nearest its middle, so columns at 700 px never meet. */
export function wrapTitle(text: string, maxChars = 26): string {
  if (plainText(text).length <= maxChars || !text.includes(' ')) return text;
  const middle = text.length / 2;
  let best = -1;
  for (let i = text.indexOf(' '); i !== -1; i = text.indexOf(' ', i + 1)) if (best === -1 || Math.abs(i - middle) < Math.abs(best - middle)) best = i;
  return `${text.slice(0, best)}<br>${text.slice(best + 1)}`;
}

/** Lines a (possibly wrapped) title takes. */
export function titleLines(text: string): number {
  return text.split('<br>').length;
}

/**
 * The toolbar every figure gets: PNG from the camera button at twice the screen's resolution, named
 * after the figure; without plotly.js 4's "Share chart" button, which uploads the figure to a cloud
 * service (reports are meant to work offline, and results are not to leave the machine by a click).
 */
export function figureConfig(filename: string): Record<string, unknown> {
  return { responsive: true, displaylogo: false, modeBarButtonsToRemove: ['sendChartToCloud'], toImageButtonOptions: { format: 'png', filename: fileSafe(filename), scale: 2 } };
}

function fileSafe(name: string): string {
  return plainText(name).replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'figure';
}

function plainText(text: string): string {
  return text.replace(/<[^>]*>/g, '');
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
