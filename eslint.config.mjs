// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** A plugin may reach into src/ only through the plugin API, so the core can change behind it. */
const onlyThePluginApi = {
  patterns: [
    {
      regex: String.raw`^(\.\./)+src(/(?!plugin-api(/index)?$).*)?$`,
      message: 'Plugins import from src/ only through the plugin API (../../src/plugin-api).',
    },
  ],
};

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'data/', 'tmp/', 'test/e2e/__screenshots__/'] },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Async methods without an await implement Promise-returning interfaces (backends, queues, stubs); async keeps a throw a rejection.
      '@typescript-eslint/require-await': 'off',
      // Values from the database and from Nest (event.type strings, getStatus() numbers) are compared with the enums that name them.
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
      // Wrapped errors already carry the cause's text in their message; pino's err serializer would print a `cause` again.
      'preserve-caught-error': 'off',
      // A leading underscore marks a parameter or binding that is deliberately unused; rest siblings drop keys from a copy.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['test/**/*.ts', '**/*.spec.ts'],
    rules: {
      // Tests read JSON (supertest's res.body, JSON.parse) as `any` on purpose: the assertions are what check its shape.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['plugins/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', onlyThePluginApi] },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { module: 'writable', require: 'readonly', process: 'readonly' } },
  },
  prettier,
);
