// Figures that fit: sized by their container, legends under the plot, gaps worked out in pixels, a toolbar that saves PNG and SVG.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { figureHtml } from '../../src/plots/html';
import { LAYOUT, figureConfig, gridLayout, legendRowsAt, logAxis, weightAxis, wrapTitle } from '../../src/plots/style';
import { sampleFigures } from './sampleFigures';

const samples = sampleFigures();

test('no figure fixes its width: each autosizes to its container, redraws on resize, and keeps a fixed height', async () => {
  for (const { name, figure } of await samples) {
    assert.equal(figure.layout.width, undefined, `${name} sets a width`);
    assert.equal(figure.layout.autosize, true, name);
    assert.equal(figure.config?.responsive, true, name);
    assert.equal(typeof figure.layout.height, 'number', name);
  }
});

test('every legend is horizontal, under the plot, starting at its left edge (visible at any width)', async () => {
  for (const { name, figure } of await samples) {
    const legend = figure.layout.legend as { orientation: string; y: number; yanchor: string; x: number; xanchor: string };
    assert.equal(legend.orientation, 'h', name);
    assert.ok(legend.y < 0 && legend.yanchor === 'top', `${name}: legend under the plot`);
    assert.deepEqual([legend.x, legend.xanchor], [0, 'left'], name);
  }
});

test('every log epoch axis is ticked at powers of ten, written as powers past 100', async () => {
  let logAxes = 0;
  for (const { name, figure } of await samples) {
    for (const [key, axis] of Object.entries(figure.layout)) {
      if (!/^xaxis\d*$/.test(key) || (axis as { type?: string }).type !== 'log') continue;
      if ('tickvals' in (axis as object)) continue; // a class-weight axis, ticked at its weights (next test)
      logAxes += 1;
      assert.deepEqual([(axis as { dtick: number }).dtick, (axis as { exponentformat: string }).exponentformat], [1, 'power'], `${name} ${key}`);
    }
  }
  assert.ok(logAxes > 20, 'the samples have log axes to check');
});

test('a class-weight axis is ticked at the weights, every other one (1:1 kept) past five', () => {
  assert.deepEqual(weightAxis([1 / 4, 1, 4, 1]), { type: 'log', tickvals: [1 / 4, 1, 4], ticktext: ['1:4', '1:1', '4:1'] });
  const papers = [1 / 256, 1 / 64, 1 / 16, 1 / 4, 1, 4, 16, 64, 256];
  assert.deepEqual((weightAxis(papers) as { ticktext: string[] }).ticktext, ['1:256', '1:16', '1:1', '16:1', '256:1']);
});

test('every panel title above a row is centred on its panel, and no upper row has an x axis title to run into it', async () => {
  for (const { name, figure } of await samples) {
    const grid = figure.layout.grid as { rows: number; columns: number };
    for (let axis = 1; axis <= grid.rows * grid.columns - grid.columns; axis++) {
      const xaxis = figure.layout[axis === 1 ? 'xaxis' : `xaxis${axis}`] as { title?: unknown };
      assert.equal(xaxis.title, undefined, `${name}: upper-row axis ${axis} has an x title`);
    }
  }
});

test('rows are apart by tick labels plus panel titles, columns by y tick labels plus half an x label, in pixels at 700 px', () => {
  const { layout } = gridLayout({ title: 't<br><sup>s</sup>', rows: 3, columns: 2, panelHeight: 250, panelTitleLines: 2, legend: { names: ['16:1', '1:16'] }, xTitle: true });
  const grid = layout.grid as { xgap: number; ygap: number };
  // Plotly's gap is a fraction of (cell + gap).
  const rowGap = (grid.ygap * 250) / (1 - grid.ygap);
  assert.ok(rowGap >= LAYOUT.xTicks + 2 * LAYOUT.panelTitleLine, `row gap ${rowGap} px`);
  const margin = layout.margin as { l: number; r: number; t: number; b: number };
  const cell = (LAYOUT.minWidth - margin.l - margin.r) / (2 - grid.xgap);
  assert.ok(cell * grid.xgap >= LAYOUT.yTicks + 20, `column gap ${cell * grid.xgap} px`);
  const plotHeight = 3 * 250 + 2 * rowGap;
  assert.ok(Math.abs((layout.height as number) - (plotHeight + margin.t + margin.b)) < 1);
});

test('a legend too wide for one row at 700 px gets the rows it needs under the plot', () => {
  const names = Array.from({ length: 12 }, (_, i) => `figure-${i}: a long variant label`);
  assert.equal(legendRowsAt(700, ['16:1']), 1);
  assert.ok(legendRowsAt(700, names) >= 4);
  const few = gridLayout({ title: 't', rows: 1, columns: 2, panelHeight: 300, panelTitleLines: 1, legend: { names: ['a'] } }).layout;
  const many = gridLayout({ title: 't', rows: 1, columns: 2, panelHeight: 300, panelTitleLines: 1, legend: { names } }).layout;
  assert.ok((many.margin as { b: number }).b - (few.margin as { b: number }).b >= 3 * LAYOUT.legendRow);
});

test('long titles are broken at the space nearest their middle; short ones are kept', () => {
  assert.equal(wrapTitle('in-domain test set'), 'in-domain test set');
  assert.equal(wrapTitle('out-of-domain base-class fraction'), 'out-of-domain<br>base-class fraction');
  assert.deepEqual(logAxis({ title: { text: 'epoch' } }), { type: 'log', dtick: 1, exponentformat: 'power', minexponent: 3, title: { text: 'epoch' } });
});

test("the toolbar saves PNG from the camera button (in JupyterLab's renderer too: it is in the JSON config) and SVG from a button of the HTML view", async () => {
  assert.deepEqual(figureConfig('cifar-cnn: fractions').toImageButtonOptions, { format: 'png', filename: 'cifar-cnn-fractions', scale: 2 });
  assert.deepEqual(figureConfig('x').modeBarButtonsToRemove, ['sendChartToCloud'], 'no button uploads a figure');
  for (const { name, figure } of await samples) assert.equal((figure.config?.toImageButtonOptions as { format: string }).format, 'png', name);
  const { figure } = (await samples)[0]!;
  const html = figureHtml(figure, 'f1');
  assert.match(html, /name: 'Download plot as SVG'/);
  assert.match(html, /downloadImage\(gd, \{ format: 'svg', filename: "cifar-cnn-fractions" \}\)/);
});

test('a last-column title wider than its panel gets a right margin for its overhang', () => {
  const frame = { title: 't', rows: 2, columns: 4, panelHeight: 200, panelTitleLines: 2, legend: { names: [] } };
  const plain = gridLayout(frame).layout.margin as { r: number };
  const wide = gridLayout({ ...frame, lastColumnTitle: 'MLP, exponential<br>loss (XYR)' }).layout.margin as { r: number };
  assert.equal(plain.r, 16);
  assert.ok(wide.r > 16 && wide.r < 60, `right margin ${wide.r}`);
});
