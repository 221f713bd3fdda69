// The write matrix, profile by entity, written out in full so a change to it is a visible act.
import { describe, expect, it } from 'vitest';
import { writeRefusal } from '../../src/domain/access';
import { ENTITY_NAMES, type EntityName } from '../../src/domain/entities';

// R reception, S room (salle), C coordination, D display.
const MATRIX: Record<EntityName, string> = {
  organisation: 'C',
  unit: 'C',
  room: 'C',
  staff: 'C',
  service: 'C',
  stop: 'C',
  rosterSlot: 'RC',
  patient: 'RC',
  appointment: 'RSC',
  visit: 'RC',
  queueEntry: 'RSC',
  consultation: 'SC',
  vitals: 'SC',
  signature: 'SC',
  addendum: 'SC',
  transmission: 'SC',
  breakGlass: 'S',
  sharingObjection: 'RSC',
  researchObjection: 'RSC',
  audit: 'RSC',
  conflictResolution: 'C',
  device: 'C',
  syncReceipt: 'C',
  contradictionAck: 'SC',
  identityChange: 'RC',
  problem: 'SC',
  treatment: 'SC',
  allergy: 'SC',
  vaccination: 'SC',
  documentTemplate: 'C',
  printedDocument: 'SC',
  orientation: 'SC',
  // Written by central only, on behalf of a partner component (src/server/partner-tasks.ts).
  partnerTask: '',
};
const LETTER = { reception: 'R', room: 'S', coordination: 'C', display: 'D' } as const;

describe('who may write what', () => {
  it('covers every entity', () => {
    expect(Object.keys(MATRIX).sort()).toEqual([...ENTITY_NAMES].sort());
  });

  for (const profile of ['reception', 'room', 'coordination', 'display'] as const) {
    for (const entity of ENTITY_NAMES) {
      const allowed = MATRIX[entity].includes(LETTER[profile]);
      it(`${profile} ${allowed ? 'writes' : 'may not write'} ${entity}`, () => {
        const refusal = writeRefusal(profile, entity);
        if (allowed) expect(refusal).toBeNull();
        else expect(refusal).toMatch(/^Un appareil de .+ ne peut pas enregistrer cette donnée/);
      });
    }
  }
});
