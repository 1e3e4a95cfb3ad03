import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { layerRestrictions, noImportCycle } from './scripts/eslint/layers.js';

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      '.cache',
      'native/target',
      'test/reference/target',
      'test/fixtures',
      'test/support/c2prover-api.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  ...layerRestrictions(),
  {
    files: ['src/**/*.ts'],
    plugins: { layers: { rules: { 'no-import-cycle': noImportCycle } } },
    rules: { 'layers/no-import-cycle': 'error' },
  },
);
