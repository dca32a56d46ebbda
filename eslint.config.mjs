// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.{1,2}/)+(\\.\\./)*(engine|data|models|plots|train|experiments|commands)$', message: "Import the folder's index file explicitly ('./x/index'): tslab cannot resolve folder imports at run time." }] }],
    },
  },
);
