// Valid rows for device tests (values accepted by the domain's schemas).
import type { Change } from '../../src/device/write';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import { encodeHlc } from '../../src/sync/hlc';
import type { Op } from '../../src/sync/op';

export const ORG = 'org-1';

export function patientFields(n = 1) {
  return {
    orgId: ORG,
    birthName: n % 2 ? 'LEFÈVRE' : 'MARTIN',
    usedName: null,
    firstNames: `Élodie ${n}`,
    usedFirstName: null,
    sex: 'F' as const,
    birthDate: '1950-03-02',
    birthPlaceCode: '72181',
    identityStatus: 'provisoire' as const,
    nir: null,
    phone: null,
    email: null,
    address: null,
    communeInsee: '72181',
    coverage: 'amo' as const,
    mtStatus: 'none' as const,
    mtName: null,
    ald: false,
    allergies: ['pénicilline'],
    createdAt: '2026-11-23T08:00:00.000Z',
    duplicateDecision: null,
  };
}

/** A patient creation as the write path receives it (registers set, allergies as a set). */
export function newPatient(id: string, n = 1): Change {
  return { entity: 'patient', id, set: patientFields(n) };
}

export function vitalsRow(consultationId: string) {
  return {
    orgId: ORG,
    consultationId,
    patientId: 'p1',
    takenAt: '2026-11-23T09:00:00.000Z',
    authorId: 's1',
    systolic: 130,
    diastolic: 80,
    heartRate: 70,
    temperature: 37.2,
    spo2: 98,
    weightKg: 70,
    heightCm: 170,
  };
}

/** The fields of an open stop of the organisation: a row the pruning tests rewrite many times. */
export const stopFields = {
  orgId: ORG,
  unitId: 'camion-1',
  date: '2026-11-23',
  communeInsee: '72181',
  communeName: 'Sillé-le-Guillaume',
  address: 'Place de la mairie',
  opensAt: '09:00',
  closesAt: '17:00',
  status: 'open' as const,
};

/**
 * An op of a newer schema than this build's (parked by every fold and device), setting stop
 * `stopId`'s commune name, stamped by device `dev` at `atMs`: the pruning tests' op that a
 * horizon must stay below.
 */
export function newerSchemaOp(dev: string, stopId: string, atMs: number): Op {
  return {
    v: SCHEMA_VERSION + 1,
    org: ORG,
    dev,
    seq: 1,
    hlc: encodeHlc(atMs, 0, dev),
    e: 'stop',
    id: stopId,
    f: 'communeName',
    k: 'set',
    val: 'Plus tard',
    base: [],
  };
}
