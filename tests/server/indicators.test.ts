// Central's indicators over its whole history (issue #17 item 3; docs/indicators.md, docs/protocol.md
// « Indicateurs »), over real HTTP on SQLite and PostgreSQL: a coordination device gets the
// figures of the same definitions a device computes, archived records included and years older
// than any device keeps; every other profile, another organisation and a bad period are refused
// in French; a period with no data says so; a relay refuses (central's figures are central's).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  FollowedOrientation,
  MtStatus,
  Patient,
  Stop,
  Visit,
} from '../../src/domain/entities';
import { computeIndicators, type Indicators } from '../../src/domain/indicators';
import { INDICATORS_VERSION } from '../../src/domain/pathway-indicators';
import { rowsToOps } from '../../src/server/seed/ops';
import type { IndicatorsAnswer } from '../../src/sync/protocol';
import { type Enrolled, enrol, relayCredential } from '../support/auth';
import { startTestServer, type TestServer } from '../support/server';

const org = 'org-ind';
const stop = (id: string, date: string, status: Stop['status'] = 'closed'): Stop => ({
  id,
  orgId: org,
  unitId: 'u',
  date,
  communeInsee: '72180',
  communeName: 'Mamers',
  address: 'Place de la République',
  opensAt: '08:30',
  closesAt: '17:30',
  status,
});
const patient = (id: string, over: Partial<Patient> = {}): Patient => ({
  id,
  orgId: org,
  birthName: `NOM-${id}`,
  usedName: null,
  firstNames: 'Prénom',
  usedFirstName: null,
  sex: 'F',
  birthDate: '1960-05-01',
  birthPlaceCode: '72180',
  identityStatus: 'provisoire',
  nir: null,
  phone: null,
  email: null,
  address: null,
  communeInsee: '72180',
  coverage: 'c2s',
  mtStatus: 'none',
  mtName: null,
  ald: false,
  allergies: [],
  createdAt: '2023-01-10T08:00:00.000Z',
  duplicateDecision: null,
  identityAttributes: [],
  ...over,
});
const visit = (id: string, patientId: string, s: Stop, mt: MtStatus): Visit => ({
  id,
  orgId: org,
  patientId,
  stopId: s.id,
  appointmentId: null,
  arrivedAt: `${s.date}T08:40:00.000Z`,
  motif: 'Consultation',
  noMt: mt === 'none',
  ald: false,
  urgent: false,
  urgentReason: null,
  mtStatus: mt,
});

// Three years of history, longer than any device keeps (365 days by default).
const y2023 = stop('s-2023', '2023-01-10');
const jan = stop('s-jan', '2026-01-15');
const mar = stop('s-mar', '2026-03-12');
const cancelled = stop('s-cancel', '2026-02-12', 'cancelled');
const declaredAt = '2026-02-20T10:00:00.000Z';
const orientation: FollowedOrientation = {
  id: 'o-q',
  orgId: org,
  patientId: 'q',
  consultationId: null,
  createdAt: '2026-01-15T10:00:00.000Z',
  createdBy: 'coord',
  purpose: 'medecin_traitant',
  target: 'doctor',
  targetName: 'Dr Lefèvre (Mamers)',
  note: null,
  state: { status: 'mt_declared', epoch: 0, rank: 4, at: declaredAt, by: 'coord', reason: null },
  steps: [
    { state: 'proposed', at: '2026-01-15T10:00:00.000Z', by: 'coord', reason: null },
    { state: 'mt_declared', at: declaredAt, by: 'coord', reason: null },
  ],
};
const rows = {
  stop: [y2023, jan, mar, cancelled],
  patient: [
    // The January/March patient: sans MT in January, « avec MT » in March.
    patient('p'),
    // Oriented in January, « MT déclaré » in February, not back since.
    patient('q'),
    // Unknown in January: never « sans MT ».
    patient('r', { mtStatus: 'unknown', coverage: 'ame' }),
    // First seen in 2023 sans MT, back in March 2026 with a MT; archived by retention since.
    patient('s'),
  ],
  visit: [
    visit('v-p1', 'p', jan, 'none'),
    visit('v-p2', 'p', mar, 'declared'),
    visit('v-q1', 'q', jan, 'none'),
    visit('v-r1', 'r', jan, 'unknown'),
    visit('v-s0', 's', y2023, 'none'),
    visit('v-s1', 's', mar, 'declared'),
  ],
  orientation: [orientation],
};
const period = { from: '2026-01-01', to: '2026-03-31' };

