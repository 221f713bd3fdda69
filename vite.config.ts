import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const rootDir = fileURLToPath(new URL('.', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/**
 * The web manifest lives at the repository root (project card), not in public/: copy it into the
 * build under its own stable name. The dev server already serves it from the root.
 */
function rootManifest(): Plugin {
  return {
    name: 'escale:root-manifest',
    apply: 'build',
    generateBundle() {
      const source = readFileSync(new URL('./manifest.webmanifest', import.meta.url), 'utf8');
      JSON.parse(source); // a broken manifest fails the build instead of the install prompt
      this.emitFile({ type: 'asset', fileName: 'manifest.webmanifest', source });
    },
  };
}

export default defineConfig({
  root: rootDir,
  define: {
    __APP_VERSION__: JSON.stringify(pkg.version),
  },
  plugins: [
    react(),
    rootManifest(),
    VitePWA({
      // Never autoUpdate: it reloads open tabs and loses forms (DESIGN.md §8).
      registerType: 'prompt',
      injectRegister: false,
      strategies: 'generateSW',
      manifest: false,
      includeManifestIcons: false,
      workbox: {
        globPatterns: ['**/*.{js,css,html,png,svg,ico,json,webmanifest}'],
        navigateFallback: 'index.html',
        navigateFallbackDenylist: [/^\/api\//],
        cleanupOutdatedCaches: true,
        clientsClaim: false,
        skipWaiting: false,
      },
    }),
  ],
  server: {
    proxy: {
      '/api': { target: 'http://localhost:8080', changeOrigin: true, ws: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
  },
});
