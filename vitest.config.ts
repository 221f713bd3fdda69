import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';
import { preactAliases, reactDependents } from './scripts/build/preact-alias.ts';

// Two projects: pure/server/device code runs in Node; React components run in jsdom.
export default defineConfig({
  plugins: [react()],
  // The components run on Preact, as the built app does (scripts/build/preact-alias.ts).
  // The CommonJS builds of testing-library and React Router (what Node's conditions pick)
  // `require` React, which no alias reaches: their ES builds instead.
  resolve: {
    alias: [
      {
        find: /^@testing-library\/react$/,
        replacement: '@testing-library/react/dist/@testing-library/react.esm.js',
      },
      {
        find: /^react-router$/,
        replacement: fileURLToPath(
          new URL('./node_modules/react-router/dist/development/index.mjs', import.meta.url),
        ),
      },
      ...preactAliases,
    ],
  },
  test: {
    server: { deps: { inline: reactDependents } },
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
