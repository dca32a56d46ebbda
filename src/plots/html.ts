/**
 * Plotly figures as HTML: the per-figure snippet that notebooks and exports share, and a standalone
 * page with plotly.js inlined once (no CDN, works from disk with the network off).
 */
import { readFileSync } from 'node:fs';
import type { PlotlyFigure } from './types';

/** The plotly.js bundle the exports inline; the version is pinned in package.json (4.1.2). */
export const PLOTLY_BUNDLE = 'plotly.js-dist-min/plotly.min.js';

let plotlyText: string | undefined;

/** The text of plotly.min.js from node_modules, read once per process. */
export function plotlyScript(): string {
  plotlyText ??= readFileSync(require.resolve(PLOTLY_BUNDLE), 'utf8');
  return plotlyText;
}

/**
 * JSON that is safe inside an HTML `<script>`: `<` is escaped so a string holding `</script>` or
 * `<!--` cannot end the script early, and U+2028/U+2029 (line breaks to old JS parsers) are escaped.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** How long the snippet waits for window.Plotly before it says why nothing is drawn. */
const PLOTLY_WAIT_MS = 10000;

/**
 * A `<div>` plus a small script that draws the figure with `window.Plotly` once it exists. It polls
 * because in a notebook the library may arrive after the output (classic Notebook's plotSetup()
 * cell, or the export's head script), and it never loads plotly.js itself, so a page with many
 * figures carries the library once. Without plotly.js it writes a hint into the div instead.
 */
export function figureHtml(figure: PlotlyFigure, id: string): string {
  if (!/^[A-Za-z][\w-]*$/.test(id)) throw new RangeError(`A figure id must be a plain HTML id (letters, digits, - and _), got '${id}'.`);
  const height = typeof figure.layout.height === 'number' ? `${figure.layout.height}px` : '450px';
  const config: Record<string, unknown> = { responsive: true, ...figure.config };
  const filename = String((config.toImageButtonOptions as { filename?: unknown } | undefined)?.filename ?? id);
  return [
    `<div id="${id}" class="iwlab-plot" style="width:100%;min-height:${height}"></div>`,
    '<script type="text/javascript">',
    '(function () {',
    `  var id = ${scriptJson(id)}, data = ${scriptJson(figure.data)}, layout = ${scriptJson(figure.layout)}, config = ${scriptJson(config)};`,
    '  var started = Date.now();',
    '  function draw() {',
    '    var div = document.getElementById(id);',
    '    if (!div) return;',
    // The camera button saves PNG (config.toImageButtonOptions); this one saves SVG. A button with a
    // click function exists only here: the plotly JSON that JupyterLab draws cannot carry functions.
    '    if (window.Plotly) {',
    `      config.modeBarButtonsToAdd = [{ name: 'Download plot as SVG', icon: window.Plotly.Icons.disk, click: function (gd) { window.Plotly.downloadImage(gd, { format: 'svg', filename: ${scriptJson(filename)} }); } }];`,
    '      window.Plotly.newPlot(div, data, layout, config);',
    '      return;',
    '    }',
    `    if (Date.now() - started < ${PLOTLY_WAIT_MS}) { setTimeout(draw, 100); return; }`,
    "    div.style.minHeight = '0';",
    "    div.textContent = 'plotly.js is not loaded here. In JupyterLab or Notebook 7 install the plotly Python package; in classic Notebook 6 run plotSetup() once; exports made by npm run report include it.';",
    '  }',
    '  draw();',
    '})();',
    '</script>',
  ].join('\n');
}

export interface StandaloneOptions {
  /** Page title and top heading. */
  title: string;
  /** Plain text shown under the heading; blank lines separate paragraphs. */
  notes?: string;
}

/** A self-contained HTML page: plotly.js inlined once in the head, then every figure in order. */
export function standaloneHtml(figures: PlotlyFigure[], options: StandaloneOptions): string {
  const paragraphs = (options.notes ?? '')
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph !== '')
    .map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`);
  const body = figures.map((figure, index) => `<section class="figure">\n${figureHtml(figure, `iwlab-figure-${index + 1}`)}\n</section>`);
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(options.title)}</title>`,
    '<style>body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}p{line-height:1.5}section.figure{margin:2em 0}</style>',
    // A `</script>` inside plotly.min.js would end this element early; the bundle has none (tested).
    `<script type="text/javascript">${plotlyScript()}</script>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(options.title)}</h1>`,
    ...paragraphs,
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
