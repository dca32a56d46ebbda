/**
 * `npm run kernel:install [-- --prefix <dir> | --data-dir <dir>] [--print]`
 *
 * Registers the iwlab kernel with the user's Jupyter (JupyterLab, Notebook, VS Code) by writing a
 * kernel.json, the way `jupyter kernelspec install --user` would, but without Python: the spec is
 * a folder with one JSON file. The repo's own spec (jupyter/kernels/iwlab) uses {resource_dir} and
 * works wherever JUPYTER_PATH points at <repo>/jupyter; an installed copy lives elsewhere, so its
 * argv names this checkout's launcher and this Node by absolute path (re-run after moving either).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { KERNEL_LAUNCHER, REPO_ROOT } from './lib/kernelClient';

export const KERNEL_NAME = 'iwlab';

const HELP = `Usage: npm run kernel:install [-- options]

Writes the '${KERNEL_NAME}' kernelspec ("TypeScript (iwlab)") for Jupyter. Default location: the
per-user Jupyter data folder ($JUPYTER_DATA_DIR, else the platform default), which every front end
searches.
  --prefix <dir>     install into <dir>/share/jupyter/kernels (like jupyter's --prefix/--sys-prefix)
  --data-dir <dir>   install into <dir>/kernels
  --print            print the kernel.json instead of writing it`;

/** jupyter_core's jupyter_data_dir(): where `--user` kernelspecs go on each platform. */
export function userJupyterDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.JUPYTER_DATA_DIR) return env.JUPYTER_DATA_DIR;
  if (platform === 'darwin') return path.join(homedir(), 'Library', 'Jupyter');
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(homedir(), 'AppData', 'Roaming'), 'jupyter');
  return path.join(env.XDG_DATA_HOME || path.join(homedir(), '.local', 'share'), 'jupyter');
}

/** The installed spec: the repo's, with {resource_dir} and a bare `node` made absolute. */
export function installedKernelSpec(nodePath: string = process.execPath): Record<string, unknown> {
  const spec = JSON.parse(readFileSync(path.join(path.dirname(KERNEL_LAUNCHER), 'kernel.json'), 'utf8')) as Record<string, unknown>;
  return {
    ...spec,
    argv: [nodePath, KERNEL_LAUNCHER, '{connection_file}'],
    metadata: { comment: `Installed by npm run kernel:install from ${REPO_ROOT}; re-run it after moving the repo or changing Node.` },
  };
}

function main(args: string[]): void {
  const { values } = parseArgs({
    args,
    options: {
      prefix: { type: 'string' },
      'data-dir': { type: 'string' },
      print: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return console.log(HELP);
  const spec = `${JSON.stringify(installedKernelSpec(), null, 2)}\n`;
  if (values.print) return void process.stdout.write(spec);
  const dataDir = values.prefix ? path.join(values.prefix, 'share', 'jupyter') : (values['data-dir'] ?? userJupyterDataDir());
  const dir = path.join(path.resolve(dataDir), 'kernels', KERNEL_NAME);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'kernel.json'), spec);
  console.log(`Installed the '${KERNEL_NAME}' kernel ("TypeScript (iwlab)") in ${dir}`);
  console.log(`It runs ${KERNEL_LAUNCHER} with ${process.execPath}; check with: jupyter kernelspec list`);
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    process.exitCode = 1;
  }
}
