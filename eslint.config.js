// Lint: typescript-eslint's recommended rules plus a hard ban on import cycles, so the one-way
// data flow of DESIGN.md (brief → models → explore → steer → store) stays true.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importPlugin from 'eslint-plugin-import';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.baton/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    plugins: { import: importPlugin },
    settings: {
      'import/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      // The TypeScript resolver maps `./x.js` imports to `./x.ts`, so cycles are actually seen.
      'import/resolver': { typescript: { project: ['./tsconfig.json', './tsconfig.web.json'] }, node: true },
    },
    rules: {
      'import/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The web UI runs in the browser: no Node modules, and only the library's types (its runtime
    // would drag Node, SQLite and the providers into the bundle).
    files: ['src/web/**/*.ts', 'src/web/**/*.tsx'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'the web UI runs in the browser' },
            {
              group: ['**/brief/*', '**/explore/*', '**/models/*', '**/steer/*', '**/store/*', '**/server/*', '**/util/*', '**/baton.js', '**/errors.js', '**/index.js'],
              allowTypeImports: true,
              message: 'the web UI imports only types from the library (import type)',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
