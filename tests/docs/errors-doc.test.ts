// docs/protocol.md lists every error a client can meet, with what it does about it: this test
// reads the error codes the server's source can answer (`fail(reply, status, code, …)` and the
// sync route's refusals) and fails when the table « Errors of every route » misses one, or lists
// one under another status.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory()
      ? sources(join(dir, d.name))
      : d.name.endsWith('.ts')
        ? [readFileSync(join(dir, d.name), 'utf8')]
        : [],
  );
}

/** status → codes, as the server's code answers them. */
function answeredCodes(): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  const add = (status: string, code: string) =>
    found.set(status, (found.get(status) ?? new Set()).add(code));
  for (const text of sources('src/server')) {
    for (const m of text.matchAll(/fail\(\s*reply,\s*(\d{3}),\s*'([a-z_]+)'/g)) add(m[1]!, m[2]!);
    for (const m of text.matchAll(/status: (\d{3}),\s*error: '([a-z_]+)'/g)) add(m[1]!, m[2]!);
  }
  return found;
}

function documented(): Map<string, string> {
  const doc = readFileSync('docs/protocol.md', 'utf8');
  const section = doc.slice(doc.indexOf('## Errors of every route')).split('\n## ')[0]!;
  const rows = new Map<string, string>();
  for (const m of section.matchAll(
    /^\| (\d{3})\s*\| `([a-z_]+)`\s*\|[^|]+\|\s*([^|]*\S)\s*\|$/gm,
  )) {
    rows.set(m[2]!, m[1]!);
    expect(m[3]!.length, m[2]).toBeGreaterThan(5); // a client action, not an empty cell
  }
  return rows;
}

describe('docs/protocol.md, Errors of every route', () => {
  it('finds the codes in the server’s source (the reading below is not empty)', () => {
    const codes = answeredCodes();
    expect(codes.get('409')).toContain('device_exists');
    expect(codes.get('403')).toContain('forbidden_op');
    expect(codes.get('503')).toContain('relay_unknown_device');
  });

  it('lists every code the server answers, under its status, with the client’s action', () => {
    const rows = documented();
    const missing: string[] = [];
    for (const [status, codes] of answeredCodes()) {
      for (const code of codes) if (rows.get(code) !== status) missing.push(`${status} ${code}`);
    }
    expect(missing).toEqual([]);
  });
});
