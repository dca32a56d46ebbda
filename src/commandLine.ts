/**
 * Strict command-line parsing for every edge (commands and npm scripts): the shared flags of
 * src/options.ts plus the edge's own. An unknown flag or a flag without its value becomes one line
 * naming it and the fix, where Node's parseArgs would throw with advice about positionals.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SHARED_NAMES, SHARED_OPTIONS, type SharedOption } from './options';
import { UsageError } from './usageError';

type OwnOptions = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command line strictly: the shared flags plus the edge's own. An unknown flag or a flag
 * without its value is a UsageError of one line that names it and the fix (`usage` is how the user
 * asks for help: 'iwlab run --help', 'npm run notebooks -- --help').
 */
export function parseCommandLine<O extends OwnOptions>(args: readonly string[], own: O, usage: string, shared: readonly SharedOption[] = SHARED_NAMES) {
  // Only the shared flags this edge uses: `iwlab data --scale quick` is refused, not ignored.
  const options = { ...SHARED_OPTIONS, ...own };
  for (const name of SHARED_NAMES) if (!shared.includes(name) && name !== 'help' && name !== 'debug' && !(name in own)) delete (options as Record<string, unknown>)[name];
  try {
    return parseArgs({ args: [...args], allowPositionals: true, strict: true, options });
  } catch (error) {
    throw parseErrorAsUsage(error, Object.keys(options), usage);
  }
}

/** Node's parseArgs errors advise `-- "--flag"` for a mistyped flag; say what is wrong instead. */
function parseErrorAsUsage(error: unknown, known: readonly string[], usage: string): unknown {
  if (!(error instanceof Error)) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const flag = /'(--?[^' <]+)/.exec(error.message)?.[1] ?? '?';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const near = nearest(flag.replace(/^-+/, ''), known);
    return new UsageError(`Unknown option ${flag}${near === undefined ? '' : ` (did you mean --${near}?)`}; see ${usage} for the options.`);
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/does not take an argument/.test(error.message)) return new UsageError(`Option ${flag} is a switch and takes no value; write ${flag} alone.`);
    return new UsageError(`Option ${flag} needs a value (${flag} <value>, or ${flag}=<value> for a value starting with '-'); see ${usage}.`);
  }
  return error;
}

/** The known flag within two edits of a mistyped one, for "did you mean". */
function nearest(typed: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(typed, name);
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    previous = current;
  }
  return previous[b.length]!;
}

