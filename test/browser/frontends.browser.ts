/**
 * The notebook in real front ends, in headless Chromium: JupyterLab 4 and Notebook 7 (pip's
 * jupyterlab, notebook and plotly) run every cell on the iwlab kernel and draw each Plotly figure;
 * an exported report opened from disk with all network requests blocked draws every figure too.
 * Needs Jupyter on PATH (or $JUPYTER) and Chromium; `.ci/run` installs both. Screenshots go to
 * test-artifacts/browser/ (or $IWLAB_ARTIFACTS).
 *
 * The notebook is notebooks/01-toy-gaussian.ipynb at the smoke scale ($IWLAB_BROWSER_NOTEBOOK
 * picks another). The expected figures come from running it first with the Node runner.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT } from '../../scripts/lib/kernelClient';
import { type Notebook, formatFailure } from '../../scripts/lib/notebook';
import { exportHtml } from '../../scripts/report';
import { defaultNotebooks, runNotebook } from '../../scripts/notebooks';
import { findJupyter } from '../../scripts/lib/report';
import { PLOTLY_MIME } from '../../src/plots/display';
import type { PlotlyFigure } from '../../src/plots/types';
import { drawnTraceCount, launchChromium, screenshot } from './browser';
import { type JupyterServer, startJupyter } from './jupyterServer';

const NOTEBOOK = path.resolve(REPO_ROOT, process.env.IWLAB_BROWSER_NOTEBOOK ?? 'notebooks/01-toy-gaussian.ipynb');
const NAME = path.basename(NOTEBOOK);
const SCALE = 'smoke';
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

/**
 * Run > Run All Cells. Right after the kernel first reports idle the front end can still be
 * wiring up its session, and a Run All sent then is sometimes dropped (cells stay "[ ]"); so if
 * no cell has started after a while, ask once more.
 */
async function runAllCells(page: Page): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await answerKernelDialog(page);
    try {
      await page.getByRole('menuitem', { name: 'Run', exact: true }).click({ timeout: 10000 });
      await page.getByRole('menuitem', { name: /^Run All Cells/ }).click({ timeout: 10000 });
      await page.waitForFunction(
        `[...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].some((prompt) => /\\[(\\*|\\d+)\\]/.test(prompt.textContent || ''))`,
        undefined,
        { timeout: 20000, polling: 250 },
      );
      return;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

/**
 * On a loaded machine JupyterLab sometimes asks "Select Kernel" although the notebook names its
 * kernel and the session is already up (a race between loading the kernel specs and the session).
 * A person would pick the notebook's kernel; so do we, and only that one.
 */
async function answerKernelDialog(page: Page): Promise<void> {
  const dialog = page.locator('.jp-Dialog', { hasText: 'Select Kernel' });
  if (!(await dialog.isVisible())) return;
  await dialog.locator('select').selectOption({ label: 'TypeScript (iwlab)' });
  await dialog.getByRole('button', { name: 'Select' }).click();
  await dialog.waitFor({ state: 'hidden' });
}

/**
 * Errors the front ends throw on their own, whatever the kernel: the debugger extension for any
 * kernel without debugger support (tslab has none), and Notebook 7.6's shortcut extension, whose
 * pluginChanged handler reads `plugins[id].schema` of a plugin whose settings are not loaded yet.
 */
const BENIGN_PAGE_ERRORS = /No active debugger session|Cannot read properties of undefined \(reading 'schema'\)/;

/** Opens the notebook, runs all cells from the Run menu, and checks what the page shows. */
async function runAllAndCheck(server: JupyterServer, urlPath: string, shotName: string): Promise<void> {
  copyFileSync(NOTEBOOK, path.join(server.rootDir, NAME));
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
    console.log(`# ${server.app}: ${expectedTraces.length} figures drawn with ${expectedTraces.join(', ')} traces; screenshot ${file}`);
  } catch (error) {
    await screenshot(page, `${shotName}-failed`).catch(() => undefined);
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- jupyter ${server.app} log (tail) ---\n${server.log().slice(-4000)}`);
  } finally {
    await page.close();
  }
}

test('JupyterLab 4 runs the notebook on the iwlab kernel and draws every Plotly figure', async () => {
  const server = await startJupyter('lab', { ...process.env, IWLAB_SCALE: SCALE });
  try {
    await runAllAndCheck(server, '/lab/tree/', 'jupyterlab');
  } finally {
    await server.stop();
  }
});

test('Notebook 7 runs the notebook on the iwlab kernel and draws every Plotly figure', async () => {
  const server = await startJupyter('notebook', { ...process.env, IWLAB_SCALE: SCALE });
  try {
    await runAllAndCheck(server, '/notebooks/', 'notebook7');
  } finally {
    await server.stop();
  }
});

/** Exports one executed notebook and checks its page offline; returns the screenshot's path. */
async function checkReport(executedNotebook: string, expected: number[]): Promise<string> {
  const page = exportHtml(findJupyter().command, executedNotebook, workDir);
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
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
    const file = await screenshot(tab, `report-${path.basename(executedNotebook, '.ipynb')}`);
    assert.deepEqual(await drawnTraces(tab, '.iwlab-plot'), expected, `traces per figure (screenshot ${file})`);
    assert.deepEqual(requested, [], 'the report tried to load from the network');
    assert.deepEqual(pageErrors, []);
    return file;
  } finally {
    await context.close();
  }
}

test('an exported report opened from disk with the network blocked draws every figure', async () => {
  const file = await checkReport(executed, expectedTraces);
  console.log(`# report ${NAME}: ${expectedTraces.length} figures drawn offline with ${expectedTraces.join(', ')} traces; screenshot ${file}`);
});

test('every other notebook exports to a report that draws all its figures offline', { skip: process.env.IWLAB_BROWSER_NOTEBOOK !== undefined }, async () => {
  const others = defaultNotebooks().filter((file) => file !== NOTEBOOK);
  for (const notebook of others) {
    const name = path.basename(notebook);
    const run = await runNotebook(notebook, { scale: SCALE, cellTimeoutSeconds: 600, outDir: workDir });
    if (run.result.failure) assert.fail(`${name} fails before any browser is involved:\n${formatFailure(name, run.result.failure)}`);
    const expected = plotlyFigures(run.result.notebook).map(drawnTraceCount);
    const file = await checkReport(run.output, expected);
    console.log(`# report ${name}: ${expected.length} figures drawn offline with ${expected.join(', ')} traces; screenshot ${file}`);
  }
});
