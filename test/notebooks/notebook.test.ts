import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KernelMessage } from '../../scripts/lib/kernelClient';
import { readFileSync } from 'node:fs';
import { IWLAB_LANGUAGE_INFO, type Notebook, type Output, OutputCollector, cellErrorText, cleanNotebook, formatFailure, serializeNotebook, splitLines } from '../../scripts/lib/notebook';
import { cleanNotebookText } from '../../scripts/notebook-clean';

let counter = 0;
function message(msgType: string, content: Record<string, unknown>): KernelMessage {
  counter += 1;
  const header = { msg_id: `m${counter}`, msg_type: msgType, session: 's', username: 'u', date: '', version: '5.3' };
  return { header, parent_header: {}, metadata: {}, content };
}

test('consecutive stream messages of one name merge into one output, as Jupyter stores them', () => {
  const collector = new OutputCollector();
  const outputs: Output[] = [];
  collector.apply(outputs, message('stream', { name: 'stdout', text: 'a\n' }));
  collector.apply(outputs, message('stream', { name: 'stdout', text: 'b\n' }));
  collector.apply(outputs, message('stream', { name: 'stderr', text: 'oops\n' }));
  collector.apply(outputs, message('stream', { name: 'stdout', text: 'c\n' }));
  assert.deepEqual(outputs, [
    { output_type: 'stream', name: 'stdout', text: 'a\nb\n' },
    { output_type: 'stream', name: 'stderr', text: 'oops\n' },
    { output_type: 'stream', name: 'stdout', text: 'c\n' },
  ]);
  assert.equal(cellErrorText(outputs), 'oops\n');
});

test('update_display_data replaces the bundle of the output with its display id, even in an earlier cell', () => {
  const collector = new OutputCollector();
  const first: Output[] = [];
  const second: Output[] = [];
  collector.apply(first, message('display_data', { data: { 'text/plain': 'epoch 1' }, metadata: {}, transient: { display_id: 'p' } }));
  collector.apply(first, message('display_data', { data: { 'text/plain': 'other' }, metadata: {}, transient: {} }));
  collector.apply(second, message('update_display_data', { data: { 'text/plain': 'epoch 9' }, metadata: {}, transient: { display_id: 'p' } }));
  assert.equal(second.length, 0);
  assert.deepEqual(
    first.map((output) => (output.output_type === 'display_data' ? output.data['text/plain'] : undefined)),
    ['epoch 9', 'other'],
  );
});

test('error messages and clear_output are stored as nbformat expects', () => {
  const collector = new OutputCollector();
  const outputs: Output[] = [];
  collector.apply(outputs, message('stream', { name: 'stdout', text: 'gone' }));
  collector.apply(outputs, message('clear_output', { wait: false }));
  collector.apply(outputs, message('error', { ename: 'TypeError', evalue: 'x is undefined', traceback: ['at cell 1'] }));
  assert.deepEqual(outputs, [{ output_type: 'error', ename: 'TypeError', evalue: 'x is undefined', traceback: ['at cell 1'] }]);
  assert.equal(cellErrorText(outputs), 'TypeError: x is undefined\nat cell 1');
});

test('a failure report names the cell, shows its source and its stderr', () => {
  const text = formatFailure('nb.ipynb', { cellIndex: 4, codeCellNumber: 2, status: 'error', source: 'line 1\nline 2', stderr: 'Error: boom\n' });
  assert.match(text, /^nb\.ipynb: code cell 2 \(cell 5\) failed\.$/m);
  assert.match(text, /^ {2}\| line 2$/m);
  assert.match(text, /Cell stderr:\n {2}Error: boom/);
});

