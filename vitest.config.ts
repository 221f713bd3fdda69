import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// Two projects: pure/server/device code runs in Node; React components run in jsdom.
export default defineConfig({
  plugins: [react()],
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/e2e/**', 'node_modules/**'],
          globalSetup: ['tests/support/global-setup.ts'],
          setupFiles: ['tests/support/catalogue-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'ui',
          environment: 'jsdom',
          include: ['tests/**/*.test.tsx'],
          exclude: ['tests/e2e/**', 'node_modules/**'],
          setupFiles: ['tests/support/ui-setup.ts'],
          testTimeout: 30_000,
        },
      },
    ],
  },
});
