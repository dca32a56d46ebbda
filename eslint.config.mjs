// @ts-check
import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/, low to high (DESIGN.md section 3). A file imports its own module's files and
 * any LOWER layer, never a higher one and never a sibling on its own layer (data, models and engine
 * know nothing of each other; train joins them). Type-only, re-exporting and dynamic imports count:
 * a type import from a higher layer is still an arrow the wrong way.
 *
 *   layer  | what                                   | may import
 *   -------|----------------------------------------|-------------------------------------------
 *   0 leaf | rng.ts, paths.ts, progressBar.ts,      | nothing in src
 *          | usageError.ts (commands and scripts),  |
 *          | fusedKernels.ts (engine kernels the    |
 *          | models use where registered),          |
 *          | processes.ts                           |
 *   1      | data/, models/, engine/                | leaves
 *   2      | train/                                 | 0-1
 *   3      | experiments/                           | 0-2
 *   4      | plots/                                 | 0-3 (draws numbers: the toy geometry comes from experiments)
 *   5 edge | commands/, cli.ts, index.ts, draw.ts,  | 0-4 and each other
 *          | options.ts, commandLine.ts             |
 *
 * test/layering.test.ts checks that a violating import is rejected; a new file in src/ that is in no
 * row fails lint until it is added here.
 */
export const LAYERS = [
  ['rng.ts', 'paths.ts', 'progressBar.ts', 'usageError.ts', 'fusedKernels.ts', 'processes.ts'],
  ['data/', 'models/', 'engine/'],
  ['train/'],
  ['experiments/'],
  ['plots/'],
  ['commands/', 'cli.ts', 'index.ts', 'draw.ts', 'options.ts', 'commandLine.ts'],
];
/** Layers whose members may import each other (the edge: cli.ts loads the commands, they share its errors). */
const OPEN_LAYERS = new Set([5]);
const SRC = path.join(import.meta.dirname, 'src');

/** 'data/' for src/data/**, 'rng.ts' for src/rng.ts (an import without its extension too); undefined outside src. */
function moduleOf(file) {
  const relative = path.relative(SRC, file).split(path.sep).join('/');
  if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  const slash = relative.indexOf('/');
  if (slash >= 0) return relative.slice(0, slash + 1);
  return relative.endsWith('.ts') ? relative : `${relative}.ts`;
}

const layerOf = (module) => LAYERS.findIndex((row) => row.includes(module));

/** @type {import('eslint').Rule.RuleModule} */
const layersRule = {
  meta: { type: 'problem', schema: [], docs: { description: 'imports in src/ go down the layer table in eslint.config.mjs' } },
  create(context) {
    const from = moduleOf(context.filename);
    if (from === undefined) return {};
    const fromLayer = layerOf(from);
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return; // packages and node: modules
      const to = moduleOf(path.resolve(path.dirname(context.filename), source));
      if (to === undefined || to === from) return;
      const toLayer = layerOf(to);
      if (toLayer < 0) return context.report({ node, message: `'${source}' is src/${to}, which is in no layer: add it to LAYERS in eslint.config.mjs.` });
      if (toLayer < fromLayer || (toLayer === fromLayer && OPEN_LAYERS.has(toLayer))) return;
      const why = toLayer === fromLayer ? 'a sibling on the same layer' : `layer ${toLayer}, above this file's ${fromLayer}`;
      context.report({
        node,
        message: `src/${from} must not import src/${to} ('${source}'): it is ${why} (table in eslint.config.mjs). Move the shared piece down a layer, or pass it in from above.`,
      });
    };
    const fromSource = (node) => check(node, node.source?.value);
    return {
      Program(node) {
        if (fromLayer < 0) context.report({ node, message: `src/${from} is in no layer: add it to LAYERS in eslint.config.mjs.` });
      },
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      ImportExpression: (node) => check(node, node.source.type === 'Literal' ? node.source.value : undefined),
      TSImportType: (node) => check(node, node.argument.type === 'TSLiteralType' ? node.argument.literal.value : undefined),
    };
  },
};

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'results/', 'reports/', '.ci/', 'jupyter/', '**/*.ipynb'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // tslab compiles src/ for notebooks and resolves './x' only to a file: a folder import like
    // '../models' type-checks but fails at run time in the kernel. Name the index file.
    files: ['src/**/*.ts'],
    plugins: { iwlab: { rules: { layers: layersRule } } },
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.{1,2}/)+(\\.\\./)*(engine|data|models|plots|train|experiments|commands)$', message: "Import the folder's index file explicitly ('./x/index'): tslab cannot resolve folder imports at run time." }] }],
      'iwlab/layers': 'error',
    },
  },
);
