import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import type { ProgressBars } from '../progressBar';
import type { DatasetFile, DatasetManifest } from './datasets';
import { downloadVerified, md5File, PARTIAL_SUFFIX } from './download';
import { ChecksumError, MissingDataError } from './errors';
import { isProcessAlive } from '../processes';

/**
 * Puts a dataset into `<dataDir>/<manifest.dir>` with every file verified against its md5: files
 * already there and intact are kept; the rest come from a local folder (`from`) or are downloaded
 * (the archive extracted into a staging folder first). A file gets its final name only after its
 * checksum matched, so an interrupted install never leaves a file that looks valid and is not.
 */
export interface InstallOptions {
  dataDir: string;
  /** A folder holding the dataset already extracted (or its archive); nothing is downloaded. */
  from?: string;
  /** Re-verify and replace every file, even ones that look intact. */
  force?: boolean;
  progress?: ProgressBars;
  /** Milliseconds without data before a download is abandoned (tests use short ones). */
  idleTimeoutMs?: number;
}

export interface InstallReport {
  dataset: string;
  dir: string;
  /** Files that were already installed and verified. */
  kept: string[];
  /** Files put in place by this call. */
  installed: string[];
  /** Where the new files came from: a folder, an archive or URL list. */
  source: string;
  bytes: number;
}

export async function installDataset(manifest: DatasetManifest, options: InstallOptions): Promise<InstallReport> {
  const target = path.join(options.dataDir, manifest.dir);
  mkdirSync(target, { recursive: true });
  removeLeftoversOfDeadCopies(options.dataDir, target, manifest.dir);
  const kept: string[] = [];
  const needed: DatasetFile[] = [];
  for (const file of manifest.files) {
    if (!options.force && (await isInstalled(target, file))) kept.push(file.name);
    else needed.push(file);
  }
  // A damaged file must not keep looking valid if the replacement fails: move it aside (kept for
  // inspection). With force the files were not checked, and each is replaced atomically anyway.
  for (const file of options.force ? [] : needed) {
    for (const form of [file, file.alternative]) {
      const filePath = form === undefined ? undefined : path.join(target, form.name);
      if (filePath !== undefined && existsSync(filePath)) renameSync(filePath, `${filePath}.corrupt`);
    }
  }
  const report: InstallReport = { dataset: manifest.id, dir: target, kept, installed: [], source: 'already installed', bytes: 0 };
  if (needed.length === 0) return report;

  if (options.from !== undefined) {
    report.source = await installFromFolder(manifest, needed, target, options.from, options, report);
  } else if (manifest.origin.kind === 'archive') {
    const archive = path.join(options.dataDir, '.downloads', manifest.origin.name);
    mkdirSync(path.dirname(archive), { recursive: true });
    if (!existsSync(archive)) {
      await downloadVerified({ urls: manifest.origin.urls, dest: archive, md5: manifest.origin.md5, progress: options.progress, idleTimeoutMs: options.idleTimeoutMs });
    }
    await installFromArchive(manifest, needed, target, archive, options, report);
    rmSync(archive); // verified and extracted; the archive is only a download cache
    report.source = manifest.origin.urls[0]!;
  } else {
    const { baseUrls } = manifest.origin;
    for (const file of needed) {
      await downloadVerified({ urls: baseUrls.map((base) => base + file.name), dest: path.join(target, file.name), md5: file.md5, progress: options.progress, idleTimeoutMs: options.idleTimeoutMs });
      report.installed.push(file.name);
      report.bytes += statSync(path.join(target, file.name)).size;
    }
    report.source = baseUrls.join(' or ');
  }
  return report;
}

/**
 * A killed `iwlab data` leaves `<file>.partial-<pid>` copies and a `.staging-<dir>-<pid>` folder;
 * those of processes no longer alive are removed (a live copy's are its work in progress). The
 * download's own `.partial` (no pid) is kept: the next download resumes from it.
 */
