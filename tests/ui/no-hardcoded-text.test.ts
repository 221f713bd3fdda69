// Every UI string goes through the catalogue: no .tsx file under src/ui writes French (or any
// words) straight into its markup.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findHardcodedText } from './hardcoded-text';

const UI_DIR = join(import.meta.dirname, '..', '..', 'src', 'ui');

function tsxFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsxFiles(path);
    return entry.name.endsWith('.tsx') ? [path] : [];
  });
}

describe('the hard-coded text detector', () => {
  it('catches French text between tags, in braces and in visible attributes', () => {
    const source = `
      export function Bad() {
        return (
          <section aria-label="Salle d’attente">
            <h1>Bienvenue à l’accueil</h1>
            <p>{'Patient appelé'}</p>
            <img alt="Logo" src="/x.png" />
          </section>
        );
      }`;
    expect(findHardcodedText(source).map((f) => f.text)).toEqual([
      'Salle d’attente',
      'Bienvenue à l’accueil',
      'Patient appelé',
      'Logo',
    ]);
  });

  it('lets through catalogue calls, class names, punctuation and TypeScript comparisons', () => {
    const source = `
      import { t } from '../i18n';
      export function Good({ n }: { n: number }) {
        const few = n < 3 && n > 0;
        const list = new Map<string, number>();
        return (
          <p className="muted" aria-label={t('sync.label')} data-state="ok">
            {t('app.name')} {' '} — {few ? list.size : 0}
          </p>
        );
      }`;
    expect(findHardcodedText(source)).toEqual([]);
  });
});

describe('src/ui', () => {
  const files = tsxFiles(UI_DIR);

  it('has components to check', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it.each(files.map((f) => [relative(UI_DIR, f), f]))('%s writes no text outside t()', (_, f) => {
    expect(findHardcodedText(readFileSync(f, 'utf8'), f)).toEqual([]);
  });
});
