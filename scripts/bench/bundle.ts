// bundle.initial_js_gzip_kb: the JavaScript the first screen costs. The built app is served by
// the real server (seeded with the demo organisation) and opened at `/` in Chromium; every
// script response of the page until the network is idle is gzipped (zlib level 9) and summed.
// Context: the same sum for what dist/index.html names (entry + modulepreload), read from disk.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launch } from '../../tests/e2e/support/browser';
import { makeDataDir, seedDemo, startServer } from '../../tests/e2e/support/server';
import { type BenchLine, line, machine, round } from './lib';

const gz = (b: Buffer) => gzipSync(b, { level: 9 }).length;

/** Scripts dist/index.html loads before anything runs: its module entry and modulepreloads. */
function declaredScripts(): string[] {
  const html = readFileSync('dist/index.html', 'utf8');
  const out: string[] = [];
  for (const m of html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)) out.push(m[1]!);
  for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) {
    out.push(m[1]!);
  }
  return [...new Set(out)];
}

export async function run(): Promise<BenchLine[]> {
  const declared = declaredScripts();
  const declaredGzip = declared.reduce(
    (sum, src) => sum + gz(readFileSync(join('dist', src.replace(/^\//, '')))),
    0,
  );
  const data = makeDataDir();
  const browser = await launch();
  let server: Awaited<ReturnType<typeof startServer>> | null = null;
  try {
    await seedDemo(data.dir);
    server = await startServer(data.dir);
    const page = await browser.newPage();
    const pending: Promise<void>[] = [];
    const scripts = new Map<string, { raw: number; gzip: number }>();
    page.on('response', (res) => {
      if (res.request().resourceType() !== 'script') return;
      pending.push(
        res.body().then(
          (body) => {
            scripts.set(res.url(), { raw: body.length, gzip: gz(body) });
          },
          () => undefined, // a body the page dropped (navigation) was not run either
        ),
      );
    });
    await page.goto(server.url, { waitUntil: 'networkidle' });
    // The first screen is up: the join form (a fresh device) or the home screen.
    await page.locator('main').first().waitFor({ timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    await Promise.all(pending);
    let raw = 0;
    let gzip = 0;
    for (const s of scripts.values()) {
      raw += s.raw;
      gzip += s.gzip;
    }
    return [
      line('bundle.initial_js_gzip_kb', round(gzip / 1024, 1), 'kB', {
        goal: '<= 180',
        scripts: scripts.size,
        raw_kb: round(raw / 1024, 1),
        index_html_entry_and_preload_gzip_kb: round(declaredGzip / 1024, 1),
        index_html_scripts: declared.length,
        machine: machine(),
      }),
    ];
  } finally {
    await browser.close();
    await server?.stop();
    data.remove();
  }
}
