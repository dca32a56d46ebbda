/**
 * Pieces of `npm run report` that need no Jupyter: the nbconvert command line,
 * the index page, and the check that an exported page loads nothing from the network.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { engineLabel } from '../../src/engine/provenance';
import { FIGURES } from '../../src/experiments/figures';
import { loadStoredRuns } from '../../src/experiments/frames';
import type { ResultStore } from '../../src/experiments/resultStore';
import type { ScaleName } from '../../src/experiments/types';
import { escapeHtml } from '../../src/plots/html';
import { REPO_ROOT } from './kernelClient';
import { type Notebook, sourceText } from './notebook';

export const TEMPLATE_DIRS = path.join(REPO_ROOT, 'jupyter', 'nbconvert', 'templates');
export const TEMPLATE_NAME = 'iwlab';
/** Put on the template path so that the template's include_js("plotly.min.js") finds the file. */
export const PLOTLY_DIR = path.dirname(require.resolve('plotly.js-dist-min/plotly.min.js'));
/** Outputs of cells with this tag are left out of reports (classic Notebook's plotSetup() cell). */
export const PLOTLY_SETUP_TAG = 'plotly-setup';

// Finding Jupyter lives in ./jupyter (npm run lab and the browser tests use it too); re-exported for older imports.
export { JUPYTER_INSTALL_COMMAND, JupyterMissingError, findJupyter } from './jupyter';

/** Arguments for `jupyter nbconvert` turning an executed notebook into a self-contained page. */
export function nbconvertHtmlArgs(notebookFile: string, outDir: string, options: { noInput?: boolean } = {}): string[] {
  const args = [
    'nbconvert',
    '--to',
    'html',
    '--template',
    TEMPLATE_NAME,
    `--TemplateExporter.extra_template_basedirs=${TEMPLATE_DIRS}`,
    `--TemplateExporter.extra_template_paths=${PLOTLY_DIR}`,
    `--TagRemovePreprocessor.remove_all_outputs_tags=${PLOTLY_SETUP_TAG}`,
    '--output-dir',
    outDir,
  ];
  if (options.noInput) args.push('--no-input');
  args.push(notebookFile);
  return args;
}

/**
 * What an offline page must not have: scripts, styles, frames or images fetched from elsewhere.
 * (URLs inside inlined script text, such as plotly.js's map-tile servers, are not requests.)
 */
