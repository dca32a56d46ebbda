/**
 * Checks the installed dataset files against their published md5s where training reads them, not
 * only at install: a file changed since (same-length damage included) is refused before any run
 * trains on it. Hashing CIFAR-10 takes a second or so, so a successful check is recorded beside the
 * data (VERIFIED_FILE: size, mtime and md5 per file) and a file is hashed again only when its size or
 * mtime changed. The checksums come back so each run can record what it trained on.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DATASETS, type DatasetFile, type DatasetManifest } from './datasets';
import { md5File } from './download';
import { ChecksumError, type DatasetId, fetchCommand, fetchHint, MissingDataError } from './errors';

/** Name of the record of successful checks, in each dataset's folder. */
export const VERIFIED_FILE = '.iwlab-verified.json';

/** md5 of each file read, keyed by its path under the data dir (`<dataset dir>/<file>`). */
export type DataChecksums = Record<string, string>;

interface VerifiedEntry {
  size: number;
  mtimeMs: number;
  md5: string;
  hashedAt: string;
}

/**
 * Files this thread verified, by path, with size and mtime: a read-only data folder keeps no record
 * beside the data, and each run of a figure verifies before it trains; hash such files once here.
 */
const verifiedHere = new Map<string, Omit<VerifiedEntry, 'hashedAt'>>();

/** The dataset behind a DataSpec source, or undefined for generated data (nothing to verify). */
export function datasetOfSource(source: string): DatasetManifest | undefined {
  return Object.hasOwn(DATASETS, source) ? DATASETS[source as DatasetId] : undefined;
}

/** Verifies every file of the dataset (the installed form of each) and returns their checksums. */
export async function verifyDataset(manifest: DatasetManifest, dataDir: string): Promise<DataChecksums> {
  const dir = path.join(dataDir, manifest.dir);
  const stampPath = path.join(dir, VERIFIED_FILE);
  const stamp = readStamp(stampPath);
  const checksums: DataChecksums = {};
  let isStampChanged = false;
  // Every missing file named at once: "not installed" when none is there, "not fully installed" when some are.
  const forms = manifest.files.map((file) => installedForm(dir, file));
  const missing = manifest.files.filter((_, i) => forms[i] === undefined).map((file) => file.name);
  if (missing.length > 0) {
    const state = missing.length === manifest.files.length ? 'is not installed' : 'is not fully installed';
    throw new MissingDataError(`${manifest.title} ${state} in ${dir} (missing ${missing.join(', ')}). ${fetchHint(manifest.id)}`);
  }
  for (const form of forms as { name: string; md5: string }[]) {
    const filePath = path.join(dir, form.name);
    const { size, mtimeMs } = fs.statSync(filePath);
    const isCurrent = (entry: Omit<VerifiedEntry, 'hashedAt'> | undefined) => entry !== undefined && entry.size === size && entry.mtimeMs === mtimeMs && entry.md5 === form.md5;
    let md5: string;
    if (isCurrent(stamp[form.name]) || isCurrent(verifiedHere.get(filePath))) {
      md5 = form.md5;
    } else {
      md5 = await md5File(filePath);
      if (md5 !== form.md5) {
        throw new ChecksumError(
          `${filePath} has md5 ${md5}, not the published ${form.md5}: it changed after install (damaged, edited, or another file). ` +
            `Nothing was trained on it. Reinstall it with \`${fetchCommand(manifest.id)} --force\` (with \`--from <folder>\` to copy it from a local mirror).`,
        );
      }
      stamp[form.name] = { size, mtimeMs, md5, hashedAt: new Date().toISOString() };
      verifiedHere.set(filePath, { size, mtimeMs, md5 });
      isStampChanged = true;
    }
    checksums[`${manifest.dir}/${form.name}`] = md5;
  }
  if (isStampChanged) writeStamp(stampPath, stamp);
  return checksums;
}

/** The checksums of a run's data (verified), or undefined for generated data. */
export async function verifyDataSource(source: string, dataDir: string): Promise<DataChecksums | undefined> {
  const manifest = datasetOfSource(source);
  return manifest === undefined ? undefined : verifyDataset(manifest, dataDir);
}

/** The file, or its alternative form, whichever is in `dir` (the file first, as the loaders look). */
function installedForm(dir: string, file: DatasetFile): { name: string; md5: string } | undefined {
  for (const form of [file, file.alternative]) {
    if (form !== undefined && fs.existsSync(path.join(dir, form.name))) return form;
  }
  return undefined;
}

function readStamp(stampPath: string): Record<string, VerifiedEntry> {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(stampPath, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, VerifiedEntry>) : {};
  } catch {
    return {}; // none yet, or torn: every file is hashed again
  }
}

/** Temp file + rename, so two processes checking at once never leave a torn record. */
function writeStamp(stampPath: string, stamp: Record<string, VerifiedEntry>): void {
  const temp = `${stampPath}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    fs.writeFileSync(temp, JSON.stringify(stamp, null, 1) + '\n');
    fs.renameSync(temp, stampPath);
  } catch {
    // A read-only data folder: the check still ran; the next run hashes again.
    fs.rmSync(temp, { force: true });
  }
}
