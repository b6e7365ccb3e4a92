import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts', '**/*.test.tsx'],
    exclude: ['node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Cross-process tests spawn servers and agents; two cores do not want more than two files at once.
    maxWorkers: 2,
  },
});