function removeLeftoversOfDeadCopies(dataDir: string, target: string, dir: string): void {
  const ownedBy = (name: string, prefix: RegExp): number | undefined => {
    const match = prefix.exec(name);
    return match ? Number(match[1]) : undefined;
  };
  const partial = new RegExp(`${escapeRegExp(PARTIAL_SUFFIX)}-(\\d+)$`);
  const staging = new RegExp(`^\\.staging-${escapeRegExp(dir)}-(\\d+)$`);
  for (const [folder, pattern] of [[target, partial], [dataDir, staging]] as const) {
    for (const name of readdirSync(folder)) {
      const pid = ownedBy(name, pattern);
      if (pid !== undefined && !isProcessAlive(pid)) rmSync(path.join(folder, name), { recursive: true, force: true });
    }
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** True when the file (or its alternative form) is in `dir` with the right size and md5. */
async function isInstalled(dir: string, file: DatasetFile): Promise<boolean> {
  for (const form of [file, file.alternative]) {
    if (form === undefined) continue;
    const filePath = path.join(dir, form.name);
    if (!existsSync(filePath)) continue;
    if (form.bytes !== undefined && statSync(filePath).size !== form.bytes) continue;
    if ((await md5File(filePath)) === form.md5) return true;
  }
  return false;
}

/** Where a mirror folder may keep a dataset: the folder itself, its <dir> subfolder, torchvision's layout. */
function candidateDirs(manifest: DatasetManifest, from: string): string[] {
  return [path.join(from, manifest.dir), from, path.join(from, manifest.dir.toUpperCase(), 'raw')];
}

async function installFromFolder(
  manifest: DatasetManifest,
  needed: DatasetFile[],
  target: string,
  from: string,
  options: InstallOptions,
  report: InstallReport,
): Promise<string> {
  if (!existsSync(from)) throw new MissingDataError(`The mirror folder ${from} does not exist; check --from / IWLAB_DATA_MIRROR.`);
  const dirs = candidateDirs(manifest, from);
  const found = needed.map((file) => ({ file, source: findInFolders(dirs, file) }));
  const missing = found.filter((entry) => entry.source === undefined).map((entry) => entry.file.name);
  if (missing.length > 0) {
    // An extracted folder is preferred; the official archive in the mirror works too.
    if (manifest.origin.kind === 'archive') {
      const archive = dirs.map((dir) => path.join(dir, manifest.origin.kind === 'archive' ? manifest.origin.name : '')).find((candidate) => existsSync(candidate));
      if (archive !== undefined) {
        const md5 = await md5File(archive);
        if (md5 !== manifest.origin.md5) throw new ChecksumError(`${archive} has md5 ${md5}, not the published ${manifest.origin.md5}: it is damaged or not the official archive. Replace it, or download with \`npx iwlab data ${manifest.id}\`.`);
        await installFromArchive(manifest, needed, target, archive, options, report);
        return archive;
      }
    }
    throw new MissingDataError(
      `${from} does not hold ${manifest.title}: missing ${missing.join(', ')} (looked in ${dirs.join(', ')}). ` +
        `Point --from / IWLAB_DATA_MIRROR at a folder with the extracted files, or drop --from to download them.`,
    );
  }
  const totalBytes = found.reduce((sum, entry) => sum + statSync(entry.source!.path).size, 0);
  const bar = options.progress?.add(`${manifest.id}: copy + verify`, { total: totalBytes, unit: 'bytes' });
  let copied = 0;
  try {
    for (const { source } of found) {
      const { path: sourcePath, name, md5 } = source!;
      await copyVerified(sourcePath, path.join(target, name), md5, (bytes) => bar?.update(copied + bytes));
      copied += statSync(sourcePath).size;
      report.installed.push(name);
    }
  } catch (error) {
    bar?.fail(error instanceof Error ? error.name : 'error');
    throw error;
  }
  bar?.finish('verified');
  report.bytes += copied;
  return dirs.find((dir) => found.some((entry) => path.dirname(entry.source!.path) === dir)) ?? from;
}

function findInFolders(dirs: string[], file: DatasetFile): { path: string; name: string; md5: string } | undefined {
  for (const dir of dirs) {
    for (const form of [file, file.alternative]) {
      if (form !== undefined && existsSync(path.join(dir, form.name))) return { path: path.join(dir, form.name), name: form.name, md5: form.md5 };
    }
  }
  return undefined;
}

/** Streams `source` to `<dest>.partial`, hashing on the way; renames to `dest` only if the md5 matches. */
export async function copyVerified(source: string, dest: string, md5: string, onBytes?: (bytes: number) => void): Promise<void> {
  const partial = `${dest}${PARTIAL_SUFFIX}-${process.pid}`;
  const hash = createHash('md5');
  let bytes = 0;
  const hasher = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      onBytes?.(bytes);
      callback(null, chunk);
    },
  });
  try {
    await pipeline(createReadStream(source, { highWaterMark: 1 << 20 }), hasher, createWriteStream(partial));
    const actual = hash.digest('hex');
    if (actual !== md5) {
      throw new ChecksumError(
        `${source} has md5 ${actual}, not the published ${md5}: it is truncated, damaged or not the official file. ` +
          'Nothing was installed for it. Replace it in the mirror (or drop --from to download the official one) and rerun.',
      );
    }
    renameSync(partial, dest);
  } finally {
    if (existsSync(partial)) unlinkSync(partial);
  }
}

/** Extracts the archive's member folder into a staging folder, verifies the needed files, moves them into place. */
async function installFromArchive(manifest: DatasetManifest, needed: DatasetFile[], target: string, archive: string, options: InstallOptions, report: InstallReport): Promise<void> {
  if (manifest.origin.kind !== 'archive') throw new TypeError(`${manifest.id} has no archive.`);
  const member = manifest.origin.member;
  const staging = path.join(path.dirname(target), `.staging-${manifest.dir}-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const bar = options.progress?.add(`${manifest.id}: extract + verify`, { total: needed.length, unit: 'files' });
  try {
    await tar.x({ file: archive, cwd: staging, strict: true, filter: (entryPath) => entryPath.replace(/^\.\//, '').startsWith(`${member}/`) });
    for (const file of needed) {
      const extracted = path.join(staging, member, file.name);
      if (!existsSync(extracted)) throw new MissingDataError(`${archive} has no ${member}/${file.name}: it is not the official ${manifest.title} archive. Delete it and rerun \`npx iwlab data ${manifest.id}\`.`);
      const md5 = await md5File(extracted);
      if (md5 !== file.md5) throw new ChecksumError(`${member}/${file.name} in ${archive} has md5 ${md5}, not ${file.md5}. Delete the archive and rerun \`npx iwlab data ${manifest.id}\`.`);
    }
    for (const file of needed) {
      renameSync(path.join(staging, member, file.name), path.join(target, file.name));
      report.installed.push(file.name);
      report.bytes += statSync(path.join(target, file.name)).size;
      bar?.increment();
    }
    bar?.finish('verified');
  } catch (error) {
    bar?.fail(error instanceof Error ? error.name : 'error');
    throw error;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
