/**
 * What can go wrong with dataset files, as named errors whose message says what to do next.
 * Loaders throw MissingDataError or CorruptDataError; the installer (`iwlab data`) throws
 * ChecksumError or DownloadError and never leaves a half-written file under its final name.
 */

export type DatasetId = 'cifar10' | 'mnist';

/** The command that installs a dataset, as a user would type it. */
export function fetchCommand(dataset: DatasetId): string {
  return `npx iwlab data ${dataset}`;
}

/** The fix printed with every missing or damaged file. */
export function fetchHint(dataset: DatasetId): string {
  return (
    `Run \`${fetchCommand(dataset)}\` (or \`npm run data -- ${dataset}\`) to download and verify it, ` +
    `or \`${fetchCommand(dataset)} --from <folder>\` to install it from a local copy.`
  );
}

/** A dataset file is not where the loader looks. */
export class MissingDataError extends Error {
  override name = 'MissingDataError';
}

/** A file exists but its bytes are not the format it claims (bad magic, wrong size, truncated). */
export class CorruptDataError extends Error {
  override name = 'CorruptDataError';
}

/** A file's md5 differs from the published one. */
export class ChecksumError extends Error {
  override name = 'ChecksumError';
}

/** No URL delivered the file. */
export class DownloadError extends Error {
  override name = 'DownloadError';
}

/** A DataSpec asks for something the dataset cannot give (unknown class, more images than exist). */
export class DataSpecError extends Error {
  override name = 'DataSpecError';
}
