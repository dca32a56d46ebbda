// The datasets notebooks need, checked before any cell runs: installed from a mirror, or a failure at once naming the fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/lib/kernelClient';
import { readNotebook } from '../../scripts/lib/notebook';
import { MissingDatasetsError, ensureNotebookData, figureDatasets, isDatasetInstalled, notebookFigures } from '../../scripts/lib/notebookData';

const notebook = (name: string) => ({ file: path.join(REPO_ROOT, 'notebooks', name), notebook: readNotebook(path.join(REPO_ROOT, 'notebooks', name)) });
/** The shared mirror CI installs from (../shared/data); the mirror test needs it. */
const MIRROR = path.resolve(REPO_ROOT, '..', 'shared', 'data');

test('a notebook needs the datasets of the figures it trains; the toy figures need none', () => {
  assert.deepEqual(notebookFigures(notebook('10-subsampling.ipynb').notebook), ['subsampling', 'subsampling-toy']);
  assert.deepEqual(figureDatasets(['subsampling', 'subsampling-toy']), ['cifar10']);
  assert.deepEqual(figureDatasets(['toy-gaussian', 'no-such-figure']), []);
  assert.deepEqual(figureDatasets(['mnist', 'cifar-cnn']), ['cifar10', 'mnist']);
});

test('with no datasets and no mirror the runner stops at once, naming the notebooks, the datasets and the command', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'iwlab-empty-data-'));
  try {
    await assert.rejects(
      ensureNotebookData([notebook('02-cifar-cnn.ipynb'), notebook('07-mnist.ipynb'), notebook('01-toy-gaussian.ipynb')], { dataDir }),
      (error: unknown) =>
        error instanceof MissingDatasetsError &&
        /CIFAR-10 \(binary version\) \(for 02-cifar-cnn\.ipynb\)/.test(error.message) &&
        /MNIST.*\(for 07-mnist\.ipynb\)/.test(error.message) &&
        /Fix: `npm run data -- all`/.test(error.message) &&
        /IWLAB_DATA_MIRROR/.test(error.message),
    );
    await ensureNotebookData([notebook('01-toy-gaussian.ipynb')], { dataDir }); // nothing to fetch
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('with a mirror the missing datasets are installed from it, checksums checked, as npm run data does', { skip: !existsSync(path.join(MIRROR, 'mnist')) && 'no ../shared/data mirror here' }, async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'iwlab-data-'));
  try {
    const lines: string[] = [];
    await ensureNotebookData([notebook('07-mnist.ipynb')], { dataDir, mirror: MIRROR, log: (line) => lines.push(line) });
    assert.ok(isDatasetInstalled('mnist', dataDir));
    assert.match(lines.join('\n'), /mnist is not installed .* installing it from .*every md5 checked/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
