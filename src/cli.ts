/**
 * iwlab's command line: `iwlab <command> [options]`. Each command lives in src/commands/<name>.ts
 * and is loaded only when called, so `iwlab data` never pays for loading tfjs.
 */
import { UsageError, describeError, errorExitCode, isDebug } from './usageError';

// Commands import UsageError from ./usageError (this file imports them all); re-exported for old imports.
export { UsageError } from './usageError';

export interface Command {
  summary: string;
  load: () => Promise<{ main(args: string[]): Promise<void> }>;
}

export const COMMANDS: Record<string, Command> = {
  figure: { summary: 'train one figure and write it as a standalone HTML file', load: () => import('./commands/figure') },
  run: { summary: 'train the runs of a figure into results/ (reuse, resume, worker pool); --list, --only, --index for clusters', load: () => import('./commands/run') },
  data: { summary: 'download (or copy with --from) and verify CIFAR-10 and MNIST into data/', load: () => import('./commands/data') },
  engine: { summary: 'install the native TensorFlow engine (install [--from-wheel [FILE]]) and show which backends load (status)', load: () => import('./commands/engine') },
  bench: { summary: 'training throughput of each figure model (JSON lines); --vs-torch compares with PyTorch', load: () => import('./commands/bench') },
};

export async function main(argv: string[]): Promise<void> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    throw new UsageError(`Unknown command '${name}'; use one of ${Object.keys(COMMANDS).join(', ')} (iwlab --help).`);
  }
  await (await command.load()).main(args);
}

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`);
  return ['Usage: iwlab <command> [options]   (npm run iwlab -- <command> ...)', '', 'Commands:', ...lines, '', 'iwlab <command> --help for its options; --debug (or IWLAB_DEBUG=1) prints stack traces.'].join('\n');
}

/** Runs a command; an error becomes one line (its stack with --debug) and its exit code (2 usage, 1 other). */
export function run(argv: string[]): void {
  main(argv).catch((error: unknown) => {
    console.error(describeError(error, isDebug(argv)));
    process.exitCode = errorExitCode(error);
  });
}

if (require.main === module) run(process.argv.slice(2));
