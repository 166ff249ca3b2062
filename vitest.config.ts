import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['./test/harness/global-setup.ts'],
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'console/ui/**', '.data/**'],
    pool: 'forks',
    // Each file gets its own database; two at a time fits a 2-core machine.
    maxWorkers: 2,
    // Bounds a hung test, not a slow one: generous for a loaded machine (the helpers' waits go up to 30 s).
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
