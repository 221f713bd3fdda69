// docs/entities.md is the protocol's field reference for anyone writing a client: it is generated
// from the domain's schemas, and this test fails when the committed file no longer matches them
// (run `npm run docs:entities` after changing an entity).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { entitiesMarkdown } from '../../scripts/docs/entities';
import {
  NOTE_FIXED_FIELDS,
  READABLE,
  SIGNED_NOTE_WRITABLE,
  STAMPED,
  WRITABLE,
} from '../../src/domain/access';
import { ENTITY_NAMES, ENTITY_SPECS } from '../../src/domain/entities';

describe('docs/entities.md', () => {
  it('is what the domain schemas generate today', () => {
    expect(readFileSync('docs/entities.md', 'utf8')).toBe(entitiesMarkdown());
  });

  it('lists every entity and every field with its merge kind', () => {
    const doc = entitiesMarkdown();
    for (const name of ENTITY_NAMES) {
      expect(doc).toContain(`## \`${name}\``);
      for (const field of Object.keys(ENTITY_SPECS[name].fields)) {
        expect(doc).toMatch(
          new RegExp(`\\| \`${field}\` \\| (register|queue status|add-wins set|event)`),
        );
      }
    }
  });

  it('says what a value may be: enums, bounds and patterns', () => {
    const doc = entitiesMarkdown();
    expect(doc).toContain(
      '| `kind` | register (last writer wins) | one of `"gp_box"`, `"modular"` |',
    );
    expect(doc).toContain(
      '| `ticketPrefix` | register (last writer wins) | string (matching `^[A-Z]{1,4}$`) |',
    );
  });

  it('says for each entity which profiles write it and receive it, and whether ops name a person', () => {
    const doc = entitiesMarkdown();
    for (const name of ENTITY_NAMES) {
      const section = doc.slice(doc.indexOf(`## \`${name}\``)).split('\n## ')[0]!;
      const written = /\*\*Written by:\*\* ([^.]*)\./.exec(section)?.[1];
      const writers = (['reception', 'room', 'coordination', 'display'] as const).filter((p) =>
        WRITABLE[p].has(name),
      );
      expect(written, name).toBe(
        writers.length ? writers.join(', ') : 'no device (the server only)',
      );
      const received = /\*\*Received by:\*\* (.*)\.\n/.exec(section)?.[1] ?? '';
      for (const p of ['reception', 'room', 'coordination', 'display'] as const) {
        const rule = READABLE[p][name];
        if (rule === undefined)
          expect(received, `${name} ${p}`).not.toMatch(new RegExp(`\\b${p}\\b`));
        else if (rule === 'all') expect(received).toMatch(new RegExp(`\\b${p}(,|$)`));
        else expect(received).toContain(`${p} (only ${rule.map((f) => `\`${f}\``).join(', ')})`);
      }
      expect(section.includes('**Stamped:**'), name).toBe(STAMPED.has(name));
    }
  });

  it('gives the server’s rules on a note’s fields: fixed at creation, frozen once signed', () => {
    const doc = entitiesMarkdown();
    for (const field of Object.keys(ENTITY_SPECS.consultation.fields)) {
      const row = doc
        .split('\n')
        .find((l) => l.startsWith(`| \`${field}\` |`) && l.includes('signed'));
      expect(row, field).toBeDefined();
      expect(row!.includes('fixed once set'), field).toBe(NOTE_FIXED_FIELDS.has(field));
      expect(row!.includes('still written once the note is signed'), field).toBe(
        SIGNED_NOTE_WRITABLE.has(field),
      );
    }
  });
});
