// The JavaScript the first screens cost (issue 19 §7), the built app served by the real server
// (seeded with the demo organisation) in Chromium:
// - bundle.initial_js_gzip_kb: a fresh device opening `/` (the join screen): every script the
//   page loads until the network is idle;
// - bundle.reception_js_kb: an enrolled reception device (reception-device.ts: enrolment, the
//   desk person signed in, a PIN) opening /accueil in a new page: every script the page asks for
//   (from the service worker or the network) until today's stop shows after the PIN, and the
//   network is idle.
// Each script is counted raw, gzip level 6, gzip level 9 (the former measure), and as shipped:
// the server sends the build's precompressed files (vite.config.ts writes .br at quality 11 and
// .gz at level 9 beside each asset, routes/static.ts serves them with `preCompressed`), the .br
// one to a browser that accepts brotli, as Chromium does. Headline values: gzip-6 for the join
// screen (the line's name says gzip; level 6 rather than the former 9, the level a server
// compressing on the fly uses); as shipped for the reception (issue 18's goal is on it).
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { launch } from '../../tests/e2e/support/browser';
import { makeDataDir, seedDemo, startServer } from '../../tests/e2e/support/server';
import { type BenchLine, line, machine, round } from './lib';
import { deskPerson, enrolReception, openReception } from './reception-device';

export interface ScriptSizes {
  scripts: number;
  raw: number;
  gzip6: number;
  gzip9: number;
  /** What the server sends to Chromium: the build's .br file (raw when there is none). */
  brotli: number;
  /** Each script's file and its size as shipped (kB), largest first. */
  files: Record<string, number>;
}

/** Sizes of the built files behind script URLs of the app's origin. */
export function sizesOf(urls: Iterable<string>): ScriptSizes {
  const out: ScriptSizes = { scripts: 0, raw: 0, gzip6: 0, gzip9: 0, brotli: 0, files: {} };
  const files: [string, number][] = [];
  for (const url of new Set(urls)) {
    const file = join('dist', new URL(url).pathname.replace(/^\//, ''));
    if (!existsSync(file)) throw new Error(`${url}: not a file of the build (${file})`);
    const body = readFileSync(file);
    out.scripts += 1;
    out.raw += body.length;
    out.gzip6 += gzipSync(body, { level: 6 }).length;
    out.gzip9 += gzipSync(body, { level: 9 }).length;
    const shipped = existsSync(`${file}.br`) ? readFileSync(`${file}.br`).length : body.length;
    out.brotli += shipped;
    files.push([basename(file), round(shipped / 1024, 1)]);
  }
  out.files = Object.fromEntries(files.sort((a, b) => b[1] - a[1]));
  return out;
}

/** Script URLs `page` asks for from now on (served by the network or the service worker). */
function scriptsOf(page: Page, origin: string): Set<string> {
  const urls = new Set<string>();
  page.on('request', (req) => {
    if (req.resourceType() === 'script' && req.url().startsWith(origin)) urls.add(req.url());
  });
  return urls;
}

const kb = (b: number) => round(b / 1024, 1);

function context(s: ScriptSizes) {
  return {
    scripts: s.scripts,
    raw_kb: kb(s.raw),
    gzip6_kb: kb(s.gzip6),
    gzip9_kb: kb(s.gzip9),
    as_shipped_brotli_kb: kb(s.brotli),
    by_script_kb: s.files,
  };
}

export async function run(): Promise<BenchLine[]> {
  const data = makeDataDir();
  const browser = await launch();
  let server: Awaited<ReturnType<typeof startServer>> | null = null;
  try {
    const { org } = await seedDemo(data.dir);
    server = await startServer(data.dir);
    const origin = server.url;
    const deskId = await deskPerson(server.store, org);

    // A fresh device: the join screen.
    const fresh = await browser.newContext();
    const first = await fresh.newPage();
    const initialUrls = scriptsOf(first, origin);
    await first.goto(origin, { waitUntil: 'networkidle' });
    await first.locator('main').first().waitFor({ timeout: 30_000 });
    await first.waitForLoadState('networkidle');
    const initial = sizesOf(initialUrls);
    await fresh.close();

    // An enrolled reception device, signed in, opening its screen again in a new page.
    // The enrolment's script is injected into the app's page, which its CSP forbids.
    const enrolled = await browser.newContext({ bypassCSP: true });
    const setup = await enrolReception(enrolled, origin, server.store, org, deskId);
    await setup.close();
    const page = await enrolled.newPage();
    const receptionUrls = scriptsOf(page, origin);
    await openReception(page, origin);
    await page.waitForLoadState('networkidle');
    const reception = sizesOf(receptionUrls);
    await enrolled.close();

    return [
      line('bundle.initial_js_gzip_kb', kb(initial.gzip6), 'kB', {
        goal: '<= 180',
        page: 'a fresh device at / (the join screen), until the network is idle; gzip level 6',
        ...context(initial),
        machine: machine(),
      }),
      // Issue 18's goal is on the bytes as shipped: the .br files the server sends Chromium.
      line('bundle.reception_js_kb', kb(reception.brotli), 'kB', {
        goal: '<= 180',
        page: 'an enrolled reception device opening /accueil, PIN typed, until today’s stop shows and the network is idle; as shipped (brotli-11, precompressed)',
        ...context(reception),
        machine: machine(),
      }),
    ];
  } finally {
    await browser.close();
    await server?.stop();
    data.remove();
  }
}
