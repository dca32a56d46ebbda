/**
 * Finding the Jupyter that `npm run jupyter:install` set up, and saying exactly what is missing when
 * it is not there. Used by `npm run lab`, `npm run report` and the browser tests. Order: $JUPYTER
 * (an executable you name), else the venv at $IWLAB_JUPYTER_VENV (default ~/.cache/iwlab/jupyter),
 * else `jupyter` on PATH.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/** What a command needs of Jupyter; each with the major version iwlab is tested with. */
export type JupyterPart = 'jupyterlab' | 'notebook' | 'nbconvert' | 'nbclient' | 'plotly';

const MAJOR: Record<Exclude<JupyterPart, 'plotly'>, number> = { jupyterlab: 4, notebook: 7, nbconvert: 7, nbclient: 0 };

/** What each part is for, in the message that says it is missing. */
const PURPOSE: Record<JupyterPart, string> = {
  jupyterlab: 'JupyterLab 4 (npm run lab)',
  notebook: 'Notebook 7 (JUPYTER_APP=notebook npm run lab, the browser tests)',
  nbconvert: 'nbconvert 7 (the HTML pages of npm run report)',
  nbclient: 'nbclient (scripts/jupyter_execute.py)',
  plotly: "the plotly package's jupyterlab-plotly extension (draws the figures in JupyterLab and Notebook 7)",
};

export const JUPYTER_INSTALL_COMMAND = 'npm run jupyter:install';

/** The venv `npm run jupyter:install` makes (and .ci/run uses). */
export function jupyterVenv(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.IWLAB_JUPYTER_VENV || path.join(homedir(), '.cache', 'iwlab', 'jupyter'));
}

export class JupyterMissingError extends Error {
  constructor(what: string) {
    super(
      `${what} Fix: \`${JUPYTER_INSTALL_COMMAND}\` (a venv with JupyterLab 4, Notebook 7, nbconvert 7, nbclient and plotly, ` +
        "from pip's configured index), or pip install 'jupyterlab>=4' 'notebook>=7' 'nbconvert>=7' nbclient plotly into an " +
        'environment of your own and set JUPYTER to its jupyter executable. `npm run notebooks` executes notebooks without Jupyter.',
    );
    this.name = 'JupyterMissingError';
  }
}

export interface FoundJupyter {
  command: string;
  /** Where it came from: 'JUPYTER', 'venv' or 'PATH'. */
  source: 'JUPYTER' | 'venv' | 'PATH';
  /** Versions `jupyter --version` lists, by package ('not installed' left out). */
  versions: Record<string, string>;
  /** nbconvert's version (kept for callers of the older findJupyter). */
  nbconvertVersion: string;
}

/** Package versions from `jupyter --version` ("jupyterlab       : 4.6.4"). */
export function parseJupyterVersions(text: string): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const match of text.matchAll(/^\s*([\w-]+)\s*:\s*(\S.*?)\s*$/gm)) if (match[2] !== 'not installed') versions[match[1]!] = match[2]!;
  return versions;
}

/**
 * The jupyter executable, checked for `need`. Throws JupyterMissingError naming what is missing
 * (no Jupyter at all, or which package or version) and the command that installs it.
 */
export function findJupyter(env: NodeJS.ProcessEnv = process.env, need: readonly JupyterPart[] = ['nbconvert']): FoundJupyter {
  const venvJupyter = path.join(jupyterVenv(env), 'bin', 'jupyter');
  const [command, source]: [string, FoundJupyter['source']] = env.JUPYTER ? [env.JUPYTER, 'JUPYTER'] : existsSync(venvJupyter) ? [venvJupyter, 'venv'] : ['jupyter', 'PATH'];
  const where = source === 'JUPYTER' ? `$JUPYTER (${command})` : source === 'venv' ? `the venv ${path.dirname(path.dirname(command))}` : '`jupyter` on PATH';
  const probe = spawnSync(command, ['--version'], { encoding: 'utf8', env });
  if (probe.error || probe.status !== 0) {
    const notFound = (probe.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
    const detail = probe.error ? probe.error.message : ((probe.stderr || probe.stdout).trim().split('\n').pop() ?? `exit ${probe.status}`);
    const looked =
      source === 'PATH'
        ? `No Jupyter found: none in ${jupyterVenv(env)} (the venv of ${JUPYTER_INSTALL_COMMAND}) and ${notFound ? 'no `jupyter` on PATH' : `\`jupyter\` on PATH failed (${detail})`}.`
        : `Jupyter from ${where} does not run (${notFound ? 'no such file' : detail}).`;
    throw new JupyterMissingError(`Needed: ${need.map((part) => PURPOSE[part]).join('; ')}. ${looked}`);
  }
  const versions = parseJupyterVersions(probe.stdout);
  const missing = need.filter((part) => part !== 'plotly' && !(versions[part] && Number(versions[part]!.split('.')[0]) >= MAJOR[part]));
  const problems = missing.map((part) => `${PURPOSE[part]}: ${versions[part] ? `found ${versions[part]}` : 'not installed'}`);
  if (need.includes('plotly') && !hasPlotlyExtension(command, env)) problems.push(`${PURPOSE.plotly}: not installed`);
  if (problems.length > 0) throw new JupyterMissingError(`Jupyter from ${where} lacks ${problems.join('; ')}.`);
  return { command, source, versions, nbconvertVersion: versions.nbconvert ?? '' };
}

/** Whether any Jupyter data folder holds the jupyterlab-plotly extension (installed with the plotly package). */
function hasPlotlyExtension(command: string, env: NodeJS.ProcessEnv): boolean {
  const paths = spawnSync(command, ['--paths', '--json'], { encoding: 'utf8', env });
  if (paths.status !== 0) return false;
  try {
    const data = (JSON.parse(paths.stdout) as { data?: string[] }).data ?? [];
    return data.some((dir) => existsSync(path.join(dir, 'labextensions', 'jupyterlab-plotly')));
  } catch {
    return false;
  }
}
