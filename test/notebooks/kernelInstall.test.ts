import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { KERNEL_LAUNCHER, REPO_ROOT } from '../../scripts/lib/kernelClient';
import { installedKernelSpec, userJupyterDataDir } from '../../scripts/kernel-install';

const repoSpecDir = path.join(REPO_ROOT, 'jupyter', 'kernels', 'iwlab');

test('the repo kernelspec starts the launcher through {resource_dir} with node, no Python and no shell', () => {
  const spec = JSON.parse(readFileSync(path.join(repoSpecDir, 'kernel.json'), 'utf8')) as { argv: string[]; display_name: string; language: string };
  assert.equal(spec.display_name, 'TypeScript (iwlab)');
  assert.equal(spec.language, 'typescript');
  assert.equal(spec.argv[0], 'node');
  assert.equal(spec.argv[2], '{connection_file}');
  // What jupyter_client does with the template before starting the kernel.
  const launcher = spec.argv[1]!.replace('{resource_dir}', repoSpecDir);
  assert.equal(launcher, KERNEL_LAUNCHER);
  assert.ok(existsSync(launcher));
});

test('the installed kernelspec names this Node and this checkout by absolute path', () => {
  const spec = installedKernelSpec('/opt/node/bin/node') as { argv: string[]; display_name: string };
  assert.deepEqual(spec.argv, ['/opt/node/bin/node', KERNEL_LAUNCHER, '{connection_file}']);
  assert.equal(spec.display_name, 'TypeScript (iwlab)');
  assert.ok(spec.argv.every((arg) => !arg.includes('{resource_dir}')));
});

test("the per-user Jupyter folder follows jupyter_core's rules", () => {
  assert.equal(userJupyterDataDir({ JUPYTER_DATA_DIR: '/x/jd' }, 'linux'), '/x/jd');
  assert.equal(userJupyterDataDir({ XDG_DATA_HOME: '/x/share' }, 'linux'), path.join('/x/share', 'jupyter'));
  assert.match(userJupyterDataDir({}, 'linux'), /\.local[\\/]share[\\/]jupyter$/);
  assert.match(userJupyterDataDir({}, 'darwin'), /Library[\\/]Jupyter$/);
  assert.equal(userJupyterDataDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32'), path.join('C:\\Users\\a\\AppData\\Roaming', 'jupyter'));
});
