/**
 * Does a drawn Plotly figure fit? Measured in the page: the figure's box must lie inside its
 * container (the notebook output area, the report's body), every text of the figure (title, panel
 * titles, axis titles, tick labels, legend entries) inside the figure, and no two of those texts may
 * overlap. Not a test file itself (no .browser.ts suffix).
 */
import type { Page } from 'playwright-core';

export interface LayoutProblem {
  /** Index of the figure on the page, in document order. */
  figure: number;
  problem: string;
}

/**
 * Runs in the page (a string: the project's tsconfig has no DOM types). For each element matching
 * `plotSelector`, the container is its closest ancestor matching `containerSelector`.
 */
const MEASURE = `({ plotSelector, containerSelector, tolerance }) => {
  const problems = [];
  const plots = [...document.querySelectorAll(plotSelector)];
  const describe = (el) => {
    const text = (el.textContent || '').trim().slice(0, 40);
    // Plotly's groups: xtick / x2tick ..., g-xtitle / g-x2title ..., g-gtitle, annotation, legend.
    const group = (selector) => el.closest(selector);
    const kind = group('.legend') ? 'legend' : group('g[class^="x"][class$="tick"]') ? 'x tick' : group('g[class^="y"][class$="tick"]') ? 'y tick'
      : group('.annotation') ? 'panel title' : group('.g-gtitle') ? 'title' : group('g[class^="g-x"][class$="title"]') ? 'x title'
      : group('g[class^="g-y"][class$="title"]') ? 'y title' : 'text';
    return kind + ' "' + text + '"';
  };
  plots.forEach((plot, figure) => {
    const box = plot.getBoundingClientRect();
    const container = plot.closest(containerSelector);
    if (container) {
      const outer = container.getBoundingClientRect();
      if (box.left < outer.left - tolerance || box.right > outer.right + tolerance) {
        problems.push({ figure, problem: 'figure spans x ' + Math.round(box.left) + '..' + Math.round(box.right) + ', its container ' + Math.round(outer.left) + '..' + Math.round(outer.right) });
      }
    }
    const texts = [...plot.querySelectorAll('svg text')].filter((el) => {
      if (!(el.textContent || '').trim()) return false;
      const style = getComputedStyle(el);
      if (style.display === 'none' || style.visibility === 'hidden' || Number(style.opacity) === 0) return false;
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0;
    });
    const rects = texts.map((el) => el.getBoundingClientRect());
    rects.forEach((r, i) => {
      if (r.left < box.left - tolerance || r.right > box.right + tolerance || r.top < box.top - tolerance || r.bottom > box.bottom + tolerance) {
        problems.push({ figure, problem: describe(texts[i]) + ' reaches outside the figure' });
      }
    });
    for (let i = 0; i < rects.length; i++) {
      for (let j = i + 1; j < rects.length; j++) {
        const a = rects[i], b = rects[j];
        const dx = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const dy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (dx > tolerance && dy > tolerance) problems.push({ figure, problem: describe(texts[i]) + ' overlaps ' + describe(texts[j]) });
      }
    }
  });
  return problems;
}`;

/** Every problem of every figure on the page (empty when all fit). */
export async function layoutProblems(page: Page, plotSelector: string, containerSelector: string): Promise<LayoutProblem[]> {
  return (await page.evaluate(`(${MEASURE})(${JSON.stringify({ plotSelector, containerSelector, tolerance: 1 })})`)) as LayoutProblem[];
}

/** How many figures on the page matched. */
export async function figureCount(page: Page, plotSelector: string): Promise<number> {
  return (await page.evaluate(`document.querySelectorAll(${JSON.stringify(plotSelector)}).length`)) as number;
}
