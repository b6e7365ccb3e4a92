// @ts-check
// ESLint for the whole tree (source, tests, bench, scripts, bin, demo): typescript-eslint's
// type-checked rules, React's rules of hooks for the Ink console. Layout is Prettier's job
// (`npm run format`): no rule here is about formatting. Every rule switched off or narrowed
// below says why; everything else in the presets is on as shipped.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const TESTS = ['**/*.test.ts', '**/*.test.tsx', 'test/**'];

export default defineConfig(
  // Fixtures are data (some deliberately malformed), never code we write.
  { ignores: ['node_modules/**', 'dist/**', '**/fixtures/**'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // The project service reads tsconfig.json, so lint sees exactly the types `tsc` sees.
        // vitest.config.ts is outside tsconfig's folders; it gets a default program.
        projectService: { allowDefaultProject: ['vitest.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A leading underscore names a value we take apart on purpose and drop (`{ secret: _secret,
      // ...rest }` strips a field before it leaves the host); the rest spread is what is used.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // `async` is our contract marker: a Store method or route handler with no await yet still
      // returns a Promise and turns a synchronous throw into a rejection. Dropping `async` (what the
      // rule asks) would change that behaviour; 48 such functions, none a bug.
      '@typescript-eslint/require-await': 'off',
      // Its only findings were String() of a value already narrowed to a primitive (TypeScript
      // cannot say "unknown minus object"). Objects in template strings are still caught by
      // restrict-template-expressions, which stays on.
      '@typescript-eslint/no-base-to-string': 'off',
      // `let link: Link | undefined` declared before the closures that read it and assigned once
      // after them (agent/start.ts, broker/server.ts) cannot be const without reordering.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Re-rejecting a caught error passes it on unchanged; wrapping it would lose its code.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
    },
  },
  {
    files: TESTS,
    rules: {
      // vitest's asymmetric matchers (expect.any, expect.stringContaining, ...) are typed `any` by
      // design, and tests put them in objects everywhere. Production code keeps the rule.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  {
    files: ['**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    // Plain JavaScript entry points (bin/mig.js, worker boot files, test-only TCP helpers, this
    // file, bench/read-floor.cjs: CommonJS to start as fast as Node can) stay outside
    // tsconfig.json on purpose (they run before tsx is registered): lint them without type
    // information.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: { process: 'readonly', Buffer: 'readonly', URL: 'readonly', console: 'readonly', require: 'readonly' },
    },
  },
  {
    // CommonJS has no other way to import; bench/read-floor.cjs is CommonJS to measure Node's
    // cheapest start (an ES module entry costs ~7 ms more on this VM).
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
