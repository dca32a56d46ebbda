/**
 * Shared pieces of the browser tests: Debian's Chromium driven by playwright-core (no browser
 * download), and where screenshots go. Not a test file itself (no .browser.ts suffix).
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { REPO_ROOT } from '../../scripts/lib/kernelClient';
import type { PlotlyFigure } from '../../src/plots/types';

/** Screenshots and logs of the browser tests: CI keeps this folder as the run's artifacts. */
export const ARTIFACTS = path.resolve(process.env.IWLAB_ARTIFACTS ?? path.join(REPO_ROOT, 'test-artifacts', 'browser'));

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

export class ChromiumMissingError extends Error {
  constructor() {
    super(
      `The browser tests need a Chromium: none of ${CANDIDATES.join(', ')} exists. Install Debian's ` +
        '(`apt-get install chromium`) or set CHROMIUM to the executable.',
    );
    this.name = 'ChromiumMissingError';
  }
}

export function chromiumPath(): string {
  const found = [process.env.CHROMIUM, ...CANDIDATES].find((candidate): candidate is string => !!candidate && existsSync(candidate));
  if (found === undefined) throw new ChromiumMissingError();
  return found;
}

/**
 * Headless Chromium. As root it needs --no-sandbox; the background-networking flags stop its own
 * update/sync traffic, which a closed network refuses (and which would only add noise offline).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // No --user-data-dir: playwright refuses it here and already gives each launch a fresh profile.
    ],
  });
}

/** Saves a full-page screenshot under ARTIFACTS and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * How many trace groups plotly.js draws for a figure: traces that are visible and have data
 * (plotly skips a scatter with empty x/y; 'legendonly' and visible: false draw nothing).
 */
export function drawnTraceCount(figure: PlotlyFigure): number {
  return figure.data.filter((trace) => {
    if (trace.visible === false || trace.visible === 'legendonly') return false;
    const arrays = ['x', 'y', 'z'].map((key) => trace[key]).filter((value) => Array.isArray(value)) as unknown[][];
    return arrays.length === 0 || arrays.some((values) => values.length > 0);
  }).length;
}

/**
 * Run > Run All Cells. Right after the kernel first reports idle the front end can still be
 * wiring up its session, and a Run All sent then is sometimes dropped (cells stay "[ ]"); so if
 * no cell has started after a while, ask once more.
 */
export async function runAllCells(page: Page): Promise<void> {
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
export async function answerKernelDialog(page: Page): Promise<void> {
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
export const BENIGN_PAGE_ERRORS = /No active debugger session|Cannot read properties of undefined \(reading 'schema'\)/;
