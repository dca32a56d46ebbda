/**
 * The notebook in real front ends, in headless Chromium: JupyterLab 4 and Notebook 7 (pip's
 * jupyterlab, notebook and plotly) run every cell on the iwlab kernel and draw each Plotly figure;
 * an exported report opened from disk with all network requests blocked draws every figure too.
 * At two window widths every figure must fit: its box inside the notebook (JupyterLab with its file
 * browser open) or the report's output area, and no two of its texts overlapping (./layoutCheck).
 * Tables offer CSV and figures PNG and SVG downloads. Saving the notebook in JupyterLab without an
 * edit leaves `git diff` empty (the git filter of `npm run jupyter:install`, and Jupyter's format).
 * Needs the Jupyter of `npm run jupyter:install` (or $JUPYTER) and Chromium (`.ci/run` installs
 * both). Screenshots go to test-artifacts/browser/ (or $IWLAB_ARTIFACTS).
 *
 * The notebook is notebooks/01-toy-gaussian.ipynb at the smoke scale ($IWLAB_BROWSER_NOTEBOOK
 * picks another). The expected figures come from running it first with the Node runner.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT } from '../../scripts/lib/kernelClient';
import { type Notebook, cleanNotebook, formatFailure, readNotebook, serializeNotebook } from '../../scripts/lib/notebook';
import { exportHtml } from '../../scripts/report';
import { defaultNotebooks, runNotebook } from '../../scripts/notebooks';
import { findJupyter } from '../../scripts/lib/report';
import { PLOTLY_MIME } from '../../src/plots/display';
import type { PlotlyFigure } from '../../src/plots/types';
import { BENIGN_PAGE_ERRORS, drawnTraceCount, launchChromium, runAllCells, screenshot } from './browser';
import { layoutProblems } from './layoutCheck';
import { type JupyterServer, startJupyter } from './jupyterServer';

const NOTEBOOK = path.resolve(REPO_ROOT, process.env.IWLAB_BROWSER_NOTEBOOK ?? 'notebooks/01-toy-gaussian.ipynb');
const NAME = path.basename(NOTEBOOK);
const SCALE = 'smoke';
/**
 * Window widths the figures must fit at. JupyterLab keeps its file browser open, which takes about
 * 300 px, so its narrow window is wider: 1100 px leaves the notebook about the 700 px the figures
 * are laid out for, as 800 px does for Notebook 7 and the report.
 */
const WIDTHS = { lab: [1400, 1100], notebook: [1400, 800], report: [1400, 800] } as const;
/** Generous: the kernel compiles src/ with tslab's TypeScript before the first cell runs. */
const RUN_ALL_TIMEOUT_MS = 300000;

let browser: Browser;
let workDir: string;
let executed: string;
let expectedTraces: number[];
let codeCells: number;

