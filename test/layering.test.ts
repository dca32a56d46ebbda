// The layer table in eslint.config.mjs, enforced by lint: an import from a lower layer to a higher one fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ESLint } from 'eslint';

const ROOT = path.resolve(__dirname, '..');
const eslint = new ESLint({ cwd: ROOT });

/** The layer-rule messages lint gives `code` as if it were the file src/<file>. */
async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, 'src', file) });
  return result!.messages.filter((message) => message.ruleId === 'iwlab/layers').map((message) => message.message);
}

test('a lower layer importing a higher one fails lint, with the table to read and the fix', async () => {
  const errors = await layerErrors('data/fixture.ts', "import type { RunConfig } from '../experiments/types';\nexport type X = RunConfig;\n");
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /src\/data\/ must not import src\/experiments\/ \('\.\.\/experiments\/types'\): it is layer 3, above this file's 1 \(table in eslint\.config\.mjs\)/);
});

test('every kind of import counts: type-only, re-export, dynamic and typeof import()', async () => {
  const code = [
    "export { score } from '../train/evaluate';",
    "export * from '../train/types';",
    "export async function load() { return import('../models/index'); }",
    "export type Builder = typeof import('../models/index');",
  ].join('\n');
  assert.equal((await layerErrors('plots/fixture.ts', code)).length, 0, 'plots may import experiments and lower');
  assert.equal((await layerErrors('engine/fixture.ts', code)).length, 4);
});

test('plots draw numbers: they may import experiments, which may not import plots', async () => {
  assert.deepEqual(await layerErrors('plots/fixture.ts', "import { toyBoundaries } from '../experiments/toyGeometry';\nexport const f = toyBoundaries;\n"), []);
  assert.equal((await layerErrors('experiments/fixture.ts', "import { seedTraces } from '../plots/bands';\nexport const f = seedTraces;\n")).length, 1);
});

test('siblings on one layer stay apart; the leaves and the own module are always allowed', async () => {
  assert.match((await layerErrors('models/fixture.ts', "import type { DataSpec } from '../data/types';\nexport type X = DataSpec;\n"))[0]!, /a sibling on the same layer/);
  const allowed = "import { Rng } from '../../rng';\nimport { REPO_ROOT } from '../../paths';\nimport { initEngine } from '../index';\nexport const x = [Rng, REPO_ROOT, initEngine];\n";
  assert.deepEqual(await layerErrors('engine/wasm/fixture.ts', allowed), []);
  assert.equal((await layerErrors('rng.ts', "import { train } from './train/trainer';\nexport const t = train;\n")).length, 1, 'the RNG is a leaf');
});

test('the edge imports anything and its members each other; a file in no layer must be placed', async () => {
  assert.deepEqual(await layerErrors('commands/fixture.ts', "import { UsageError } from '../cli';\nimport { figurePlots } from '../draw';\nexport const x = [UsageError, figurePlots];\n"), []);
  assert.match((await layerErrors('newThing.ts', 'export const x = 1;\n'))[0]!, /src\/newThing\.ts is in no layer: add it to LAYERS/);
  assert.match((await layerErrors('data/fixture.ts', "import { x } from '../newThing';\nexport const y = x;\n"))[0]!, /is in no layer/);
});
