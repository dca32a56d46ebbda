import { test } from 'node:test';
import assert from 'node:assert/strict';
import { figureHtml, plotlyScript, scriptJson, standaloneHtml } from '../../src/plots/html';
import type { PlotlyFigure } from '../../src/plots/types';

const figure: PlotlyFigure = {
  data: [{ type: 'scatter', x: [1, 2], y: [3, 4], name: 'a </script><script>alert(1)</script>' }],
  layout: { title: { text: 'Two points' }, height: 300 },
};

test('scriptJson round-trips through JSON.parse and never contains a literal "<"', () => {
  const value = { text: '</script><!-- \u2028 & >', list: [1, 'two'] };
  const json = scriptJson(value);
  assert.ok(!json.includes('<'));
  assert.ok(!json.includes('\u2028'));
  assert.deepEqual(JSON.parse(json), value);
});

test('figureHtml holds exactly one script, which names its div and never loads plotly.js itself', () => {
  const html = figureHtml(figure, 'fig-1');
  assert.equal(html.match(/<script/g)?.length, 1);
  assert.equal(html.match(/<\/script>/g)?.length, 1);
  assert.ok(html.includes('<div id="fig-1"'));
  assert.ok(html.includes('min-height:300px'));
  assert.ok(!/src=/.test(html));
  assert.ok(!html.includes(plotlyScript().slice(0, 200)));
});

test('figureHtml refuses an id that is not a plain HTML id', () => {
  assert.throws(() => figureHtml(figure, 'a"b'), RangeError);
  assert.throws(() => figureHtml(figure, '1abc'), RangeError);
});

test('standaloneHtml inlines plotly.js once, has no external script and escapes the title and notes', () => {
  const page = standaloneHtml([figure, figure], { title: 'Toy <1>', notes: 'first & only\n\nsecond paragraph' });
  const bundle = plotlyScript();
  assert.equal(page.split(bundle).length - 1, 1);
  assert.ok(!/<script[^>]*\ssrc=/i.test(page));
  assert.ok(!/https?:\/\/cdn/i.test(page.replace(bundle, '')));
  assert.ok(page.includes('<title>Toy &lt;1&gt;</title>'));
  assert.ok(page.includes('<p>first &amp; only</p>'));
  assert.ok(page.includes('<p>second paragraph</p>'));
  assert.ok(page.includes('id="iwlab-figure-1"') && page.includes('id="iwlab-figure-2"'));
});

test('the plotly.js bundle cannot end an inline script early', () => {
  assert.ok(!/<\/script/i.test(plotlyScript()));
  assert.ok(plotlyScript().includes('window.Plotly'));
});