before(async () => {
  findJupyter(); // fail fast with the install command
  workDir = mkdtempSync(path.join(tmpdir(), 'iwlab-browser-'));
  const run = await runNotebook(NOTEBOOK, { scale: SCALE, cellTimeoutSeconds: 600, outDir: workDir });
  if (run.result.failure) assert.fail(`The notebook fails before any browser is involved:\n${formatFailure(NAME, run.result.failure)}`);
  executed = run.output;
  const notebook = run.result.notebook;
  codeCells = notebook.cells.filter((cell) => cell.cell_type === 'code').length;
  expectedTraces = plotlyFigures(notebook).map(drawnTraceCount);
  assert.ok(expectedTraces.length > 0, `${NAME} shows no Plotly figure, so there is nothing to check`);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

function plotlyFigures(notebook: Notebook): PlotlyFigure[] {
  return notebook.cells.flatMap((cell) =>
    (cell.outputs ?? []).flatMap((output) => (output.output_type === 'display_data' && PLOTLY_MIME in output.data ? [output.data[PLOTLY_MIME] as PlotlyFigure] : [])),
  );
}

/** Trace groups drawn in each Plotly SVG on the page, in document order. */
async function drawnTraces(page: Page, plotSelector: string): Promise<number[]> {
  return page.$$eval(plotSelector, (plots) => plots.map((plot) => plot.querySelectorAll('.main-svg g.mlayer > g').length));
}

/**
 * Error reports in what the cells wrote to stderr. tslab has no error output type: a thrown error
 * prints its stack, a type error prints "line:col - message", a stray rejection prints
 * "UnhandledPromiseRejection". Other stderr (the engine's "[iwlab] tfjs backend" line, tfjs's
 * banner) is information. (Every code cell having an execution count already shows no cell failed:
 * tslab aborts the cells queued behind an error, and those keep an empty prompt.)
 */
async function stderrErrors(page: Page): Promise<string[]> {
  const texts = await page.$$eval('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]', (outputs) => outputs.map((output) => output.textContent ?? ''));
  const errorLine = /^(\w*(Error|Exception)\b|\s*at \S.*:\d+:\d+\)?$|(\S+ )?\d+:\d+ - |UnhandledPromiseRejection|UncaughtException)/;
  return texts.flatMap((text) => text.split('\n')).filter((line) => errorLine.test(line));
}


/** Opens the notebook, runs all cells from the Run menu, and checks what the page shows. */
async function runAllAndCheck(server: JupyterServer, urlPath: string, shotName: string, options: { git?: boolean } = {}): Promise<void> {
  const git = options.git ? notebookRepo(server.rootDir) : undefined;
  if (!git) copyFileSync(NOTEBOOK, path.join(server.rootDir, NAME));
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => {
    if (!BENIGN_PAGE_ERRORS.test(String(error))) pageErrors.push(String(error));
  });
  try {
    await page.goto(`${server.baseUrl}${urlPath}${encodeURIComponent(NAME)}?token=${server.token}`);
    // The kernel is up when the toolbar's execution indicator says idle.
    await page.waitForSelector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', { timeout: 120000 });
    await page.waitForTimeout(1000);
    // Saved without an edit, once the kernel has told the front end its language_info.
    if (git) await saveAndDiff(page, server.rootDir, git, 'saved without an edit', { sameBytes: true });
    await runAllCells(page);
    // Done when every code cell has an execution count and none is queued or running ("[*]").
    // (Page functions are strings: the project's tsconfig has no DOM types.)
    await page.waitForFunction(
      `(() => {
        const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map((prompt) => prompt.textContent || '');
        return prompts.length === ${codeCells} && prompts.every((text) => /\\[\\d+\\]/.test(text));
      })()`,
      undefined,
      { timeout: RUN_ALL_TIMEOUT_MS, polling: 500 },
    );
    const plots = page.locator('.jp-OutputArea .js-plotly-plot');
    await plots.nth(expectedTraces.length - 1).waitFor({ timeout: 60000 });
    for (let index = 0; index < expectedTraces.length; index++) {
      // Lab draws outputs lazily off screen; bring each into view, then wait for its SVG.
      await plots.nth(index).scrollIntoViewIfNeeded();
      await plots.nth(index).locator('.main-svg').first().waitFor({ timeout: 30000 });
    }
    const file = await screenshot(page, shotName);
    assert.deepEqual(await drawnTraces(page, '.jp-OutputArea .js-plotly-plot'), expectedTraces, `traces per figure (screenshot ${file})`);
    assert.deepEqual(await stderrErrors(page), [], `a cell wrote an error (screenshot ${file})`);
    assert.deepEqual(pageErrors, [], `the page threw (screenshot ${file})`);
    // Outputs made in this session are trusted, so the table's CSV link survives; the camera saves PNG.
    assert.ok((await page.locator('.jp-OutputArea a[download$=".csv"]').count()) > 0, `no CSV download link under the tables (screenshot ${file})`);
    await checkDownload(page, plots.first(), 'Download plot as a PNG', '.png');
    // Saved with every output: the filter keeps them out of git, so the diff stays empty.
    if (git) await saveAndDiff(page, server.rootDir, git, 'saved after running every cell', { sameBytes: false });
    const shots = await checkFit(page, server.app, shotName, plots);
    console.log(`# ${server.app}: ${expectedTraces.length} figures drawn with ${expectedTraces.join(', ')} traces; screenshots ${[file, ...shots].join(', ')}`);
  } catch (error) {
    await screenshot(page, `${shotName}-failed`).catch(() => undefined);
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- jupyter ${server.app} log (tail) ---\n${server.log().slice(-4000)}`);
  } finally {
    await page.close();
  }
}



/**
 * A git repository in the server's root holding the notebook as committed (Jupyter's format, no
 * outputs), with .gitattributes and the clean filter as `npm run jupyter:install` configures it
 * (absolute paths: git runs it in this scratch repository).
 */
function notebookRepo(dir: string): (...args: string[]) => string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
  git('init', '-q');
  git('config', 'user.email', 'test@example.invalid');
  git('config', 'user.name', 'test');
  git('config', 'filter.iwlab-notebook.clean', `node --import ${require.resolve('tsx')} ${path.join(REPO_ROOT, 'scripts', 'notebook-clean.ts')}`);
  git('config', 'filter.iwlab-notebook.required', 'true');
  copyFileSync(path.join(REPO_ROOT, '.gitattributes'), path.join(dir, '.gitattributes'));
  writeFileSync(path.join(dir, NAME), serializeNotebook(cleanNotebook(readNotebook(NOTEBOOK))));
  git('add', '.');
  git('commit', '-qm', 'the notebook as committed');
  return git;
}

/**
 * Saves the open notebook with JupyterLab's own command (Ctrl+S), waits for the file to change on
 * disk, and checks `git diff --exit-code`; with `sameBytes`, also that JupyterLab wrote exactly the
 * committed bytes (its format is ours, so even without the filter nothing changes).
 */
async function saveAndDiff(page: Page, dir: string, git: (...args: string[]) => string, when: string, options: { sameBytes: boolean }): Promise<void> {
  const file = path.join(dir, NAME);
  const before = statSync(file).mtimeMs;
  await page.locator('.jp-NotebookPanel .jp-Notebook').first().click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+s');
  for (let waited = 0; statSync(file).mtimeMs === before; waited += 250) {
    if (waited > 30000) assert.fail(`JupyterLab did not save ${NAME} (${when}) within 30 s`);
    await page.waitForTimeout(250);
  }
  await page.waitForTimeout(500);
  if (options.sameBytes) {
    const raw = spawnSync('git', ['-c', 'filter.iwlab-notebook.clean=cat', 'diff', '--no-color', '--', NAME], { cwd: dir, encoding: 'utf8' }).stdout;
    assert.equal(raw, '', `JupyterLab wrote ${NAME} (${when}) differently from the committed format:\n${raw.slice(0, 3000)}`);
  }
  const diff = spawnSync('git', ['diff', '--exit-code', '--no-color', '--', NAME], { cwd: dir, encoding: 'utf8' });
  assert.equal(diff.status, 0, `git diff after JupyterLab ${when}:\n${diff.stdout.slice(0, 3000)}${diff.stderr}`);
  const stored = JSON.parse(git('show', `:${NAME}`)) as Notebook;
  assert.ok(stored.cells.every((cell) => cell.cell_type !== 'code' || (cell.outputs ?? []).length === 0), 'outputs reached the index');
}

/**
 * At each of the app's widths: the file browser open in JupyterLab, every figure redrawn for the new
 * width, then the layout check and a screenshot. Fails listing every problem of both widths.
 */
async function checkFit(page: Page, app: keyof typeof WIDTHS, shotName: string, plots: ReturnType<Page['locator']>): Promise<string[]> {
  const problems: string[] = [];
  const shots: string[] = [];
  for (const width of WIDTHS[app]) {
    await page.setViewportSize({ width, height: 1000 });
    if (app === 'lab') await openFileBrowser(page);
    await page.waitForTimeout(1500);
    for (let index = 0; index < (await plots.count()); index++) {
      await plots.nth(index).scrollIntoViewIfNeeded();
      await page.waitForTimeout(200);
    }
    const file = await screenshot(page, `${shotName}-${width}`);
    shots.push(file);
    const container = app === 'report' ? '.jp-OutputArea-output' : '.jp-Notebook';
    const selector = app === 'report' ? '.iwlab-plot' : '.jp-OutputArea .js-plotly-plot';
    problems.push(...(await layoutProblems(page, selector, container)).map((p) => `${width} px, figure ${p.figure + 1}: ${p.problem} (screenshot ${file})`));
  }
  assert.deepEqual(problems, [], 'figures that do not fit');
  return shots;
}

/** JupyterLab's file browser, open in the left side bar (as a person works with it). */
async function openFileBrowser(page: Page): Promise<void> {
  const browserPanel = page.locator('.jp-FileBrowser').first();
  if (await browserPanel.isVisible()) return;
  await page.locator('.jp-SideBar.jp-mod-left [data-id="filebrowser"]').first().click();
  await browserPanel.waitFor({ state: 'visible', timeout: 10000 });
}

/** Clicks a figure's toolbar button and checks the browser saves a file of that type. */
async function checkDownload(page: Page, plot: ReturnType<Page['locator']>, title: string, extension: string): Promise<void> {
  await plot.scrollIntoViewIfNeeded();
  await plot.hover();
  const button = plot.locator(`.modebar-btn[data-title="${title}"]`);
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30000 }), button.click({ timeout: 20000 })]);
  assert.ok(download.suggestedFilename().endsWith(extension), `${title} saved ${download.suggestedFilename()}`);
  assert.equal(await plot.locator('.modebar-btn[data-title="Share chart..."]').count(), 0, 'a toolbar button uploads the figure');
}

test('JupyterLab 4 runs the notebook on the iwlab kernel, draws every Plotly figure so that it fits, and a save changes nothing in git', async () => {
  const server = await startJupyter('lab', { ...process.env, IWLAB_SCALE: SCALE });
  try {
    await runAllAndCheck(server, '/lab/tree/', 'jupyterlab', { git: true });
  } finally {
    await server.stop();
  }
});

test('Notebook 7 runs the notebook on the iwlab kernel and draws every Plotly figure so that it fits', async () => {
  const server = await startJupyter('notebook', { ...process.env, IWLAB_SCALE: SCALE });
  try {
    await runAllAndCheck(server, '/notebooks/', 'notebook7');
  } finally {
    await server.stop();
  }
});

/** Exports one executed notebook and checks its page offline; returns the screenshot's path. */
async function checkReport(executedNotebook: string, expected: number[], options: { fit?: boolean; downloads?: boolean } = {}): Promise<string> {
  const page = exportHtml(findJupyter().command, executedNotebook, workDir);
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  const requested: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
    requested.push(url);
    return route.abort('internetdisconnected');
  });
  const tab = await context.newPage();
  const pageErrors: string[] = [];
  tab.on('pageerror', (error) => pageErrors.push(String(error)));
  try {
    await tab.goto(`file://${page}`);
    await tab.waitForFunction(`document.querySelectorAll('.iwlab-plot .main-svg').length >= ${expected.length}`, undefined, { timeout: 60000 });
    const name = `report-${path.basename(executedNotebook, '.ipynb')}`;
    const file = await screenshot(tab, name);
    assert.deepEqual(await drawnTraces(tab, '.iwlab-plot'), expected, `traces per figure (screenshot ${file})`);
    assert.deepEqual(requested, [], 'the report tried to load from the network');
    assert.deepEqual(pageErrors, []);
    if (options.downloads) {
      const plot = tab.locator('.iwlab-plot').first();
      await checkDownload(tab, plot, 'Download plot as a PNG', '.png');
      await checkDownload(tab, plot, 'Download plot as SVG', '.svg');
      const link = tab.locator('a[download$=".csv"]').first();
      const [download] = await Promise.all([tab.waitForEvent('download'), link.click()]);
      const csv = readFileSync(await download.path(), 'utf8');
      assert.match(csv, /^variant,weight,seeds,epoch \d+/, `the CSV of ${download.suggestedFilename()}`);
    }
    if (options.fit) return [file, ...(await checkFit(tab, 'report', name, tab.locator('.iwlab-plot')))].join(', ');
    return file;
  } finally {
    await context.close();
  }
}

test('an exported report opened from disk with the network blocked draws every figure', async () => {
  const file = await checkReport(executed, expectedTraces, { fit: true, downloads: true });
  console.log(`# report ${NAME}: ${expectedTraces.length} figures drawn offline with ${expectedTraces.join(', ')} traces; screenshot ${file}`);
});

test('every other notebook exports to a report that draws all its figures offline', { skip: process.env.IWLAB_BROWSER_NOTEBOOK !== undefined }, async () => {
  const others = defaultNotebooks().filter((file) => file !== NOTEBOOK);
  for (const notebook of others) {
    const name = path.basename(notebook);
    const run = await runNotebook(notebook, { scale: SCALE, cellTimeoutSeconds: 600, outDir: workDir });
    if (run.result.failure) assert.fail(`${name} fails before any browser is involved:\n${formatFailure(name, run.result.failure)}`);
    const expected = plotlyFigures(run.result.notebook).map(drawnTraceCount);
    // Every layout must fit in the report, at both widths.
    const file = await checkReport(run.output, expected, { fit: true });
    console.log(`# report ${name}: ${expected.length} figures drawn offline with ${expected.join(', ')} traces; screenshot ${file}`);
  }
});
