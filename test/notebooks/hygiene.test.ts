// Notebooks are committed clean: no outputs, no execution counts, the project kernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/lib/kernelClient';
import { cleanNotebook, readNotebook, serializeNotebook } from '../../scripts/lib/notebook';

const notebookFiles = [
  ...readdirSync(path.join(REPO_ROOT, 'notebooks')).map((name) => path.join('notebooks', name)),
  ...readdirSync(path.join(REPO_ROOT, 'test', 'fixtures', 'notebooks')).map((name) => path.join('test', 'fixtures', 'notebooks', name)),
].filter((file) => file.endsWith('.ipynb'));

test('there is at least one notebook to check', () => {
  assert.ok(notebookFiles.length > 0);
});

for (const file of notebookFiles) {
  test(`${file} has no outputs and uses the iwlab kernel (clear it with: npm run notebooks -- --clean <file>, or Jupyter's "Clear All Outputs")`, () => {
    const notebook = readNotebook(path.join(REPO_ROOT, file));
    assert.equal(notebook.metadata.kernelspec?.name, 'iwlab');
    for (const [index, cell] of notebook.cells.entries()) {
      if (cell.cell_type !== 'code') continue;
      assert.deepEqual(cell.outputs, [], `cell ${index + 1} has outputs`);
      assert.equal(cell.execution_count, null, `cell ${index + 1} has an execution count`);
    }
  });
}

for (const file of notebookFiles) {
  test(`${file} is stored exactly as Jupyter writes it, so saving it in JupyterLab without an edit changes nothing (fix: npm run notebooks -- --clean ${file})`, () => {
    const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
    assert.ok(text === serializeNotebook(cleanNotebook(readNotebook(path.join(REPO_ROOT, file)))), `${file} differs from Jupyter's format (key order, lines as lists, indent)`);
  });
}