export function externalReferences(html: string): string[] {
  const withoutScriptBodies = html.replace(/(<script\b[^>]*>)[\s\S]*?<\/script>/gi, '$1</script>');
  const found: string[] = [];
  const tag = /<(script|link|iframe|img|source|embed)\b[^>]*?\s(src|href)\s*=\s*["']?([^"'\s>]+)/gi;
  for (const match of withoutScriptBodies.matchAll(tag)) {
    const url = match[3] ?? '';
    if (/^(data:|#|$)/i.test(url)) continue;
    found.push(`<${match[1]} ${match[2]}="${url}">`);
  }
  return found;
}

/** The notebook's first markdown heading, else its file name. */
export function notebookTitle(notebook: Notebook, file: string): string {
  for (const cell of notebook.cells) {
    if (cell.cell_type !== 'markdown') continue;
    const heading = /^#{1,6}\s+(.+)$/m.exec(sourceText(cell.source));
    if (heading?.[1]) return heading[1].trim();
  }
  return path.basename(file, '.ipynb');
}

/**
 * Which engines trained the stored runs of the figure a notebook is named after, at that scale, in
 * words for the index ("tensorflow 2.21.0, 2 threads"; several joined with " + "), from each run's
 * engine.json. A notebook of several figures (the overview) reads its figures' own reports.
 */
export function notebookEngines(file: string, scale: ScaleName, store?: ResultStore): string {
  const figure = FIGURES.find((spec) => path.basename(file, '.ipynb').replace(/^\d+-/, '') === spec.id);
  if (figure === undefined) return "see each figure's report";
  const labels = new Set(loadStoredRuns(figure.id, { scale, ...(store === undefined ? {} : { store }) }).flatMap((run) => (run.engine ?? []).map(engineLabel)));
  return labels.size === 0 ? 'not recorded' : [...labels].join(' + ');
}

/**
 * The seeds a notebook ran with, in words for the index: the k that --seeds / IWLAB_SEEDS set, else
 * the scale's own count of the figure the notebook is named after (notebooks/NN-<figure>.ipynb), else
 * "each figure's scale default" (a notebook of several figures, such as the overview).
 */
export function notebookSeeds(file: string, scale: ScaleName, seeds: number | undefined): string {
  if (seeds !== undefined) return `k = ${seeds}`;
  const figure = FIGURES.find((spec) => path.basename(file, '.ipynb').replace(/^\d+-/, '') === spec.id);
  return figure ? `k = ${figure.scales[scale].seeds} (scale default)` : "each figure's scale default";
}

export interface ReportEntry {
  /** File name of the page, relative to the index. */
  href: string;
  title: string;
  notebook: string;
  scale: string;
  /** Seeds per (variant, weight), as notebookSeeds words it; absent in manifests from before seeds were reported. */
  seeds?: string;
  status: 'ok' | 'failed';
  seconds: number;
  /** One line on why it failed. */
  note?: string;
  /** The engines that trained the figure's stored runs (notebookEngines); absent in older manifests. */
  engine?: string;
}

/** reports/<scale>/index.html: one row per notebook, self-contained (no scripts at all). */
export function indexHtml(entries: ReportEntry[], options: { generated: Date; scale?: string }): string {
  const heading = options.scale ? `iwlab reports, ${options.scale} scale` : 'iwlab reports';
  const rows = entries.map(
    (entry) =>
      `<tr><td><a href="${escapeHtml(encodeURI(entry.href))}">${escapeHtml(entry.title)}</a></td>` +
      `<td><code>${escapeHtml(entry.notebook)}</code></td><td>${escapeHtml(entry.scale)}</td><td>${escapeHtml(entry.seeds ?? 'not recorded')}</td>` +
      `<td class="${entry.status}">${entry.status === 'ok' ? 'ok' : `failed${entry.note ? `: ${escapeHtml(entry.note)}` : ''}`}</td>` +
      `<td>${escapeHtml(entry.engine ?? 'not recorded')}</td><td>${entry.seconds.toFixed(0)} s</td></tr>`,
  );
  return indexPage(heading, [
    ...(options.scale ? ['<p><a href="../index.html">Every scale</a></p>'] : []),
    `<p>Executed notebooks, generated ${escapeHtml(options.generated.toISOString())}. Each page is self-contained and works offline.</p>`,
    '<p>Seeds: k runs (seeds 0..k-1) per variant and class weight. Curves are the mean over the k seeds; with k &gt; 1 a band shows the 95% t-interval of the mean, and tables hold means over seeds.</p>',
    '<table>',
    '<tr><th>Report</th><th>Notebook</th><th>Scale</th><th>Seeds (k)</th><th>Status</th><th>Engine</th><th>Time</th></tr>',
    ...rows,
    '</table>',
  ]);
}

/** A self-contained index page (no scripts): the heading as title and h1, then the body lines. */
function indexPage(heading: string, body: readonly string[]): string {
  return ['<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">', `<title>${escapeHtml(heading)}</title>`, INDEX_STYLE, '</head>', '<body>', `<h1>${escapeHtml(heading)}</h1>`, ...body, '</body>', '</html>', ''].join('\n');
}

const INDEX_STYLE =
  '<style>body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}' +
  'table{border-collapse:collapse}td,th{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left}.failed{color:#b00}</style>';

/** Where one scale's pages, index.html and index.json go: its own folder, so scales never overwrite each other. */
export function scaleReportDir(root: string, scale: string): string {
  return path.join(root, scale);
}

/** A scale folder under reports/ and what its manifest says. */
export interface ScaleReports {
  scale: string;
  notebooks: number;
  failed: number;
}

/** The scale folders under `root` that hold a report manifest (index.json), in the scales' order. */
export function reportScales(root: string): ScaleReports[] {
  return (['smoke', 'quick', 'paper'] as const).flatMap((scale) => {
    const manifest = path.join(scaleReportDir(root, scale), 'index.json');
    if (!existsSync(manifest)) return [];
    try {
      const entries = JSON.parse(readFileSync(manifest, 'utf8')) as ReportEntry[];
      return [{ scale, notebooks: entries.length, failed: entries.filter((entry) => entry.status === 'failed').length }];
    } catch {
      return [{ scale, notebooks: 0, failed: 0 }];
    }
  });
}

/** reports/index.html: a link to each scale's own index. */
export function scalesIndexHtml(scales: readonly ScaleReports[]): string {
  const rows = scales.map(
    (entry) =>
      `<tr><td><a href="${entry.scale}/index.html">${entry.scale} scale</a></td><td>${entry.notebooks} notebooks</td>` +
      `<td class="${entry.failed > 0 ? 'failed' : 'ok'}">${entry.failed > 0 ? `${entry.failed} failed` : 'all ok'}</td></tr>`,
  );
  return indexPage('iwlab reports', [
    '<p>One folder per scale (smoke: seconds, for CI; quick: minutes on a laptop; paper: the published protocol), so one scale never overwrites another.</p>',
    '<table>',
    '<tr><th>Scale</th><th>Reports</th><th>Status</th></tr>',
    ...rows,
    '</table>',
  ]);
}
