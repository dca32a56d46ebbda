// Finding Jupyter: the venv of `npm run jupyter:install` first, and a message that names exactly what is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { JupyterMissingError, findJupyter, jupyterVenv, parseJupyterVersions } from '../../scripts/lib/jupyter';

const VERSIONS = `Selected Jupyter core packages...
IPython          : 9.17.1
jupyterlab       : 4.6.4
nbclient         : 0.11.0
nbconvert        : 6.5.3
notebook         : not installed
`;

/** A fake `jupyter` that prints VERSIONS for --version and a data path list for --paths --json. */
function fakeVenv(dataDir?: string): string {
  const venv = mkdtempSync(path.join(tmpdir(), 'iwlab-venv-'));
  mkdirSync(path.join(venv, 'bin'));
  const script = path.join(venv, 'bin', 'jupyter');
  const paths = JSON.stringify({ data: dataDir ? [dataDir] : [] });
  // Shell builtins only: the tests run it with PATH pointing nowhere.
  writeFileSync(script, `#!/bin/sh\nif [ "$1" = "--paths" ]; then echo '${paths}'; else printf '%s' '${VERSIONS}'; fi\n`);
  chmodSync(script, 0o755);
  return venv;
}

test('jupyter --version is read package by package; "not installed" ones are left out', () => {
  assert.deepEqual(parseJupyterVersions(VERSIONS), { IPython: '9.17.1', jupyterlab: '4.6.4', nbclient: '0.11.0', nbconvert: '6.5.3' });
});

test('with no Jupyter anywhere the message says where it looked and the one command that sets it up', () => {
  const env = { PATH: '/nonexistent', IWLAB_JUPYTER_VENV: '/nonexistent/venv' };
  assert.throws(
    () => findJupyter(env, ['jupyterlab', 'plotly']),
    (error: unknown) =>
      error instanceof JupyterMissingError &&
      /Needed: JupyterLab 4 \(npm run lab\); the plotly package's jupyterlab-plotly extension/.test(error.message) &&
      /none in \/nonexistent\/venv .* and no `jupyter` on PATH\./.test(error.message) &&
      /Fix: `npm run jupyter:install`/.test(error.message),
  );
});

test('the venv is used without PATH, and each missing package or too old version is named', () => {
  const venv = fakeVenv();
  try {
    const env = { PATH: '/nonexistent', IWLAB_JUPYTER_VENV: venv };
    assert.equal(jupyterVenv(env), venv);
    assert.equal(findJupyter(env, ['jupyterlab']).source, 'venv');
    assert.throws(
      () => findJupyter(env, ['notebook', 'nbconvert', 'plotly']),
      (error: unknown) =>
        error instanceof JupyterMissingError &&
        error.message.includes(`Jupyter from the venv ${venv} lacks Notebook 7`) &&
        /Notebook 7 \(.*\): not installed; nbconvert 7 \(.*\): found 6\.5\.3; the plotly package's jupyterlab-plotly extension .*: not installed\./.test(error.message),
    );
  } finally {
    rmSync(venv, { recursive: true, force: true });
  }
});

test('the plotly extension counts as installed when a Jupyter data folder holds it', () => {
  const data = mkdtempSync(path.join(tmpdir(), 'iwlab-data-'));
  mkdirSync(path.join(data, 'labextensions', 'jupyterlab-plotly'), { recursive: true });
  const venv = fakeVenv(data);
  try {
    assert.equal(findJupyter({ PATH: '/nonexistent', IWLAB_JUPYTER_VENV: venv }, ['jupyterlab', 'plotly']).versions.jupyterlab, '4.6.4');
  } finally {
    rmSync(venv, { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  }
});
