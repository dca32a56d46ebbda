// scripts/jupyter_execute.py (notebooks through Jupyter's own nbclient) fails a notebook whose runs fail, as npm run notebooks does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { jupyterVenv } from '../../scripts/lib/jupyter';
import { REPO_ROOT } from '../../scripts/lib/kernelClient';

const python = path.join(jupyterVenv(), 'bin', 'python');
const hasNbclient = existsSync(python) && spawnSync(python, ['-c', 'import nbclient'], { encoding: 'utf8' }).status === 0;

test('through Jupyter, a notebook whose runs fail fails, naming the cell and the error', { skip: !hasNbclient && 'no venv with nbclient here: npm run jupyter:install' }, () => {
  const out = mkdtempSync(path.join(tmpdir(), 'iwlab-jupyter-'));
  try {
    const run = spawnSync(python, ['scripts/jupyter_execute.py', '--timeout', '300', '--out', out, 'test/fixtures/notebooks/failed-runs.ipynb'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, JUPYTER_PATH: path.join(REPO_ROOT, 'jupyter') },
    });
    assert.equal(run.status, 1, `exit ${run.status}\n${run.stdout}\n${run.stderr}`);
    assert.match(run.stderr, /FAIL .*failed-runs\.ipynb .*RunsFailed/);
    assert.match(run.stderr, /Cell 3 source:\n {2}\| showFigure\(fractionFigure\(result\)\);/);
    assert.match(run.stderr, /\[iwlab\] runs failed: \d+ of \d+ runs of cifar-cnn \(smoke scale\) failed.*MissingDataError/);
    assert.match(run.stderr, /The cell ran, but showed a figure whose runs failed\./);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
