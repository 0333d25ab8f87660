import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/support/isolated-config-home.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
