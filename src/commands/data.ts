import path from 'node:path';
import { DATASETS } from '../data/datasets';
import type { DatasetId } from '../data/errors';
import { installDataset } from '../data/install';
import { readDataDir } from '../options';
import { parseCommandLine } from '../commandLine';
import { ProgressBars, formatBytes } from '../progressBar';
import { UsageError } from '../usageError';

const HELP = `Usage: iwlab data [cifar10|mnist|all] [--from <folder>] [--data <data-dir>] [--force]

Installs the real datasets into the data folder, every file checked against its published md5:
  cifar10  CIFAR-10 binary version (cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html)
  mnist    MNIST's four IDX gzip files (yann.lecun.com, falling back to torchvision's mirror)
  all      both (the default)
Files already installed and intact are kept; an interrupted download resumes on the next run.

Options:
  --from <folder>  take the files from a local folder (extracted, or the CIFAR-10 archive) instead of
                   downloading; default $IWLAB_DATA_MIRROR. Example: --from ../shared/data
  --data <folder>  where to install; default $IWLAB_DATA_DIR, else <repo>/data. The same setting tells
                   \`iwlab run\`, \`iwlab figure\` and the notebooks where to read. (--dir: its old name)
  --force          replace every file, even intact ones
  --debug          print the stack trace of an error`;

const OWN_OPTIONS = {
  from: { type: 'string' },
  dir: { type: 'string' },
  force: { type: 'boolean', default: false },
} as const;

export async function main(args: string[]): Promise<void> {
  const { values, positionals } = parseCommandLine(args, OWN_OPTIONS, '`iwlab data --help`', ['data']);
  if (values.help) return console.log(HELP);
  if (positionals.length > 1) throw new UsageError(`Name one dataset (cifar10, mnist or all), got ${positionals.join(' ')} (iwlab data --help).`);
  const which = positionals[0] ?? 'all';
  const ids: DatasetId[] = which === 'all' ? ['cifar10', 'mnist'] : which === 'cifar10' || which === 'mnist' ? [which] : [];
  if (ids.length === 0) throw new UsageError(`Unknown dataset '${which}'; use cifar10, mnist or all (iwlab data --help).`);
  if (values.dir !== undefined && values.data !== undefined) throw new UsageError('Use --data (or its old name --dir), not both.');

  // The environment is read at the edge (src/options.ts), and nowhere below.
  const dataDir = readDataDir(values.data ?? values.dir);
  const mirror = values.from ?? (process.env.IWLAB_DATA_MIRROR || undefined);
  const from = mirror === undefined ? undefined : path.resolve(mirror);

  const progress = new ProgressBars();
  for (const id of ids) {
    const started = performance.now();
    const report = await installDataset(DATASETS[id], { dataDir, from, force: values.force, progress });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const files = report.kept.length + report.installed.length;
    const what =
      report.installed.length === 0
        ? `already installed, ${files} files verified`
        : `installed ${report.installed.length} file(s), ${formatBytes(report.bytes)}, from ${report.source}` + (report.kept.length > 0 ? `; kept ${report.kept.length} intact` : '');
    console.log(`${id}: ${what} -> ${report.dir} (${seconds} s, every md5 checked)`);
  }
}
