/**
 * `iwlab engine install|status`: set up the native TensorFlow engine for this checkout, and report
 * which tfjs backends load here (the same order initEngine tries them in).
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../usageError';
import { BACKEND_ORDER, engineSettingsFromEnv, probeBackend } from '../engine/index';
import { installEngine } from '../engine/installEngine';

const HELP = `Usage: iwlab engine install [--from-wheel [FILE]] [--force] [--nodedir DIR] [--python python3]
       iwlab engine status

install  makes the native engine (the 'tensorflow' backend) load for this checkout, in
         .iwlab/engine/native ($IWLAB_ENGINE_DIR/native), which npm ci leaves alone. It tries
         tfjs-node's own install first (needs the internet); else, or with --from-wheel, it builds
         tfjs-node's addon against the tensorflow-cpu wheel fetched with pip from its configured
         index, or against the wheel FILE given. Needs g++, make, Node's headers and ~2 GiB free.
         A second run is a no-op; --force rebuilds.
status   each backend in the order the engine picks them: whether it loads, its version and
         threads, and why not where it does not. $IWLAB_THREADS sets the native intra-op threads.`;

export async function main(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h') return console.log(HELP);
  if (sub === 'install') return install(rest);
  if (sub === 'status') return status(rest);
  throw new UsageError(`Unknown engine command '${sub}'; use 'install' or 'status' (iwlab engine --help).`);
}

async function install(args: string[]): Promise<void> {
  // --from-wheel takes an optional file: parseArgs has no optional values, so take it by hand.
  const at = args.indexOf('--from-wheel');
  let fromWheel: true | string | undefined;
  if (at >= 0) {
    const next = args[at + 1];
    fromWheel = next !== undefined && !next.startsWith('--') ? next : true;
    args = [...args.slice(0, at), ...args.slice(at + (fromWheel === true ? 1 : 2))];
  }
  const { values } = parseArgs({
    args,
    options: {
      force: { type: 'boolean', default: false },
      nodedir: { type: 'string' },
      python: { type: 'string', default: process.env.IWLAB_PYTHON ?? 'python3' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return console.log(HELP);
  const { engineDir } = engineSettingsFromEnv();
  await installEngine({
    engineDir,
    force: values.force,
    python: values.python,
    ...(fromWheel === undefined ? {} : { fromWheel }),
    ...(values.nodedir === undefined ? {} : { nodedir: values.nodedir }),
    log: (line) => console.error(line),
  });
}

async function status(args: string[]): Promise<void> {
  if (args.length > 0) throw new UsageError(`'iwlab engine status' takes no options, got '${args.join(' ')}'.`);
  const settings = engineSettingsFromEnv();
  // `iwlab engine status | grep -q tensorflow` closes the pipe at its first match: not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  for (const backend of BACKEND_ORDER) {
    const probe = await probeBackend(backend, settings);
    console.log(JSON.stringify({ backend, ...probe }));
  }
}
