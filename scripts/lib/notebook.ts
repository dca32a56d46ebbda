/**
 * Executing an .ipynb (nbformat 4) cell by cell on a kernel and storing the outputs as Jupyter
 * front ends and nbclient do: streams merged, display bundles kept whole, update_display_data
 * applied to the output that carries the display id. tslab reports errors only on stderr and in
 * the reply status (no iopub `error` message), so a failure keeps the cell's stderr as its message.
 */
import { readFileSync } from 'node:fs';
import { RUNS_FAILED_MARKER } from '../../src/plots/runFailures';
import type { KernelClient, KernelMessage } from './kernelClient';

export type MultilineString = string | string[];

export type Output =
  | { output_type: 'stream'; name: 'stdout' | 'stderr'; text: MultilineString }
  | { output_type: 'display_data'; data: Record<string, unknown>; metadata: Record<string, unknown> }
  | { output_type: 'execute_result'; data: Record<string, unknown>; metadata: Record<string, unknown>; execution_count: number | null }
  | { output_type: 'error'; ename: string; evalue: string; traceback: string[] };

export interface Cell {
  cell_type: 'code' | 'markdown' | 'raw';
  id?: string;
  source: MultilineString;
  metadata: Record<string, unknown> & { tags?: string[] };
  outputs?: Output[];
  execution_count?: number | null;
}

export interface Notebook {
  cells: Cell[];
  metadata: Record<string, unknown> & {
    kernelspec?: { name?: string; display_name?: string; language?: string };
  };
  nbformat: number;
  nbformat_minor: number;
}

export class NotebookFormatError extends Error {
  constructor(file: string, reason: string) {
    super(`${file} is not a notebook this runner can execute: ${reason}. Open and re-save it in Jupyter (nbformat 4).`);
    this.name = 'NotebookFormatError';
  }
}

