/**
 * A throwaway Jupyter server for the browser tests: JupyterLab or Notebook 7 on 127.0.0.1 with the
 * iwlab kernel found the way `npm run lab` finds it (JUPYTER_PATH), and every per-user folder
 * (config, settings, workspaces, runtime) in a temp dir so a developer's setup cannot leak in.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findJupyter } from '../../scripts/lib/jupyter';
import { jupyterEnv, rootFlags } from '../../scripts/lab';

export interface JupyterServer {
  app: 'lab' | 'notebook';
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  token: string;
  /** The server's root folder: put notebooks here. */
  rootDir: string;
  /** The server's own output, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export class JupyterStartError extends Error {
  override name = 'JupyterStartError';
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address !== null && typeof address !== 'string' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startJupyter(app: 'lab' | 'notebook', env: NodeJS.ProcessEnv = process.env): Promise<JupyterServer> {
  const { command } = findJupyter(env, [app === 'lab' ? 'jupyterlab' : 'notebook', 'plotly']);
  const home = mkdtempSync(path.join(tmpdir(), `iwlab-${app}-`));
  const rootDir = path.join(home, 'root');
  mkdirSync(rootDir);
  const settings = path.join(home, 'settings');
  // Announcements and update checks would fetch from the internet on first load.
  mkdirSync(path.join(settings, '@jupyterlab', 'apputils-extension'), { recursive: true });
  writeFileSync(path.join(settings, '@jupyterlab', 'apputils-extension', 'notification.jupyterlab-settings'), JSON.stringify({ fetchNews: 'false', checkForUpdates: false }));
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const child: ChildProcess = spawn(
    command,
    [
      app,
      '--no-browser',
      '--ip=127.0.0.1',
      `--port=${port}`,
      '--ServerApp.port_retries=0',
      `--IdentityProvider.token=${token}`,
      `--ServerApp.root_dir=${rootDir}`,
      '--ServerApp.terminals_enabled=False',
      ...rootFlags(),
    ],
    {
      cwd: rootDir,
      env: {
        ...jupyterEnv(env),
        JUPYTER_CONFIG_DIR: path.join(home, 'config'),
        JUPYTER_RUNTIME_DIR: path.join(home, 'runtime'),
        JUPYTERLAB_SETTINGS_DIR: settings,
        JUPYTERLAB_WORKSPACES_DIR: path.join(home, 'workspaces'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const append = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-20000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  let exited = false;
  child.on('exit', () => (exited = true));

  const baseUrl = `http://127.0.0.1:${port}`;
  const server: JupyterServer = {
    app,
    baseUrl,
    token,
    rootDir,
    log: () => output,
    stop: async () => {
      if (!exited) {
        child.kill('SIGTERM');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            child.kill('SIGKILL');
            resolve();
          }, 10000);
          child.on('exit', () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 90000;
  while (Date.now() < deadline) {
    if (exited) break;
    try {
      const response = await fetch(`${baseUrl}/api/status?token=${token}`);
      if (response.ok) return server;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  await server.stop();
  throw new JupyterStartError(`jupyter ${app} ${exited ? 'exited' : `did not answer on ${baseUrl} within 90 s`}. Its output:\n${output}`);
}