async function ask(
  server: TestServer,
  device: Enrolled | null,
  query: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}/api/indicators?${new URLSearchParams(query)}`, {
    headers: device ? device.headers : {},
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const answerOf = (a: { body: Record<string, unknown> }) =>
  a.body as unknown as IndicatorsAnswer<Indicators>;

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`central’s indicators (${kind})`, () => {
    let central: TestServer;
    let coordination: Enrolled;

    beforeAll(async () => {
      central = await startTestServer({ store: kind });
      await central.store.push(org, rowsToOps(org, 'seed', rows));
      // Retention archived patient s's record: still counted by the evaluation.
      await central.store.archiveRecord(org, 's', [
        { e: 'patient', id: 's' },
        { e: 'visit', id: 'v-s0' },
        { e: 'visit', id: 'v-s1' },
      ]);
      coordination = await enrol(central, `coord-${kind}`, { org, profile: 'coordination' });
    }, 60_000);
    afterAll(async () => {
      await central.close();
    });

    it('counts the January/March patient, the orientation « MT déclaré » and the archived record as re-attached', async () => {
      const a = await ask(central, coordination, { org, ...period });
      expect(a.status).toBe(200);
      const answer = answerOf(a);
      expect(answer).toMatchObject({
        source: 'central',
        version: INDICATORS_VERSION,
        empty: false,
        message: null,
        history: { firstStop: '2023-01-10', archivedRecords: 1 },
      });
      const r = answer.indicators.reattachment;
      expect(r.cohort).toBe(4);
      expect(r.baseline).toEqual({ none: 3, declared: 0, unknown: 1 });
      expect(r.noMt).toEqual({ patients: 3, reattached: 3, share: 1 });
      expect(r.bySource).toEqual({ orientation: 1, patient: 0, visit: 2 });
      expect(r.unknown).toEqual({ patients: 1, declaredSince: 0, share: 0 });
      expect(answer.indicators.cancelledStops.count).toBe(1);
      expect(answer.indicators.precarity).toMatchObject({ c2s: 3, ame: 1 });
      // The EPCI table is read by central too: Mamers is in the CC Maine Saosnois.
      expect(answer.indicators.byHomeEpci?.[0]).toMatchObject({ patients: 4 });
      expect(answer.indicators.byHomeEpci?.[0]?.name).toMatch(/Saosnois/);
    });

    it('gives what the same definitions give over the same rows (one definition, two places)', async () => {
      const answer = answerOf(await ask(central, coordination, { org, ...period }));
      const local = computeIndicators({
        stops: rows.stop,
        visits: rows.visit,
        queueEntries: [],
        consultations: [],
        appointments: [],
        patients: rows.patient,
        rosterSlots: [],
        rooms: [],
        services: [],
        orientations: rows.orientation,
        period,
      });
      const { byHomeEpci: _central, ...fromCentral } = answer.indicators;
      const { byHomeEpci: _local, ...fromDevice } = local;
      expect(fromCentral).toEqual(fromDevice);
    });

    it('says « aucune donnée » for a period with nothing, rather than zeros', async () => {
      const a = await ask(central, coordination, { org, from: '2025-06-01', to: '2025-06-30' });
      expect(a.status).toBe(200);
      expect(answerOf(a).empty).toBe(true);
      expect(answerOf(a).message).toMatch(/^Aucune donnée pour cette période/);
    });

    it('refuses every other profile, another organisation, no device, and a bad period in French', async () => {
      const reception = await enrol(central, `acc-${kind}`, { org, profile: 'reception' });
      const room = await enrol(central, `room-${kind}`, { org, profile: 'room', roomId: 'box' });
      const display = await enrol(central, `tv-${kind}`, { org, profile: 'display' });
      const other = await enrol(central, `coord-other-${kind}`, {
        org: 'org-autre',
        profile: 'coordination',
      });
      const cases: [Enrolled | null, Record<string, string>, number, RegExp][] = [
        [reception, { org, ...period }, 403, /réservés aux appareils de la coordination/],
        [room, { org, ...period }, 403, /réservés aux appareils de la coordination/],
        [display, { org, ...period }, 403, /réservés aux appareils de la coordination/],
        [other, { org, ...period }, 403, /autre organisation/],
        [coordination, { org: 'org-autre', ...period }, 403, /autre organisation/],
        [null, { org, ...period }, 401, /Appareil non reconnu/],
        [
          coordination,
          { org, from: '2026-03-31', to: '2026-01-01' },
          400,
          /période est inversée : le début \(31\/03\/2026\) est après la fin \(01\/01\/2026\)/,
        ],
        [
          coordination,
          { org, from: '2026-02-30', to: '2026-03-01' },
          400,
          /date de début n’est pas une date valide/,
        ],
        [coordination, { org, from: '2026-01-01' }, 400, /Indiquez la période/],
        [coordination, { org, from: '2010-01-01', to: '2026-01-01' }, 400, /dépasse 10 ans/],
      ];
      for (const [device, query, status, message] of cases) {
        const a = await ask(central, device, query);
        expect({ query, status: a.status }).toEqual({ query, status });
        expect(String(a.body.message)).toMatch(message);
      }
    });
  });
}

describe('a relay asked for indicators', () => {
  let central: TestServer;
  let relay: TestServer;

  beforeAll(async () => {
    central = await startTestServer({ store: 'sqlite' });
    await central.store.push(org, rowsToOps(org, 'seed', rows));
    relay = await startTestServer({
      store: 'sqlite',
      upstream: central.url,
      relayCredential: await relayCredential(central, org),
      relayIntervalMs: 3_600_000,
    });
    await relay.relay!.syncNow(true);
  }, 60_000);
  afterAll(async () => {
    await relay.close();
    await central.close();
  });

  it('refuses clearly: central computes them over the whole history, the device asks central', async () => {
    const coordination = await enrol(central, 'coord-relay', { org, profile: 'coordination' });
    await relay.relay!.refreshCredentials();
    const a = await ask(relay, coordination, { org, ...period });
    expect(a.status).toBe(421);
    expect(a.body.error).toBe('central_only');
    expect(String(a.body.message)).toMatch(/se calculent au serveur central/);
    // The same device asking central gets central's figures.
    expect((await ask(central, coordination, { org, ...period })).status).toBe(200);
  });
});
