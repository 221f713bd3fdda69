// The build settings the PWA's robustness depends on (docs/design.md §8).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin, UserConfig } from 'vite';
import { describe, expect, it } from 'vitest';
import config from '../../vite.config';

const root = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const resolved = config as UserConfig;
const plugins = (resolved.plugins ?? []).flat(3) as Plugin[];

describe('vite.config.ts', () => {
  it('injects the package.json version for the device-health page', () => {
    expect(resolved.define?.__APP_VERSION__).toBe(JSON.stringify(pkg.version));
  });

  it('proxies /api to the local server in development', () => {
    expect(resolved.server?.proxy).toMatchObject({ '/api': { target: 'http://localhost:8080' } });
  });

  it('copies the root manifest into the build and uses the PWA plugin', () => {
    const names = plugins.map((p) => p?.name);
    expect(names).toContain('escale:root-manifest');
    expect(names.some((n) => n?.startsWith('vite-plugin-pwa'))).toBe(true);
  });
});

describe('manifest.webmanifest', () => {
  const manifest = JSON.parse(readFileSync(join(root, 'manifest.webmanifest'), 'utf8'));

  it('is French, standalone, scoped to the origin', () => {
    expect(manifest).toMatchObject({
      name: 'Escale — médicobus',
      short_name: 'Escale',
      lang: 'fr',
      display: 'standalone',
      start_url: '/',
      scope: '/',
    });
  });

  it('lists 192 and 512 icons and a maskable 512 that exist as PNG files', () => {
    const icons = manifest.icons as { src: string; sizes: string; purpose: string }[];
    expect(icons.map((i) => `${i.sizes} ${i.purpose}`)).toEqual([
      '192x192 any',
      '512x512 any',
      '512x512 maskable',
    ]);
    for (const icon of icons) {
      const png = readFileSync(join(root, 'public', icon.src));
      expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
      const [w, h] = icon.sizes.split('x').map(Number);
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([w, h]);
    }
  });

  it('is linked from index.html, which is French and says so without JavaScript', () => {
    const html = readFileSync(join(root, 'index.html'), 'utf8');
    expect(html).toContain('<html lang="fr"');
    expect(html).toMatch(/<link rel="manifest" href="\/manifest.webmanifest"/);
    expect(html).toMatch(/<noscript>[\s\S]*JavaScript[\s\S]*<\/noscript>/);
  });
});
