/**
 * The datasets a set of notebooks needs, checked before the first cell runs. A notebook whose
 * dataset is missing would train nothing (every run fails with MissingDataError) and, before the
 * runners failed on that, printed `ok`; on a fresh clone it could also sit silent until a timeout.
 * So: with a local mirror ($IWLAB_DATA_MIRROR, as `npm run data -- --from` takes it) the missing
 * datasets are installed from it, checksums verified, as `npm run data` would; without one the
 * runner stops at once, naming the notebooks, the datasets and the command that fetches them.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_DATA_DIR } from '../../src/data/dataDir';
import { DATASETS } from '../../src/data/datasets';
import type { DatasetId } from '../../src/data/errors';
import { installDataset } from '../../src/data/install';
import { getFigure } from '../../src/experiments/figures';
import { type Notebook, sourceText } from './notebook';

export class MissingDatasetsError extends Error {
  override name = 'MissingDatasetsError';
}

/** Figure ids the notebook trains: every `runFigure('<id>'` in its code cells. */
export function notebookFigures(notebook: Notebook): string[] {
  const code = notebook.cells.filter((cell) => cell.cell_type === 'code').map((cell) => sourceText(cell.source)).join('\n');
  return [...new Set([...code.matchAll(/\brunFigure\(\s*['"]([\w-]+)['"]/g)].map((match) => match[1]!))];
}

/** Datasets the figures read (the toy figures generate their data). Unknown ids are left to the notebook to report. */
export function figureDatasets(figureIds: readonly string[]): DatasetId[] {
  const found = new Set<DatasetId>();
  for (const id of figureIds) {
    let spec;
    try {
      spec = getFigure(id);
    } catch {
      continue;
    }
    for (const data of [spec.data, ...spec.variants.map((variant) => variant.data)]) {
      if (data?.source === 'cifar10' || data?.source === 'mnist') found.add(data.source);
    }
  }
  return [...found].sort();
}

/** A cheap look (names and sizes, no checksums): the loaders and `npm run data` verify the bytes. */
export function isDatasetInstalled(dataset: DatasetId, dataDir: string): boolean {
  const manifest = DATASETS[dataset];
  const dir = path.join(dataDir, manifest.dir);
  return manifest.files.every((file) =>
    [file, file.alternative].some((form) => form !== undefined && existsSync(path.join(dir, form.name)) && (form.bytes === undefined || statSync(path.join(dir, form.name)).size === form.bytes)),
  );
}

export interface DataCheckOptions {
  /** Where the notebooks' runs look (runFigure's default: <repo>/data). */
  dataDir?: string;
  /** A folder holding the datasets ($IWLAB_DATA_MIRROR): missing ones are installed from it. */
  mirror?: string;
  log?: (line: string) => void;
}

/**
 * Makes sure every dataset the notebooks need is installed: from the mirror when one is given, else
 * throws MissingDatasetsError at once with the command that fixes it.
 */
export async function ensureNotebookData(notebooks: readonly { file: string; notebook: Notebook }[], options: DataCheckOptions = {}): Promise<void> {
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
  const needs = new Map<DatasetId, string[]>();
  for (const { file, notebook } of notebooks) {
    for (const dataset of figureDatasets(notebookFigures(notebook))) needs.set(dataset, [...(needs.get(dataset) ?? []), path.basename(file)]);
  }
  const missing = [...needs.keys()].filter((dataset) => !isDatasetInstalled(dataset, dataDir));
  if (missing.length === 0) return;
  if (options.mirror) {
    for (const dataset of missing) {
      options.log?.(`${dataset} is not installed in ${dataDir}; installing it from ${options.mirror} ($IWLAB_DATA_MIRROR), every md5 checked ...`);
      const report = await installDataset(DATASETS[dataset], { dataDir, from: path.resolve(options.mirror) });
      options.log?.(`${dataset}: installed ${report.installed.length} file(s) into ${report.dir}`);
    }
    return;
  }
  const which = missing.map((dataset) => `${DATASETS[dataset].title} (for ${needs.get(dataset)!.join(', ')})`).join('; ');
  const names = missing.length === 2 ? 'all' : missing[0]!;
  throw new MissingDatasetsError(
    `Not installed in ${dataDir}: ${which}. Every run of those notebooks would fail. ` +
      `Fix: \`npm run data -- ${names}\` (downloads with checksums), or \`npm run data -- ${names} --from <folder>\` from a local copy; ` +
      'or set IWLAB_DATA_MIRROR=<folder> and the notebook runner installs them from it. Then run this again.',
  );
}
