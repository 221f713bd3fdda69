// The app's view library as shipped: Preact through its React compatibility layer
// (preact/compat), in place of React DOM — the same component code, 49 kB less JavaScript on
// the reception's first load (docs/decisions/0032-preact-compat.md). The build and the component
// tests both resolve React through these aliases, so the tests run what ships.
import type { Alias } from 'vite';

export const preactAliases: Alias[] = [
  { find: /^react-dom\/client$/, replacement: 'preact/compat/client' },
  { find: /^react-dom\/test-utils$/, replacement: 'preact/test-utils' },
  { find: /^react-dom$/, replacement: 'preact/compat' },
  { find: /^react\/jsx-runtime$/, replacement: 'preact/jsx-runtime' },
  { find: /^react\/jsx-dev-runtime$/, replacement: 'preact/jsx-dev-runtime' },
  { find: /^react$/, replacement: 'preact/compat' },
];

/** Packages that import React and must be transformed by the test runner, so that they resolve
 * it through the aliases too (else they would load React beside Preact: two copies of hooks). */
export const reactDependents = [
  /@testing-library\/react/,
  /react-router/,
  /dexie-react-hooks/,
  /zustand/,
];
