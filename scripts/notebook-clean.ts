/**
 * The git clean filter for notebooks (`npm run jupyter:install` sets `filter.iwlab-notebook.clean`
 * to this, and .gitattributes names it for *.ipynb): reads a notebook on stdin and writes it on
 * stdout without outputs or execution counts, in exactly the format Jupyter writes. So outputs never
 * reach a commit, and a notebook saved in JupyterLab without an edit shows no diff. The working copy
 * keeps its outputs; only what git stores is clean.
 *
 * Anything that is not an nbformat 4 notebook goes through unchanged (a filter must never lose a
 * file), with one line on stderr saying so.
 *
 * By hand: `npx tsx scripts/notebook-clean.ts < notebooks/01-toy-gaussian.ipynb`.
 */
import { cleanNotebook, type Notebook, serializeNotebook } from './lib/notebook';

export function cleanNotebookText(text: string): { text: string; problem?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { text, problem: `not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const notebook = parsed as Partial<Notebook>;
  if (notebook.nbformat !== 4 || !Array.isArray(notebook.cells)) return { text, problem: 'no nbformat 4 cell list' };
  return { text: serializeNotebook(cleanNotebook(parsed as Notebook)) };
}

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const { text, problem } = cleanNotebookText(Buffer.concat(chunks).toString('utf8'));
  if (problem) process.stderr.write(`iwlab-notebook filter: left unchanged, ${problem}.\n`);
  process.stdout.write(text);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`iwlab-notebook filter: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
