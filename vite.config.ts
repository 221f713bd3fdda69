import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { preactAliases } from './scripts/build/preact-alias.ts';

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

/**
 * Every text file of the build beside its brotli (quality 11) and gzip (level 9) forms, which the
 * server sends as they are to a browser that accepts them (@fastify/static `preCompressed`): the
 * best ratio at no cost per request (docs/decisions/0016). Files under 1 kB stay alone.
 */
function precompress(): Plugin {
  return {
    name: 'escale:precompress',
    apply: 'build',
    enforce: 'post',
    writeBundle(options, bundle) {
      const dir = options.dir ?? 'dist';
      for (const [fileName, item] of Object.entries(bundle)) {
        if (!/\.(js|css|html|svg|json|webmanifest)$/.test(fileName)) continue;
        const content =
          item.type === 'chunk'
            ? Buffer.from(item.code)
            : Buffer.from(item.source as string | Uint8Array);
        if (content.length < 1024) continue;
        const path = join(dir, fileName);
        writeFileSync(
          `${path}.br`,
          brotliCompressSync(content, {
            params: {
              [zlib.BROTLI_PARAM_QUALITY]: 11,
              [zlib.BROTLI_PARAM_SIZE_HINT]: content.length,
            },
          }),
        );
        writeFileSync(`${path}.gz`, gzipSync(content, { level: 9 }));
      }
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
    precompress(),
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
  resolve: { alias: preactAliases },
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
