// The catalogue in two parts (src/ui/i18n/fr.ts, fr-screens.ts): what the shell, reception and the
// display use loads with the app; the room's, coordination's and supervision's own messages load
// with those screens (App.tsx adds them first). A message of the second part used by a module
// that can run without it would throw « Clé de traduction inconnue » on a reception tablet: these
// tests follow the modules' imports, static and dynamic, to make sure none does.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fr } from '../../src/ui/i18n/fr';
import { frScreens } from '../../src/ui/i18n/fr-screens';

const ROOT = join(import.meta.dirname, '..', '..');
const APP = join(ROOT, 'src/ui/App.tsx');

function resolveImport(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec);
  for (const file of [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), base]) {
    if (/\.tsx?$/.test(file) && existsSync(file)) return file;
  }
  return null;
}

/** Modules a module runs: its value imports and re-exports, side-effect imports and, unless told
 * otherwise, dynamic imports. */
function importsOf(file: string, dynamic = true): string[] {
  const src = readFileSync(file, 'utf8');
  const specs = [
    ...src.matchAll(/(?:^|\n)\s*(?:import|export)\s+(?!type\b)[^;]*?\sfrom\s+'([^']+)'/g),
    ...src.matchAll(/(?:^|\n)import\s+'([^']+)'/g),
    ...(dynamic ? src.matchAll(/import\(\s*'([^']+)'\s*\)/g) : []),
  ].map((m) => m[1]!);
  return specs.flatMap((s) => resolveImport(file, s) ?? []);
}

/** Every module reachable from `start`, not entering `excluded`. */
function reachable(start: string, excluded: ReadonlySet<string>, dynamic = true): Set<string> {
  const seen = new Set([start]);
  const queue = [start];
  while (queue.length > 0) {
    for (const next of importsOf(queue.shift()!, dynamic)) {
      if (seen.has(next) || excluded.has(next)) continue;
      seen.add(next);
      queue.push(next);
    }
  }
  return seen;
}

/** App.tsx's screens loaded after `withScreenMessages()`. */
function screensWithMessages(): Set<string> {
  const src = readFileSync(APP, 'utf8');
  const found = [...src.matchAll(/withScreenMessages\(\)\.then\(\(\) => import\('([^']+)'\)\)/g)];
  return new Set(found.map((m) => resolveImport(APP, m[1]!)!));
}

const SCREEN_PARTS = Object.keys(frScreens);

/** The screens-only namespaces whose messages a module names ('coordination.audit…', `pathway.${x}`). */
function screenMessagesNamedIn(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  return SCREEN_PARTS.filter((ns) => new RegExp(`['"\`]${ns}\\.[A-Za-z]`).test(src));
}

describe('the catalogue in two parts', () => {
  it('splits it without overlap', () => {
    const common = Object.keys(fr);
    expect(SCREEN_PARTS.length).toBeGreaterThan(5);
    expect(SCREEN_PARTS.filter((ns) => common.includes(ns))).toEqual([]);
  });

  it('loads the screens part only for the room, coordination and supervision', () => {
    const later = [...screensWithMessages()].map((f) => relative(ROOT, f)).sort();
    expect(later).toEqual([
      'src/ui/coordination/CoordinationScreen.tsx',
      'src/ui/room/RoomScreen.tsx',
      'src/ui/supervision/SupervisionScreen.tsx',
    ]);
  });

  it('is never needed by a module that can run before it is added', () => {
    const screensPart = join(ROOT, 'src/ui/i18n/fr-screens.ts');
    const early = reachable(
      join(ROOT, 'src/main.tsx'),
      new Set([...screensWithMessages(), screensPart]),
    );
    // The walk does reach the shell and reception's screens (and the tabs reception loads later).
    for (const screen of ['ReceptionScreen.tsx', 'AppointmentsPage.tsx', 'DisplayScreen.tsx']) {
      expect([...early].some((f) => f.endsWith(`/${screen}`))).toBe(true);
    }
    // The app's first load does not carry the screens part (App.tsx imports it on demand).
    const first = reachable(join(ROOT, 'src/main.tsx'), new Set(), false);
    expect(first.has(join(ROOT, 'src/ui/App.tsx'))).toBe(true);
    expect(first.has(screensPart)).toBe(false);
    const misplaced = [...early].flatMap((file) =>
      screenMessagesNamedIn(file).map((ns) => `${relative(ROOT, file)}: ${ns}`),
    );
    expect(misplaced).toEqual([]);
  });

  it('would catch such a module', () => {
    // The rule above must be able to fail: a coordination module does name these messages.
    const audit = join(ROOT, 'src/ui/coordination/CoordinationScreen.tsx');
    const named = [...reachable(audit, new Set())].flatMap(screenMessagesNamedIn);
    expect(named).toContain('coordination');
  });
});