test('cleanNotebook strips outputs and counts from code cells only, leaving the input untouched', () => {
  const notebook: Notebook = {
    cells: [
      { cell_type: 'markdown', source: '# t', metadata: {} },
      { cell_type: 'code', source: '1', metadata: { tags: ['parameters'] }, outputs: [{ output_type: 'stream', name: 'stdout', text: '1' }], execution_count: 3 },
    ],
    metadata: { kernelspec: { name: 'iwlab' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  const clean = cleanNotebook(notebook);
  assert.deepEqual(clean.cells[0], notebook.cells[0]);
  assert.deepEqual(clean.cells[1], { cell_type: 'code', source: '1', metadata: { tags: ['parameters'] }, outputs: [], execution_count: null });
  assert.equal(notebook.cells[1]?.execution_count, 3);
});

test("notebooks are written as Jupyter writes them: sorted keys, one-space indent, lines as lists, transient fields dropped, a final newline", () => {
  const notebook = {
    nbformat_minor: 5,
    nbformat: 4,
    metadata: { language_info: { name: 'typescript' }, kernelspec: { name: 'iwlab', display_name: 'TypeScript (iwlab)' }, orig_nbformat: 4 },
    cells: [
      { source: 'const a = 1;\nconst é = 2;', outputs: [{ text: 'x\ny\n', name: 'stdout', output_type: 'stream' }], metadata: { trusted: true }, execution_count: 2, cell_type: 'code', id: 'c1' },
      { source: '', metadata: {}, cell_type: 'markdown', id: 'c2' },
    ],
  } as unknown as Notebook;
  const expected = `{
 "cells": [
  {
   "cell_type": "code",
   "execution_count": 2,
   "id": "c1",
   "metadata": {},
   "outputs": [
    {
     "name": "stdout",
     "output_type": "stream",
     "text": [
      "x\\n",
      "y\\n"
     ]
    }
   ],
   "source": [
    "const a = 1;\\n",
    "const é = 2;"
   ]
  },
  {
   "cell_type": "markdown",
   "id": "c2",
   "metadata": {},
   "source": []
  }
 ],
 "metadata": {
  "kernelspec": {
   "display_name": "TypeScript (iwlab)",
   "name": "iwlab"
  },
  "language_info": {
   "name": "typescript"
  }
 },
 "nbformat": 4,
 "nbformat_minor": 5
}
`;
  assert.equal(serializeNotebook(notebook), expected);
  assert.deepEqual(splitLines('a\r\nb\rc\u2028d'), ['a\r\n', 'b\r', 'c\u2028', 'd'], "Python's splitlines(True)");
});

test('the git clean filter strips outputs and counts, and passes anything that is not a notebook through untouched', () => {
  const saved = serializeNotebook({
    cells: [{ cell_type: 'code', id: 'c', metadata: {}, source: '1', outputs: [{ output_type: 'display_data', data: { 'image/png': 'iVBOR', 'text/plain': 'a\nb' }, metadata: {} }], execution_count: 7 }],
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5,
  });
  const { text, problem } = cleanNotebookText(saved);
  assert.equal(problem, undefined);
  assert.equal(text, '{\n "cells": [\n  {\n   "cell_type": "code",\n   "execution_count": null,\n   "id": "c",\n   "metadata": {},\n   "outputs": [],\n   "source": [\n    "1"\n   ]\n  }\n ],\n "metadata": {},\n "nbformat": 4,\n "nbformat_minor": 5\n}\n');
  assert.equal(cleanNotebookText(text).text, text, 'clean twice is clean once');
  const broken = cleanNotebookText('{"not": "a notebook"');
  assert.equal(broken.text, '{"not": "a notebook"');
  assert.match(broken.problem ?? '', /^not JSON \(/);
  assert.deepEqual(cleanNotebookText('{"cells": 3}'), { text: '{"cells": 3}', problem: 'no nbformat 4 cell list' });
});

test("cleanNotebook gives iwlab notebooks the language_info tslab's kernel reports, which JupyterLab writes on every save", () => {
  const tslab = readFileSync(require.resolve('tslab/dist/jupyter.js'), 'utf8');
  assert.match(tslab, new RegExp(`let version = "${IWLAB_LANGUAGE_INFO.version.replace(/\./g, '\\.')}";`), "tslab's kernel_info version changed: update IWLAB_LANGUAGE_INFO");
  assert.match(tslab, /mimetype = "text\/typescript"/);
  const notebook: Notebook = { cells: [], metadata: { kernelspec: { name: 'iwlab' }, language_info: { name: 'typescript', version: '5.0' } }, nbformat: 4, nbformat_minor: 5 };
  assert.deepEqual(cleanNotebook(notebook).metadata.language_info, IWLAB_LANGUAGE_INFO);
  const other: Notebook = { ...notebook, metadata: { kernelspec: { name: 'python3' }, language_info: { name: 'python' } } };
  assert.deepEqual(cleanNotebook(other).metadata.language_info, { name: 'python' }, 'other kernels are left alone');
});
