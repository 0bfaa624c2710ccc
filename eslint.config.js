import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test/.compiled/**', 'bench/.out/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'Named exports only: no `export *` (house style).' },
        { selector: 'TSEnumDeclaration', message: 'Use a const object and a union type: enums are not erasable syntax.' },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/adapters/**'], message: 'The core never imports an adapter.' },
            { group: ['@opentelemetry/*', 'prom-client', 'hot-shots'], message: 'The core is backend-neutral.' },
          ],
        },
      ],
    },
  },
  {
    // The hall: an adapter uses the public API, the adapter kit and its backend library only, so
    // an adapter written outside this repository can do what ours do (test/architecture too).
    files: ['src/adapters/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./(?!\\.\\./(index|adapter-kit/index)\\.ts$)',
              message: "An adapter imports its own folder, '../../index.ts' (the public API) and '../../adapter-kit/index.ts' only: no core internals, no other adapter.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/adapter-kit/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/adapters/**'], message: 'The adapter kit never imports an adapter.' },
            { group: ['@opentelemetry/*', 'prom-client', 'hot-shots'], message: 'The adapter kit is backend-neutral.' },
          ],
        },
      ],
    },
  },
);
