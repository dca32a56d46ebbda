/**
 * UsageError, and how an edge (a command, an npm script) reports an error: one line naming the
 * problem and the fix, no stack trace unless asked for with --debug (or IWLAB_DEBUG=1). Commands and
 * scripts import it from here, below every command, so no module imports the CLI that imports it.
 */

/** A bad flag, value or setting: the user's to fix, so its message says how. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Exit status for a usage error (as getopt-style tools use): a scheduler should not retry it. */
export const USAGE_EXIT_CODE = 2;

/** --debug on the command line or IWLAB_DEBUG=1 in the environment: print stacks. */
export function isDebug(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): boolean {
  return argv.includes('--debug') || (env.IWLAB_DEBUG !== undefined && env.IWLAB_DEBUG !== '' && env.IWLAB_DEBUG !== '0');
}

/**
 * The text an edge prints for an error. Named errors (UsageError, MissingDataError, ...) and system
 * errors (ENOTDIR, EACCES: a path the user gave) are expected: their message alone. Anything else is a
 * bug in iwlab, so its stack is the useful part.
 */
export function describeError(error: unknown, debug: boolean): string {
  if (!(error instanceof Error)) return String(error);
  if (debug) return error.stack ?? `${error.name}: ${error.message}`;
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return `${error.message} (run with --debug for the stack)`;
  const isNamed = error.name !== 'Error' && error.name !== 'TypeError' && error.name !== 'RangeError' && error.name !== 'ReferenceError' && error.name !== 'SyntaxError';
  return isNamed ? `${error.name}: ${error.message}` : (error.stack ?? error.message);
}

/** The exit status for an error that ended a command. */
export function errorExitCode(error: unknown): number {
  return error instanceof UsageError ? USAGE_EXIT_CODE : 1;
}
