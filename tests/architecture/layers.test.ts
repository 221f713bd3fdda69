// The layer rule (docs/architecture.md, Layers) is enforced by `npm run lint` (Biome's
// noRestrictedImports, per folder in biome.json). These cases put a probe file in each layer and
// lint them all at once: an import against the rule must fail the lint, one along it must pass.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';

const refused: [string, string][] = [
  ['src/sync', '../domain/entities'],
  ['src/sync', '../device/db'],
  ['src/domain', '../device/db'],
  ['src/domain', '../ui/i18n'],
  ['src/domain', '../server/auth'],
  ['src/domain', 'dexie'],
  ['src/domain', 'node:fs'],
  ['src/device', '../ui/App'],
  ['src/device', '../server/auth'],
  ['src/server', '../device/db'],
  ['src/server', '../ui/App'],
  ['src/ui', '../server/auth'],
  ['src/ui', 'uuid'],
];
const accepted: [string, string][] = [
  ['src/domain', '../sync/hlc'],
  ['src/device', '../domain/entities'],
  ['src/device', '../sync/merge'],
  ['src/server', '../domain/access'],
  ['src/ui', '../domain/queue'],
  ['src/ui', '../device/db'],
];

const tag = `${process.pid}-${Date.now().toString(36)}`;
const fileOf = (i: number, folder: string) => `${folder}/zz-layer-probe-${tag}-${i}.ts`;
const cases = [...refused, ...accepted].map(([folder, path], i) => ({
  folder,
  path,
  file: fileOf(i, folder),
}));
/** Restricted-import messages per probe file. */
const found = new Map<string, string[]>();

beforeAll(() => {
  for (const c of cases) {
    writeFileSync(c.file, `import * as m from '${c.path}';\n\nexport const probe = m;\n`);
  }
  try {
    let out: string;
    try {
      out = execFileSync('npx', ['biome', 'lint', '--reporter=json', ...cases.map((c) => c.file)], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    } catch (error) {
      out = (error as { stdout: string }).stdout;
    }
    const report = JSON.parse(out) as {
      diagnostics: { category: string; message: string; location: { path: string } }[];
    };
    for (const d of report.diagnostics) {
      if (d.category !== 'lint/style/noRestrictedImports') continue;
      found.set(d.location.path, [...(found.get(d.location.path) ?? []), d.message]);
    }
  } finally {
    for (const c of cases) rmSync(c.file, { force: true });
  }
}, 60_000);

describe('the layer rule, enforced by the lint', () => {
  it.each(cases.slice(0, refused.length))('refuses an import from $folder of $path', (c) => {
    expect(found.get(c.file)).toHaveLength(1);
  });

  it.each(cases.slice(refused.length))('accepts an import from $folder of $path', (c) => {
    expect(found.get(c.file)).toBeUndefined();
  });
});
