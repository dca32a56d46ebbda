import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EngineInstallError, type HostFacts, REQUIRED_FREE_BYTES, planInstall, isTensorflowWheel } from '../../src/engine/installPlan';
import { type EngineManifest, MANIFEST_FILE, installedEnginePath, locateNativeEngine } from '../../src/engine/nativeEngine';

const ready: HostFacts = { hasCompiler: true, hasMake: true, nodeHeaders: '/usr', nodeGyp: '/npm/node-gyp.js', hasPip: true, freeBytes: 10 * 1024 ** 3 };
const wheelEngine: EngineManifest = { tfjsNode: '4.22.0', tensorflow: '2.21.0', source: 'wheel', wheel: 'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl', napi: 8, patches: ['attr-name-lock'], installedAt: '' };

function failure(facts: Partial<HostFacts>, request: Parameters<typeof planInstall>[0] = { force: false }): string {
  try {
    planInstall(request, { ...ready, ...facts });
  } catch (error) {
    assert.ok(error instanceof EngineInstallError, String(error));
    assert.ok(!error.message.includes('\n'), 'one line');
    return error.message;
  }
  assert.fail('expected an EngineInstallError');
}

test('with nothing installed, tfjs-node own install is tried first and the pip wheel is the fallback', () => {
  assert.deepEqual(planInstall({ force: false }, ready), { kind: 'own-install-then-wheel', wheel: { kind: 'pip', name: 'tensorflow-cpu', version: '2.21.0' } });
});

test('--from-wheel skips the own install; with a file it builds from that file', () => {
  assert.deepEqual(planInstall({ force: false, fromWheel: true }, ready), { kind: 'wheel', wheel: { kind: 'pip', name: 'tensorflow-cpu', version: '2.21.0' } });
  const file = '/w/tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl';
  assert.deepEqual(planInstall({ force: false, fromWheel: file }, { ...ready, wheelExists: true }), { kind: 'wheel', wheel: { kind: 'file', path: file } });
});

test('a second run with a loading engine does nothing; --force, a broken engine or another wheel rebuild', () => {
  const installed = { ...ready, installed: wheelEngine, installedLoads: true };
  assert.equal(planInstall({ force: false }, installed).kind, 'nothing');
  assert.equal(planInstall({ force: false, fromWheel: true }, installed).kind, 'nothing');
  assert.equal(planInstall({ force: false, fromWheel: `/elsewhere/${wheelEngine.wheel}` }, { ...installed, wheelExists: true }).kind, 'nothing');
  assert.equal(planInstall({ force: true }, installed).kind, 'own-install-then-wheel');
  assert.throws(() => planInstall({ force: false, fromWheel: `/gone/${wheelEngine.wheel}` }, { ...installed, wheelExists: false }), /does not exist/);
  assert.equal(planInstall({ force: false }, { ...installed, installedLoads: false }).kind, 'own-install-then-wheel');
  assert.equal(planInstall({ force: false, fromWheel: '/w/tensorflow-2.20.0-cp312-none-linux.whl' }, { ...installed, wheelExists: true }).kind, 'wheel');
  const own = { ...installed, installed: { ...wheelEngine, source: 'tfjs-node' as const } };
  assert.equal(planInstall({ force: false }, own).kind, 'nothing');
  assert.equal(planInstall({ force: false, fromWheel: true }, own).kind, 'wheel', 'asking for the wheel build replaces an own install');
});

test('an installed engine built before the addon patch is rebuilt, and is not loaded meanwhile', () => {
  const { patches: _, ...unpatched } = wheelEngine;
  assert.equal(planInstall({ force: false }, { ...ready, installed: unpatched, installedLoads: true }).kind, 'own-install-then-wheel');
  assert.equal(planInstall({ force: false, fromWheel: true }, { ...ready, installed: { ...wheelEngine, patches: [] }, installedLoads: true }).kind, 'wheel');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iwlab-engine-'));
  try {
    fs.mkdirSync(installedEnginePath(dir));
    fs.writeFileSync(path.join(installedEnginePath(dir), MANIFEST_FILE), JSON.stringify(unpatched));
    const location = locateNativeEngine(dir);
    assert.ok('missing' in location);
    assert.match(location.missing, /predates iwlab's thread-safety patch.*run `npm run engine:install`/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('each missing requirement is one line naming the fix, checked before anything is fetched', () => {
  assert.match(failure({ hasCompiler: false }), /g\+\+.*apt-get install -y g\+\+ make/);
  assert.match(failure({ hasMake: false }), /No make.*apt-get install -y make/);
  assert.match(failure({ nodeHeaders: undefined }), /node_api\.h.*libnode-dev.*--nodedir/);
  assert.match(failure({ nodeGyp: undefined }), /node-gyp/);
  assert.match(failure({ hasPip: false }), /pip is needed.*--from-wheel FILE/);
  assert.match(failure({ freeBytes: REQUIRED_FREE_BYTES - 1 }), /Not enough disk space for the engine build: 2\.0 GiB free, 2\.0 GiB needed/);
  assert.match(failure({ wheelExists: false }, { force: false, fromWheel: '/no/tensorflow-2.1.0-x.whl' }), /tensorflow-2\.1\.0-x\.whl does not exist/);
  assert.match(failure({ wheelExists: true }, { force: false, fromWheel: '/w/torch-2.13.0-cp311-cp311-linux_x86_64.whl' }), /not a TensorFlow 2\.x wheel/);
});

test('pip is not needed when the wheel file is given', () => {
  assert.equal(planInstall({ force: false, fromWheel: '/w/tensorflow-2.20.0-cp312-cp312-manylinux_2_17_x86_64.whl' }, { ...ready, hasPip: false, wheelExists: true }).kind, 'wheel');
});

test('TensorFlow 2.x wheels are told from other files by name', () => {
  assert.ok(isTensorflowWheel('/x/tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl'));
  assert.ok(isTensorflowWheel('tensorflow-2.20.0rc1-cp312-cp312-manylinux_2_17_x86_64.whl'));
  assert.ok(!isTensorflowWheel('tensorflow-1.15.0-cp37-cp37m-manylinux2010_x86_64.whl'));
  assert.ok(!isTensorflowWheel('tensorflow_cpu-2.21.0.tar.gz'));
});
