/**
 * Inline Plotly figures in tslab notebooks. Each figure is one display_data bundle:
 * - application/vnd.plotly.v1+json: drawn by JupyterLab 4 / Notebook 7 (the plotly Python package's
 *   jupyterlab-plotly extension, trust-free) and by VS Code's built-in renderer;
 * - text/html: a div + tiny script drawing with window.Plotly, for classic Notebook 6 (after
 *   plotSetup()) and for HTML exports, whose template inlines plotly.js once;
 * - text/plain: what a terminal or a plain-text diff shows.
 * tslab's public display API sends one mime type per message, so the bundle goes through its
 * private hook (tslab is pinned at 1.0.22; see shared/research/ecosystem.md 1.5).
 */
import { randomBytes } from 'node:crypto';
import { figureHtml, plotlyScript } from './html';
import { runFailureLines } from './runFailures';
import type { PlotlyFigure } from './types';

export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

/** A Jupyter display_data message's content. */
export interface DisplayBundle {
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  transient: { display_id?: string };
}

export class NotInKernelError extends Error {
  constructor(what: string) {
    super(
      `${what} only works inside a running tslab notebook kernel (a notebook cell of the iwlab kernel). ` +
        'Outside a notebook write HTML instead: standaloneHtml(figures, { title }) from src/plots/html, ' +
        'or `npm run figure -- <figure-id>`.',
    );
    this.name = 'NotInKernelError';
  }
}

export interface ShowFigureOptions {
  /** Names the figure in the text/plain fallback; default the layout's title. */
  title?: string;
}

/** The display bundle of one figure; pure, so it is unit-tested without a kernel. */
export function plotBundle(figure: PlotlyFigure, id: string, options: ShowFigureOptions = {}): DisplayBundle {
  const plotly: Record<string, unknown> = { data: figure.data, layout: figure.layout };
  if (figure.config !== undefined) plotly.config = figure.config;
  return {
    data: {
      [PLOTLY_MIME]: plotly,
      'text/html': figureHtml(figure, id),
      'text/plain': `<Plotly figure: ${options.title ?? layoutTitle(figure) ?? 'untitled'}; ${figure.data.length} traces>`,
    },
    metadata: {},
    transient: {},
  };
}

/** Shows one Plotly figure as the output of the current notebook cell. */
export function showFigure(figure: PlotlyFigure, options: ShowFigureOptions = {}): void {
  const write = kernelDisplayWriter('showFigure');
  write(plotBundle(figure, `iwlab-plot-${randomBytes(6).toString('hex')}`, options), false);
  // After the figure, so the red line sits under the plot it explains; the notebook runners fail the cell on it.
  for (const line of runFailureLines(figure.failedRuns ?? [])) process.stderr.write(`${line}\n`);
}

/**
 * For classic Notebook 6 only, which does not render the Plotly mime type: puts plotly.js into the
 * page once (about 4.8 MB stored in the notebook's output), so the HTML fallbacks can draw. Needs a
 * trusted notebook. JupyterLab, Notebook 7 and VS Code need nothing.
 */
export function plotSetup(): void {
  const write = kernelDisplayWriter('plotSetup');
  const guarded = `if (!window.Plotly) {\n${plotlyScript()}\n}`;
  write({ data: { 'text/html': `<script type="text/javascript">${guarded}</script>`, 'text/plain': '<plotly.js loaded>' }, metadata: {}, transient: {} }, false);
}

export type DisplayWriter = (bundle: DisplayBundle, update: boolean) => void;

/**
 * tslab's hook for the current cell's outputs; it is set once a kernel has executed a cell.
 */
export function kernelDisplayWriter(what: string): DisplayWriter {
  // Only a kernel has loaded tslab's jupyter module; looking in the cache (instead of requiring
  // it) keeps the CLI and tests from loading tslab's TypeScript compiler just to fail.
  const loaded = require.cache[require.resolve('tslab/dist/jupyter')];
  const write = (loaded?.exports as { lastWriteDisplayData?: DisplayWriter | null } | undefined)?.lastWriteDisplayData;
  if (write === null || write === undefined) throw new NotInKernelError(what);
  return write;
}

function layoutTitle(figure: PlotlyFigure): string | undefined {
  const title = figure.layout.title;
  if (typeof title === 'string') return title;
  if (typeof title === 'object' && title !== null && typeof (title as { text?: unknown }).text === 'string') return (title as { text: string }).text;
  return undefined;
}
