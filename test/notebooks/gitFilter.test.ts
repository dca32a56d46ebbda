// The git clean filter that `npm run jupyter:install` configures: outputs never reach a commit, and
// re-saving a notebook with outputs (as JupyterLab does after a run) leaves `git diff` empty.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/lib/kernelClient';
import { type Notebook, cleanNotebook, readNotebook, serializeNotebook } from '../../scripts/lib/notebook';

/** A scratch repository with the project's .gitattributes and the filter as jupyter:install sets it (absolute paths: its cwd is the scratch repo). */
export function scratchRepo(): { dir: string; git: (...args: string[]) => string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'iwlab-git-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
  git('init', '-q');
  git('config', 'user.email', 'test@example.invalid');
  git('config', 'user.name', 'test');
  git('config', 'filter.iwlab-notebook.clean', `node --import ${require.resolve('tsx')} ${path.join(REPO_ROOT, 'scripts', 'notebook-clean.ts')}`);
  git('config', 'filter.iwlab-notebook.required', 'true');
  copyFileSync(path.join(REPO_ROOT, '.gitattributes'), path.join(dir, '.gitattributes'));
  return { dir, git };
}

test('a notebook re-saved with outputs shows no diff, and what git stores has no outputs', () => {
  const { dir, git } = scratchRepo();
  try {
    const file = path.join(dir, 'nb.ipynb');
    writeFileSync(file, serializeNotebook(cleanNotebook(readNotebook(path.join(REPO_ROOT, 'notebooks', '01-toy-gaussian.ipynb')))));
    git('add', '.');
    git('commit', '-qm', 'clean notebook');
    assert.equal(git('show', 'HEAD:nb.ipynb'), readFileSync(file, 'utf8'), 'a clean notebook in Jupyter\'s format is stored as it is');
    // What a run in JupyterLab leaves on disk: outputs and counts.
    const executed: Notebook = readNotebook(file);
    for (const cell of executed.cells.filter((c) => c.cell_type === 'code')) {
      cell.execution_count = 3;
      cell.outputs = [{ output_type: 'display_data', data: { 'image/png': 'iVBORw0KGgo=', 'text/plain': '<Plotly figure>' }, metadata: {} }];
    }
    writeFileSync(file, serializeNotebook(executed));
    assert.equal(spawnSync('git', ['diff', '--exit-code', '--quiet'], { cwd: dir }).status, 0, 'git diff is not empty');
    git('add', 'nb.ipynb');
    const stored = JSON.parse(git('show', ':nb.ipynb')) as Notebook;
    assert.ok(stored.cells.every((cell) => cell.cell_type !== 'code' || (cell.outputs?.length === 0 && cell.execution_count === null)));
    assert.match(readFileSync(file, 'utf8'), /image\/png/, 'the working copy keeps its outputs');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