export function readNotebook(file: string): Notebook {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new NotebookFormatError(file, `invalid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const notebook = parsed as Partial<Notebook>;
  if (notebook.nbformat !== 4 || !Array.isArray(notebook.cells)) throw new NotebookFormatError(file, 'no nbformat 4 cell list');
  return parsed as Notebook;
}

export function sourceText(source: MultilineString): string {
  return Array.isArray(source) ? source.join('') : source;
}

/**
 * Applies iopub messages to a notebook's outputs. One collector spans the whole notebook because
 * update_display_data may target an output of an earlier cell (a progress display kept by id).
 */
export class OutputCollector {
  private readonly displays = new Map<string, Output[]>();

  /** Adds the effect of one iopub message to `outputs` (the executing cell's list). */
  apply(outputs: Output[], message: KernelMessage): void {
    const content = message.content;
    switch (message.header.msg_type) {
      case 'stream': {
        const name = content.name === 'stderr' ? 'stderr' : 'stdout';
        const text = String(content.text ?? '');
        const last = outputs[outputs.length - 1];
        if (last?.output_type === 'stream' && last.name === name) last.text = sourceText(last.text) + text;
        else outputs.push({ output_type: 'stream', name, text });
        break;
      }
      case 'display_data':
      case 'execute_result': {
        const data = (content.data ?? {}) as Record<string, unknown>;
        const metadata = (content.metadata ?? {}) as Record<string, unknown>;
        const output: Output =
          message.header.msg_type === 'display_data'
            ? { output_type: 'display_data', data, metadata }
            : { output_type: 'execute_result', data, metadata, execution_count: (content.execution_count as number | undefined) ?? null };
        outputs.push(output);
        const displayId = (content.transient as { display_id?: string } | undefined)?.display_id;
        if (displayId) this.displays.set(displayId, [...(this.displays.get(displayId) ?? []), output]);
        break;
      }
      case 'update_display_data': {
        const displayId = (content.transient as { display_id?: string } | undefined)?.display_id;
        for (const output of (displayId && this.displays.get(displayId)) || []) {
          if (output.output_type === 'display_data' || output.output_type === 'execute_result') {
            output.data = (content.data ?? {}) as Record<string, unknown>;
            output.metadata = (content.metadata ?? {}) as Record<string, unknown>;
          }
        }
        break;
      }
      case 'error':
        outputs.push({
          output_type: 'error',
          ename: String(content.ename ?? 'Error'),
          evalue: String(content.evalue ?? ''),
          traceback: (content.traceback as string[] | undefined) ?? [],
        });
        break;
      case 'clear_output':
        outputs.splice(0);
        break;
      default:
        // execute_input, status and comm messages change no stored output.
        break;
    }
  }
}

export interface CellFailure {
  /** Index in notebook.cells (0-based). */
  cellIndex: number;
  /** 1-based position among the code cells, as a person counts them. */
  codeCellNumber: number;
  /** 'runs-failed': the cell ran, but showed a figure whose runs failed (the marked stderr line of src/plots/runFailures.ts). */
  status: 'error' | 'abort' | 'timeout' | 'kernel-died' | 'runs-failed';
  source: string;
  /** What the cell wrote to stderr (tslab's only error report), plus any iopub error message. */
  stderr: string;
  /** The runner's own explanation (timeout, kernel crash), when there is one. */
  message?: string;
}

export interface ExecutionResult {
  notebook: Notebook;
  failure?: CellFailure;
  /** Seconds per executed code cell, by cell index. */
  seconds: Map<number, number>;
}

/** Executes every code cell in order; stops at the first failure, leaving later cells unrun. */
export async function executeNotebook(
  notebook: Notebook,
  kernel: KernelClient,
  options: { cellTimeoutSeconds: number; onCell?: (cellIndex: number, seconds: number) => void },
): Promise<ExecutionResult> {
  const executed: Notebook = structuredClone(notebook);
  const collector = new OutputCollector();
  const seconds = new Map<number, number>();
  for (const cell of executed.cells) {
    if (cell.cell_type === 'code') {
      cell.outputs = [];
      cell.execution_count = null;
    }
  }
  let codeCellNumber = 0;
  for (const [cellIndex, cell] of executed.cells.entries()) {
    if (cell.cell_type !== 'code') continue;
    codeCellNumber += 1;
    const source = sourceText(cell.source);
    const outputs: Output[] = [];
    cell.outputs = outputs;
    const started = performance.now();
    let status: CellFailure['status'] | 'ok';
    let message: string | undefined;
    try {
      const reply = await kernel.execute(source, (iopub) => collector.apply(outputs, iopub), options.cellTimeoutSeconds * 1000);
      cell.execution_count = reply.execution_count ?? null;
      status = reply.status;
    } catch (error) {
      status = error instanceof Error && error.name === 'CellTimeoutError' ? 'timeout' : 'kernel-died';
      message = error instanceof Error ? error.message : String(error);
    }
    const elapsed = (performance.now() - started) / 1000;
    seconds.set(cellIndex, elapsed);
    options.onCell?.(cellIndex, elapsed);
    // A cell that ran but drew a figure without its failed runs fails too: its `ok` would hide them.
    if (status === 'ok' && failedRunsLines(outputs).length > 0) status = 'runs-failed';
    if (status !== 'ok') {
      return { notebook: executed, seconds, failure: { cellIndex, codeCellNumber, status, source, stderr: cellErrorText(outputs), message } };
    }
  }
  return { notebook: executed, seconds };
}

/** The marked lines (RUNS_FAILED_MARKER) a cell wrote to stderr: figures shown without their failed runs. */
export function failedRunsLines(outputs: Output[]): string[] {
  return cellErrorText(outputs)
    .split('\n')
    .filter((line) => line.startsWith(RUNS_FAILED_MARKER));
}

/** The text a person needs to see for a failed cell: its stderr and any error outputs. */
export function cellErrorText(outputs: Output[]): string {
  return outputs
    .map((output) => {
      if (output.output_type === 'stream' && output.name === 'stderr') return sourceText(output.text);
      if (output.output_type === 'error') return [`${output.ename}: ${output.evalue}`, ...output.traceback].join('\n');
      return '';
    })
    .filter((text) => text !== '')
    .join('\n');
}

/** A failure as printed by `npm run notebooks`: where, the cell's first lines, its real error. */
export function formatFailure(file: string, failure: CellFailure): string {
  const lines = failure.source.split('\n');
  const shown = lines.slice(0, 12).map((line) => `  | ${line}`);
  if (lines.length > 12) shown.push(`  | ... (${lines.length - 12} more lines)`);
  const what: Record<CellFailure['status'], string> = {
    abort: 'was aborted by the kernel (tslab aborts requests that arrive within 200 ms of an earlier error)',
    error: 'failed',
    'runs-failed': 'showed a figure whose runs failed (the cell itself ran)',
    timeout: 'timed out',
    'kernel-died': 'lost its kernel',
  };
  return [
    `${file}: code cell ${failure.codeCellNumber} (cell ${failure.cellIndex + 1}) ${what[failure.status]}.`,
    'Cell source:',
    ...shown,
    failure.message ? `Runner: ${failure.message}` : '',
    failure.stderr.trim() ? `Cell stderr:\n${indent(failure.stderr.trim())}` : 'The cell wrote nothing to stderr.',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

/**
 * The language_info the iwlab kernel reports (tslab 1.0.22's kernel_info_reply, hard-coded in its
 * dist/jupyter.js handleKernel, TypeScript "3.7.2" whatever compiler it bundles). JupyterLab writes
 * it into every notebook it saves once the kernel is connected, so committed notebooks carry exactly
 * this; a test reads tslab's source to keep it in step.
 */
export const IWLAB_LANGUAGE_INFO = {
  codemirror_mode: { mode: 'typescript', name: 'javascript', typescript: true },
  file_extension: '.ts',
  mimetype: 'text/typescript',
  name: 'typescript',
  version: '3.7.2',
} as const;

/** A copy without outputs and execution counts, and with the iwlab kernel's language_info: how notebooks are committed. */
export function cleanNotebook(notebook: Notebook): Notebook {
  const clean: Notebook = structuredClone(notebook);
  if (clean.metadata.kernelspec?.name === 'iwlab') clean.metadata.language_info = structuredClone(IWLAB_LANGUAGE_INFO);
  for (const cell of clean.cells) {
    if (cell.cell_type !== 'code') continue;
    cell.outputs = [];
    cell.execution_count = null;
  }
  return clean;
}

/**
 * The notebook exactly as Jupyter writes it (JupyterLab 4 saves through jupyter_server, which calls
 * nbformat.write): keys sorted at every level, one-space indent, `": "` and `","` separators,
 * non-ASCII kept, multi-line strings stored as lists of lines (sources, stream text, text/* outputs),
 * session-only fields dropped, and a trailing newline. So a notebook saved from JupyterLab without
 * an edit is byte for byte what this writes, and `git diff` stays empty.
 */
export function serializeNotebook(notebook: Notebook): string {
  return `${JSON.stringify(sortKeys(jupyterLines(notebook)), null, 1)}\n`;
}

/** nbformat's split_lines and strip_transient (nbformat/v4/rwbase.py), on a copy. */
function jupyterLines(notebook: Notebook): Notebook {
  const copy: Notebook = structuredClone(notebook);
  for (const key of ['orig_nbformat', 'orig_nbformat_minor', 'signature']) delete copy.metadata[key];
  for (const cell of copy.cells) {
    delete cell.metadata.trusted;
    cell.source = splitLines(cell.source);
    for (const output of cell.outputs ?? []) {
      if (output.output_type === 'stream') output.text = splitLines(output.text);
      if (output.output_type === 'display_data' || output.output_type === 'execute_result') {
        for (const [mime, value] of Object.entries(output.data)) {
          if ((mime.startsWith('text/') || SPLIT_MIMES.has(mime)) && (typeof value === 'string' || Array.isArray(value))) output.data[mime] = splitLines(value as MultilineString);
        }
      }
    }
  }
  return copy;
}

/** Besides text/*, the mime types nbformat stores as lists of lines. */
const SPLIT_MIMES = new Set(['application/javascript', 'image/svg+xml']);

/** Python's str.splitlines(keepends=True): every line break Python knows, each line keeping its own. */
export function splitLines(text: MultilineString): string[] {
  const joined = sourceText(text);
  // eslint-disable-next-line no-control-regex -- Python also breaks lines at the file, group and record separators (\x1c-\x1e).
  return joined.match(/[^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]*(\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]|$)/g)?.filter((line) => line !== '') ?? [];
}

/** A copy with every object's keys in code-point order (Python's sort_keys). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}
