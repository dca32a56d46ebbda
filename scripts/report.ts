/**
 * `npm run report -- [--scale quick] [--seeds k] [--timeout 3600] [--out reports] [--no-input] [notebook.ipynb ...]`
 *
 * Executes notebooks at a chosen scale with the Node runner (scripts/notebooks.ts: no Jupyter, real
 * errors from the cell's stderr), then has Jupyter's nbconvert turn each executed notebook into a
 * self-contained offline page (jupyter/nbconvert/templates/iwlab: plotly.js inlined once, no CDN,
 * no require.js, no MathJax), and writes reports/<scale>/<name>.html with reports/<scale>/index.html
 * (one folder per scale, so a smoke report never overwrites a quick one) and reports/index.html
 * linking every scale's index.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './lib/kernelClient';
import { formatFailure, readNotebook } from './lib/notebook';
import { findJupyter } from './lib/jupyter';
import { ensureNotebookData } from './lib/notebookData';
import { type ReportEntry, externalReferences, indexHtml, reportScales, scaleReportDir, scalesIndexHtml, nbconvertHtmlArgs, notebookEngines, notebookSeeds, notebookTitle } from './lib/report';
import { defaultNotebooks, runNotebook } from './notebooks';
import { readSettings } from '../src/options';
import { parseCommandLine } from '../src/commandLine';
import { UsageError, describeError, errorExitCode, isDebug } from '../src/usageError';

const HELP = `Usage: npm run report -- [options] [notebook.ipynb ...]

Executes notebooks (default: every notebooks/*.ipynb) and exports each as offline HTML to
reports/<scale>/, with reports/<scale>/index.html listing them and reports/index.html every scale. Needs Jupyter's nbconvert for the HTML step: \`npm run
jupyter:install\` sets it up (or point $JUPYTER at a jupyter executable).
  --scale <smoke|quick|paper>  IWLAB_SCALE for the notebooks (default $IWLAB_SCALE, else quick)
  --seeds <k>                  IWLAB_SEEDS for the notebooks: seeds 0..k-1 per weight, curves with
                               95% t-interval bands (default $IWLAB_SEEDS, else each scale's own count);
                               the index says k
  --data <dir>, --results <dir>, --backend <name>
                               IWLAB_DATA_DIR, IWLAB_RESULTS, IWLAB_BACKEND for the notebooks
                               (default: the same variables here, else <repo>/data, <repo>/results)
  --timeout <seconds>          per-cell limit (default 3600)
  --out <dir>                  output folder (default reports)
  --no-input                   leave code cells out of the pages`;

export class ExportError extends Error {
  override name = 'ExportError';
}

/** Converts one executed notebook; returns the page's path. Throws ExportError with nbconvert's words. */
export function exportHtml(jupyter: string, executedNotebook: string, outDir: string, options: { noInput?: boolean } = {}): string {
  const result = spawnSync(jupyter, nbconvertHtmlArgs(executedNotebook, outDir, options), { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new ExportError(`nbconvert could not export ${executedNotebook} (exit ${result.status}):\n${(result.stderr || result.stdout || String(result.error)).trim()}`);
  }
  const page = path.join(outDir, `${path.basename(executedNotebook, '.ipynb')}.html`);
  const external = externalReferences(readFileSync(page, 'utf8'));
  if (external.length > 0) {
    throw new ExportError(`${page} would load from the network (${external.slice(0, 3).join(', ')}); the template in jupyter/nbconvert/templates/iwlab must empty the block that adds it.`);
  }
  return page;
}

/** Reads reports/index.json so that reporting one notebook keeps the others' rows. */
function loadManifest(file: string): ReportEntry[] {
  if (!existsSync(file)) return [];
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ReportEntry[];
  } catch {
    return [];
  }
}

async function main(args: string[]): Promise<void> {
  const { values, positionals } = parseCommandLine(
    args,
    {
      timeout: { type: 'string', default: '3600' },
      out: { type: 'string', default: path.join(REPO_ROOT, 'reports') },
      'no-input': { type: 'boolean', default: false },
    },
    '`npm run report -- --help`',
    ['scale', 'seeds', 'data', 'results', 'backend'],
  );
  if (values.help) return console.log(HELP);
  const settings = readSettings(values, { defaultScale: 'quick' });
  const { scale, seeds } = settings;
  const kernelSettings = { dataDir: settings.dataDir, resultsDir: settings.resultsDir, ...(settings.backend === undefined ? {} : { backend: settings.backend }) };
  const timeout = Number(values.timeout);
  if (!(timeout > 0)) throw new UsageError(`--timeout takes a positive number of seconds, got '${values.timeout}'.`);
  // Fail before hours of training if the export step cannot run.
  const jupyter = findJupyter(process.env, ['nbconvert']);
  const files = positionals.length > 0 ? positionals.map((file) => path.resolve(file)) : defaultNotebooks();
  // One folder per scale: a smoke report never overwrites a quick one.
  const reportsRoot = path.resolve(values.out);
  const outDir = scaleReportDir(reportsRoot, scale);
  const executedDir = path.join(REPO_ROOT, '.tmp', 'report', scale);
  mkdirSync(outDir, { recursive: true });
  await ensureNotebookData(files.map((file) => ({ file, notebook: readNotebook(file) })), { mirror: process.env.IWLAB_DATA_MIRROR || undefined, log: (line) => console.log(line) });

  const manifestFile = path.join(outDir, 'index.json');
  const entries = new Map(loadManifest(manifestFile).map((entry) => [entry.notebook, entry]));
  let failures = 0;
  for (const file of files) {
    const name = path.relative(REPO_ROOT, file);
    console.log(`running ${name} at scale ${scale} ...`);
    const run = await runNotebook(file, { scale, ...(seeds === undefined ? {} : { seeds }), ...kernelSettings, cellTimeoutSeconds: timeout, outDir: executedDir });
    // A failed run is still exported: the page shows how far it got and the error in its cell.
    const page = exportHtml(jupyter.command, run.output, outDir, { noInput: values['no-input'] });
    const failure = run.result.failure;
    if (failure) {
      failures += 1;
      console.error(formatFailure(name, failure));
    }
    entries.set(name, {
      href: path.relative(outDir, page),
      title: notebookTitle(readNotebook(file), file),
      notebook: name,
      scale: scale,
      seeds: notebookSeeds(file, scale, seeds),
      engine: notebookEngines(file, scale),
      status: failure ? 'failed' : 'ok',
      seconds: run.seconds,
      ...(failure ? { note: `code cell ${failure.codeCellNumber} (${failure.status})` } : {}),
    });
    console.log(`${failure ? 'FAIL' : 'ok  '} ${name} -> ${path.relative(process.cwd(), page)} (${run.seconds.toFixed(1)} s)`);
  }
  const sorted = [...entries.values()].sort((a, b) => a.notebook.localeCompare(b.notebook));
  writeFileSync(manifestFile, `${JSON.stringify(sorted, null, 2)}\n`);
  writeFileSync(path.join(outDir, 'index.html'), indexHtml(sorted, { generated: new Date(), scale }));
  writeFileSync(path.join(reportsRoot, 'index.html'), scalesIndexHtml(reportScales(reportsRoot)));
  console.log(`index: ${path.relative(process.cwd(), path.join(outDir, 'index.html'))} (every scale: ${path.relative(process.cwd(), path.join(reportsRoot, 'index.html'))})`);
  if (failures > 0) {
    console.error(`${failures} of ${files.length} notebooks failed; their pages show the error.`);
    process.exitCode = 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(describeError(error, isDebug(process.argv)));
    process.exitCode = errorExitCode(error);
  });
}
