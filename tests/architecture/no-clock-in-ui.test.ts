// Screens make no id and read no clock for what they write (docs/architecture.md, The path of a
// write): ids and the action's instant come from the device's stamp (src/device/stamp.ts). The
// `uuid` import is refused by the lint (biome.json, src/ui override); this test refuses the clock.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

/** `new Date()` with no argument or `Date.now()`, outside comments. */
function clockReads(source: string): string[] {
  return source
    .split('\n')
    .map((line, i) => ({ line: line.replace(/\/\/.*$/, ''), n: i + 1 }))
    .filter(({ line }) => /new Date\(\s*\)|Date\.now\(\s*\)/.test(line))
    .map(({ n }) => `line ${n}`);
}

describe('screens read no clock', () => {
  it('finds a clock read when there is one (the check can fail)', () => {
    expect(clockReads('const a = 1;\nconst t = Date.now();\n// new Date()')).toEqual(['line 2']);
    expect(clockReads('const d = new Date();')).toEqual(['line 1']);
    expect(clockReads('const d = new Date(iso);')).toEqual([]);
  });

  it('no file of src/ui reads the clock', () => {
    const found = files('src/ui').flatMap((f) =>
      clockReads(readFileSync(f, 'utf8')).map((where) => `${f}: ${where}`),
    );
    expect(found).toEqual([]);
  });
});
