/**
 * Every figure layout, drawn by plotly.js in headless Chromium on a plain page at two window widths
 * (1400 px and 800 px, where the figure's container is about 740 px, near the 700 px the layouts are
 * made for): each figure stays inside its container, keeps its texts inside itself, and no two texts
 * (titles, panel titles, axis titles, tick labels, legend entries) overlap. Needs Chromium only (no
 * Jupyter). Screenshots in test-artifacts/browser/figures-<width>.png.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { standaloneHtml } from '../../src/plots/html';
import { launchChromium, screenshot } from './browser';
import { figureCount, layoutProblems } from './layoutCheck';
import { sampleFigures } from '../plots/sampleFigures';

let browser: Browser;
let dir: string;
let page: string;
let names: string[];

before(async () => {
  const figures = await sampleFigures();
  names = figures.map((entry) => entry.name);
  dir = mkdtempSync(path.join(tmpdir(), 'iwlab-figures-'));
  page = path.join(dir, 'figures.html');
  writeFileSync(page, standaloneHtml(figures.map((entry) => entry.figure), { title: 'Every figure layout' }));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

for (const width of [1400, 800]) {
  test(`at a ${width} px window every figure fits its container and no two of its texts overlap`, async () => {
    const tab = await browser.newPage({ viewport: { width, height: 900 } });
    try {
      await tab.goto(`file://${page}`);
      await tab.waitForFunction(`document.querySelectorAll('.iwlab-plot .main-svg').length >= ${names.length}`, undefined, { timeout: 60000 });
      await tab.waitForTimeout(500);
      assert.equal(await figureCount(tab, '.iwlab-plot'), names.length);
      const file = await screenshot(tab, `figures-${width}`);
      const problems = (await layoutProblems(tab, '.iwlab-plot', 'section.figure')).map((p) => `${names[p.figure]}: ${p.problem}`);
      assert.deepEqual(problems, [], `layout problems (screenshot ${file})`);
    } finally {
      await tab.close();
    }
  });
}
