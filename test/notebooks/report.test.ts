import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { toyGaussian } from '../../src/experiments/figures';
import { JupyterMissingError, PLOTLY_DIR, type ReportEntry, TEMPLATE_DIRS, externalReferences, findJupyter, indexHtml, nbconvertHtmlArgs, notebookSeeds, notebookTitle, reportScales, scaleReportDir, scalesIndexHtml } from '../../scripts/lib/report';
import type { Notebook } from '../../scripts/lib/notebook';

test('externalReferences finds scripts, styles and images loaded from elsewhere, but not text inside inline scripts', () => {
  const page = [
    '<script>var tiles = "https://tiles.example/{z}"; document.write("<img src=\\"https://x\\">")</script>',
    '<script src="https://cdn.example/require.js"></script>',
    "<link rel=stylesheet href='https://fonts.example/a.css'>",
    '<img src="data:image/png;base64,AAAA"><img src="logo.png"><a href="https://ok.example">links are fine</a>',
  ].join('\n');
  assert.deepEqual(externalReferences(page), ['<script src="https://cdn.example/require.js">', '<link href="https://fonts.example/a.css">', '<img src="logo.png">']);
  assert.deepEqual(externalReferences('<script type="text/javascript">x()</script><p>text</p>'), []);
});

test('notebookTitle takes the first markdown heading, else the file name', () => {
  const notebook: Notebook = {
    cells: [
      { cell_type: 'code', source: '# not markdown', metadata: {} },
      { cell_type: 'markdown', source: ['Intro\n', '## Toy Gaussians  \n'], metadata: {} },
    ],
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5,
  };
  assert.equal(notebookTitle(notebook, 'x/01-toy.ipynb'), 'Toy Gaussians');
  assert.equal(notebookTitle({ ...notebook, cells: [] }, 'x/01-toy.ipynb'), '01-toy');
});

test('the index page escapes what it shows, links each page and has no scripts', () => {
  const html = indexHtml(
    [
      { href: '01 toy.html', title: 'Toy <b>', notebook: 'notebooks/01 toy.ipynb', scale: 'quick', seeds: 'k = 3', status: 'ok', seconds: 61.4 },
      { href: 'b.html', title: 'B', notebook: 'notebooks/b.ipynb', scale: 'smoke', status: 'failed', seconds: 2, note: 'code cell 3 (error)' },
    ],
    { generated: new Date('2025-01-02T03:04:05Z') },
  );
  assert.ok(html.includes('<a href="01%20toy.html">Toy &lt;b&gt;</a>'));
  assert.ok(html.includes('failed: code cell 3 (error)'));
  assert.ok(html.includes('61 s'));
  assert.ok(html.includes('<th>Seeds (k)</th>'));
  assert.ok(html.includes('<td>k = 3</td>'));
  assert.ok(html.includes('<td>not recorded</td>'), 'an entry from an older manifest says so');
  assert.match(html, /95% t-interval of the mean/);
  assert.ok(!/<script/i.test(html));
  assert.deepEqual(externalReferences(html), []);
});

test('the nbconvert command uses the repo template and finds plotly.min.js on the template path', () => {
  const args = nbconvertHtmlArgs('/tmp/a.ipynb', '/tmp/out', { noInput: true });
  assert.ok(args.includes('--template') && args[args.indexOf('--template') + 1] === 'iwlab');
  assert.ok(existsSync(path.join(TEMPLATE_DIRS, 'iwlab', 'index.html.j2')));
  assert.ok(existsSync(path.join(PLOTLY_DIR, 'plotly.min.js')));
  assert.ok(args.includes('--no-input'));
  assert.equal(args[args.length - 1], '/tmp/a.ipynb');
});

test('a missing Jupyter is reported with the command that installs it', () => {
  assert.throws(
    () => findJupyter({ ...process.env, JUPYTER: '/nonexistent/jupyter' }),
    (error: unknown) => error instanceof JupyterMissingError && /pip install/.test(error.message) && /npm run notebooks/.test(error.message),
  );
});

test('the index says k: the --seeds value, else the scale default of the figure the notebook is named after', () => {
  assert.equal(notebookSeeds('notebooks/02-cifar-cnn.ipynb', 'quick', 5), 'k = 5');
  assert.equal(notebookSeeds('notebooks/01-toy-gaussian.ipynb', 'paper', undefined), `k = ${toyGaussian.scales.paper.seeds} (scale default)`);
  assert.equal(notebookSeeds('notebooks/11-overview.ipynb', 'smoke', undefined), "each figure's scale default");
});

test('each scale reports into its own folder with its own index, and the top index links every scale reported', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'iwlab-reports-'));
  try {
    assert.notEqual(scaleReportDir(root, 'smoke'), scaleReportDir(root, 'quick'));
    const entry = (scale: string, status: 'ok' | 'failed'): ReportEntry => ({ href: '02-cifar-cnn.html', title: 'CNN', notebook: 'notebooks/02-cifar-cnn.ipynb', scale, status, seconds: 1 });
    for (const [scale, status] of [['smoke', 'failed'], ['quick', 'ok']] as const) {
      mkdirSync(scaleReportDir(root, scale), { recursive: true });
      writeFileSync(path.join(scaleReportDir(root, scale), 'index.json'), JSON.stringify([entry(scale, status)]));
    }
    assert.deepEqual(reportScales(root), [
      { scale: 'smoke', notebooks: 1, failed: 1 },
      { scale: 'quick', notebooks: 1, failed: 0 },
    ]);
    const top = scalesIndexHtml(reportScales(root));
    assert.match(top, /<a href="smoke\/index.html">smoke scale<\/a>.*1 failed/);
    assert.match(top, /<a href="quick\/index.html">quick scale<\/a>.*all ok/);
    assert.doesNotMatch(top, /href="paper/, 'no paper-scale report was made');
    const quick = indexHtml([entry('quick', 'ok')], { generated: new Date(0), scale: 'quick' });
    assert.match(quick, /<h1>iwlab reports, quick scale<\/h1>/);
    assert.match(quick, /<a href="\.\.\/index.html">Every scale<\/a>/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
