/** What can go wrong with the result store, as named errors whose message says what to do next. */

/** A store file is not what the store wrote: torn, edited, or from another format. */
export class StoreFormatError extends Error {
  override name = 'StoreFormatError';
}

/** The store's folder cannot be created or written (read-only, no permission, not a folder). */
export class StoreAccessError extends Error {
  override name = 'StoreAccessError';
  constructor(
    readonly root: string,
    cause: unknown,
  ) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code ?? 'error';
    super(`The result store ${root} cannot be written (${code}). Make it writable, or point --results / IWLAB_RESULTS at a folder that is.`);
  }
}
