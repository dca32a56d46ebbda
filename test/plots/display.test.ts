import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NotInKernelError, PLOTLY_MIME, plotBundle, plotSetup, showFigure } from '../../src/plots/display';
import type { PlotlyFigure } from '../../src/plots/types';

const figure: PlotlyFigure = {
  data: [
    { type: 'scatter', x: [0, 1], y: [0, 1] },
    { type: 'scatter', x: [0, 1], y: [1, 0] },
  ],
  layout: { title: { text: 'Boundaries' } },
  config: { displaylogo: false },
};

test('plotBundle carries the Plotly JSON, an HTML fallback and text, with no transient id', () => {
  const bundle = plotBundle(figure, 'plot-7');
  assert.deepEqual(Object.keys(bundle.data).sort(), [PLOTLY_MIME, 'text/html', 'text/plain'].sort());
  assert.deepEqual(bundle.data[PLOTLY_MIME], { data: figure.data, layout: figure.layout, config: figure.config });
  const html = bundle.data['text/html'] as string;
  assert.ok(html.includes('id="plot-7"'));
  assert.ok(html.includes('window.Plotly.newPlot'));
  assert.equal(bundle.data['text/plain'], '<Plotly figure: Boundaries; 2 traces>');
  assert.deepEqual(bundle.metadata, {});
});

test('plotBundle names the figure from options or a string title, and keeps JSON plain', () => {
  assert.equal(plotBundle(figure, 'p', { title: 'Mine' }).data['text/plain'], '<Plotly figure: Mine; 2 traces>');
  const plain = plotBundle({ data: [], layout: { title: 'Plain' } }, 'p');
  assert.equal(plain.data['text/plain'], '<Plotly figure: Plain; 0 traces>');
  assert.deepEqual(plain.data[PLOTLY_MIME], { data: [], layout: { title: 'Plain' } });
  assert.deepEqual(JSON.parse(JSON.stringify(plain)), plain);
});

test('showFigure and plotSetup outside a kernel fail with a message that says what to do instead', () => {
  assert.throws(() => showFigure(figure), (error: unknown) => error instanceof NotInKernelError && /standaloneHtml/.test(error.message));
  assert.throws(() => plotSetup(), NotInKernelError);
});
