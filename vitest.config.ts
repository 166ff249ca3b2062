import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['./test/harness/global-setup.ts'],
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'console/ui/**', '.data/**'],
    pool: 'forks',
    // Each file gets its own database; two at a time fits a 2-core machine.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
