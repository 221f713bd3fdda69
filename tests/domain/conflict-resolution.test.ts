// Settling conflicts: the chosen value outranks every head; merged texts keep each version once;
// a duplicate insert leaves the list once a resolution recorded all its versions.
import { describe, expect, it } from 'vitest';
import {
  canMerge,
  mergedText,
  openConflicts,
  resolutionValue,
} from '../../src/domain/conflict-resolution';
import { compareStatus } from '../../src/domain/queue';
import type { FieldConflict } from '../../src/sync/merge';

const text: FieldConflict = {
  entity: 'consultation',
  id: 'c1',
  field: 'plan',
  kind: 'concurrent_edit',
  versions: [
    { value: 'Revoir dans 8 jours', hlc: '0000000000002:0000:box-2' },
    { value: 'Bilan sanguin', hlc: '0000000000001:0000:box-1' },
  ],
};

describe('settling a conflict', () => {
  it('writes the chosen text as it is, or a merge holding both in the order written', () => {
    expect(resolutionValue(text, 'Bilan sanguin')).toBe('Bilan sanguin');
    expect(canMerge(text)).toBe(true);
    expect(mergedText(text)).toBe('Bilan sanguin\n\nRevoir dans 8 jours');
  });

  it('re-issues a chosen queue status in a new epoch, above both heads', () => {
    const status: FieldConflict = {
      entity: 'queueEntry',
      id: 'q1',
      field: 'status',
      kind: 'reversal_vs_progress',
      versions: [
        { value: { status: 'waiting', epoch: 1, rank: 0 }, hlc: 'a' },
        { value: { status: 'in_consultation', epoch: 0, rank: 2 }, hlc: 'b' },
      ],
    };
    const chosen = resolutionValue(status, status.versions[1]!.value) as never;
    expect(chosen).toEqual({ status: 'in_consultation', epoch: 2, rank: 2 });
    for (const v of status.versions)
      expect(compareStatus(chosen, v.value as never)).toBeGreaterThan(0);
    expect(canMerge(status)).toBe(false);
  });

  it('keeps a duplicate insert listed until a resolution records all its versions', () => {
    const dup: FieldConflict = {
      entity: 'vitals',
      id: 'v1',
      field: '*',
      kind: 'duplicate_insert',
      versions: [
        { value: { spo2: 97 }, hlc: 'h1' },
        { value: { spo2: 95 }, hlc: 'h2' },
      ],
    };
    const base = { entity: 'vitals', rowId: 'v1', field: '*' };
    expect(openConflicts([dup, text], [])).toEqual([dup, text]);
    expect(openConflicts([dup], [{ ...base, versions: [{ value: null, hlc: 'h1' }] }])).toEqual([
      dup,
    ]);
    expect(
      openConflicts(
        [dup, text],
        [
          {
            ...base,
            versions: [
              { value: null, hlc: 'h1' },
              { value: null, hlc: 'h2' },
            ],
          },
        ],
      ),
    ).toEqual([text]);
  });
});
