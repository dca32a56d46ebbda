// Runs the fixture notebooks on a real iwlab kernel through the Jupyter protocol (no Python).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/lib/kernelClient';
import { type Notebook, type Output, formatFailure, sourceText } from '../../scripts/lib/notebook';
import { runNotebook } from '../../scripts/notebooks';

const fixtures = path.join(REPO_ROOT, 'test', 'fixtures', 'notebooks');

/** Each code cell's outputs, stream text joined (files store it as a list of lines, as nbformat writes it). */
function outputsOf(notebook: Notebook): Output[][] {
  return notebook.cells
    .filter((cell) => cell.cell_type === 'code')
    .map((cell) => (cell.outputs ?? []).map((output) => (output.output_type === 'stream' ? { ...output, text: sourceText(output.text) } : output)));
}

test('a notebook outside the repo root imports ./src, sees IWLAB_SCALE, and stores one plot bundle per figure', async () => {
  const outDir = mkdtempSync(path.join(tmpdir(), 'iwlab-nb-'));
  try {
    const run = await runNotebook(path.join(fixtures, 'plot.ipynb'), { scale: 'quick', cellTimeoutSeconds: 120, outDir });
    assert.equal(run.result.failure, undefined);
    const written = JSON.parse(readFileSync(run.output, 'utf8')) as Notebook;
    const [params, progress, plot, answer] = outputsOf(written);
    assert.deepEqual(params, [{ output_type: 'stream', name: 'stdout', text: `scale=quick cwd=${REPO_ROOT}\n` }]);
    assert.equal(progress?.length, 1, 'the progress display is one output, updated in place');
    const progressOutput = progress?.[0];
    assert.ok(progressOutput?.output_type === 'display_data');
    assert.match(String(progressOutput.data['text/plain']), /1\/1 runs finished.*done/);
    assert.equal(plot?.length, 1);
    const bundle = plot?.[0];
    assert.ok(bundle?.output_type === 'display_data');
    assert.deepEqual(Object.keys(bundle.data).sort(), ['application/vnd.plotly.v1+json', 'text/html', 'text/plain']);
    const figure = bundle.data['application/vnd.plotly.v1+json'] as { data: unknown[] };
    assert.equal(figure.data.length, 2);
    assert.deepEqual(answer, [{ output_type: 'stream', name: 'stdout', text: '42\n' }]);
    assert.ok(written.cells.filter((cell) => cell.cell_type === 'code').every((cell) => typeof cell.execution_count === 'number'));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});

test('a failing cell stops the notebook and its stderr carries the real error', async () => {
  const outDir = mkdtempSync(path.join(tmpdir(), 'iwlab-nb-'));
  try {
    const run = await runNotebook(path.join(fixtures, 'fail.ipynb'), { scale: 'smoke', cellTimeoutSeconds: 120, outDir });
    const failure = run.result.failure;
    assert.ok(failure);
    assert.equal(failure.status, 'error');
    assert.equal(failure.codeCellNumber, 2);
    assert.match(failure.stderr, /the fixture failed on purpose/);
    const [first, second, third] = outputsOf(JSON.parse(readFileSync(run.output, 'utf8')) as Notebook);
    assert.deepEqual(first, [{ output_type: 'stream', name: 'stdout', text: 'first cell ran\n' }]);
    assert.ok(second?.some((output) => output.output_type === 'stream' && output.name === 'stdout'));
    assert.deepEqual(third, [], 'cells after a failure are not run');
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});

test('a cell that outlives the per-cell limit fails as a timeout, and the kernel is shut down', async () => {
  const outDir = mkdtempSync(path.join(tmpdir(), 'iwlab-nb-'));
  try {
    const run = await runNotebook(path.join(fixtures, 'slow.ipynb'), { scale: 'smoke', cellTimeoutSeconds: 3, outDir });
    const failure = run.result.failure;
    assert.ok(failure);
    assert.equal(failure.status, 'timeout');
    assert.equal(failure.codeCellNumber, 2);
    assert.match(failure.message ?? '', /3 s per-cell limit/);
    const [, , third] = outputsOf(JSON.parse(readFileSync(run.output, 'utf8')) as Notebook);
    assert.deepEqual(third, []);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});

test('a notebook whose runs fail fails at the cell that shows their figure, naming the runs and the error', async () => {
  const outDir = mkdtempSync(path.join(tmpdir(), 'iwlab-nb-'));
  try {
    const run = await runNotebook(path.join(fixtures, 'failed-runs.ipynb'), { scale: 'smoke', cellTimeoutSeconds: 300, outDir });
    const failure = run.result.failure;
    assert.ok(failure, 'the runner passed a notebook whose every run failed');
    assert.equal(failure.status, 'runs-failed');
    assert.equal(failure.codeCellNumber, 2);
    assert.match(failure.stderr, /\[iwlab\] runs failed: \d+ of \d+ runs of cifar-cnn \(smoke scale\) failed/);
    assert.match(failure.stderr, /MissingDataError: CIFAR-10 (\(binary version\) )?is not installed in /);
    const report = formatFailure('failed-runs.ipynb', failure);
    assert.match(report, /code cell 2 \(cell 3\) showed a figure whose runs failed/);
    const [training, figure, after] = outputsOf(JSON.parse(readFileSync(run.output, 'utf8')) as Notebook);
    assert.ok(training?.some((output) => output.output_type === 'stream' && /^failed( failed)*\n$/.test(String(output.text))), 'every run failed');
    assert.ok(figure?.some((output) => output.output_type === 'display_data'), 'the figure is still shown');
    assert.deepEqual(after, [], 'cells after the failure are not run');
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});
