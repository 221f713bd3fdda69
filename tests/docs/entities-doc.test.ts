// docs/entities.md is the protocol's field reference for anyone writing a client: it is generated
// from the domain's schemas, and this test fails when the committed file no longer matches them
// (run `npm run docs:entities` after changing an entity).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { entitiesMarkdown } from '../../scripts/docs/entities';
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
});
