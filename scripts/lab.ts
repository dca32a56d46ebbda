/**
 * `npm run lab [-- <jupyter lab options>]`: JupyterLab at the repo root with the iwlab kernel
 * available (the repo's own kernelspec, through JUPYTER_PATH), from the venv that `npm run
 * jupyter:install` makes. Set JUPYTER_APP=notebook for the Notebook 7 interface instead.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './lib/kernelClient';
import { findJupyter } from './lib/jupyter';
import { environmentSettings } from '../src/options';
import { describeError, errorExitCode, isDebug } from '../src/usageError';

/** The environment Jupyter needs to find the repo's kernelspec, ahead of any other JUPYTER_PATH. */
export function jupyterEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const own = path.join(REPO_ROOT, 'jupyter');
  return { ...env, JUPYTER_PATH: env.JUPYTER_PATH ? `${own}${path.delimiter}${env.JUPYTER_PATH}` : own };
}

/** Jupyter refuses to run as root without --allow-root (containers and CI machines often are root). */
export function rootFlags(): string[] {
  return process.getuid?.() === 0 ? ['--allow-root'] : [];
}

function main(args: string[]): void {
  // The notebooks read IWLAB_SCALE, IWLAB_SEEDS, IWLAB_DATA_DIR and IWLAB_RESULTS from the kernel's
  // environment (this one): refuse a bad value now, by name, rather than in the first cell.
  environmentSettings();
  const app = process.env.JUPYTER_APP === 'notebook' ? 'notebook' : 'lab';
  // Exactly what this front end needs, so a missing piece is named before anything starts.
  const { command } = findJupyter(process.env, [app === 'lab' ? 'jupyterlab' : 'notebook', 'plotly']);
  const child = spawn(command, [app, `--ServerApp.root_dir=${REPO_ROOT}`, ...rootFlags(), ...args], { cwd: REPO_ROOT, env: jupyterEnv(), stdio: 'inherit' });
  // Ctrl-C reaches Jupyter through the terminal's process group; wait for its own shutdown.
  process.on('SIGINT', () => undefined);
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 1 : 0);
  });
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    console.error(describeError(error, isDebug(process.argv)));
    process.exitCode = errorExitCode(error);
  }
}
