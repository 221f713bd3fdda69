// Retention on central (docs/decisions/0019-retention.md), on SQLite and on PostgreSQL, over a
// real server on loopback: the report changes nothing; archiving takes a record out of the log,
// the rows and the pulls, and restoring puts it back; destruction needs a confirmation, refuses a
// record with a day without a receipt, and leaves nothing a resend (a device, a relay) can bring
// back; central's audit entries past their period are purged; every change is audited with
// who and how many, never a name.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import { runAdmin } from '../../src/server/admin';
import {
  archiveDue,
  destroyDue,
  purgeAudit,
  restoreArchived,
  retentionReport,
  setRetentionPolicy,
} from '../../src/server/retention';
import { rowsToOps } from '../../src/server/seed/ops';
import { openPostgresStore, openSqliteStore } from '../../src/server/store/open';
import { createClock, tick } from '../../src/sync/hlc';
import type { Op } from '../../src/sync/op';
import { PROTOCOL_VERSION, type SyncResponse } from '../../src/sync/protocol';
import { authHeader } from '../support/auth';
import {
  freshPostgresDatabase,
  openTestStore,
  startTestServer,
  type TestServer,
} from '../support/server';

const ORG = 'org-test';
const NOW = Date.UTC(2026, 11, 4, 9);
const TODAY = '2026-12-04';
const COORD = 'coord-ret';

const patient = (id: string, birthDate: string, createdAt: string) => ({
  id,
  orgId: ORG,
  birthName: `NOM-${id}`,
  usedName: null,
  firstNames: 'Prénom',
  usedFirstName: null,
  sex: 'F',
  birthDate,
  birthPlaceCode: '75056',
  identityStatus: 'provisoire',
  nir: null,
  phone: null,
  email: null,
  address: null,
  communeInsee: null,
  coverage: 'inconnue',
  mtStatus: 'unknown',
  mtName: null,
  ald: false,
  allergies: [],
  createdAt,
  duplicateDecision: null,
  identityAttributes: [],
});
const stop = (id: string, date: string) => ({
  id,
  orgId: ORG,
  unitId: 'unit-1',
  date,
  communeInsee: '75056',
  communeName: 'Paris',
  address: 'Place',
  opensAt: '09:00',
  closesAt: '17:00',
  status: 'closed',
});
const visit = (id: string, patientId: string, stopId: string, at: string) => ({
  id,
  orgId: ORG,
  patientId,
  stopId,
  appointmentId: null,
  arrivedAt: at,
  motif: 'Motif clinique confidentiel',
  noMt: false,
  ald: false,
  urgent: false,
  urgentReason: null,
});
const consultation = (id: string, patientId: string, stopId: string, at: string) => ({
  id,
  orgId: ORG,
  queueEntryId: `qe-${id}`,
  visitId: `v-${id}`,
  patientId,
  stopId,
  serviceId: 'svc-1',
  authorId: 'doc-ret',
  motif: 'Toux',
  subjective: 'Texte clinique',
  objective: 'Examen',
  assessment: 'Bronchite',
  plan: 'Repos',
  confidentiality: 'standard',
  status: 'validated',
  createdAt: at,
});
const signature = (consultationId: string, at: string) => ({
  id: `sig-${consultationId}`,
  orgId: ORG,
  consultationId,
  kind: 'author',
  staffId: 'doc-ret',
  at,
  contentHash: 'abc',
  comment: null,
});
const audit = (id: string, at: string) => ({
  id,
  orgId: ORG,
  at,
  actorId: null,
  deviceId: 'poste-x',
  action: 'patient.open',
  entity: 'patient',
  entityId: 'p-old',
  detail: null,
});

/** The seed: four records and two audit entries, written by one device. */
function seedOps(): Op[] {
  const consultations = [
    // An adult last seen in 2001, the day receipted: archived, then destroyed.
    consultation('c-old', 'p-old', 's-2001', '2001-03-01T10:00:00.000Z'),
    // A child seen at 1: 20 years later is 2021, but kept until 28 (2028).
    consultation('c-minor', 'p-minor', 's-2001', '2001-03-01T11:00:00.000Z'),
    // An adult last seen in 2002 on a day with no receipt: archived, never destroyed.
    consultation('c-norec', 'p-norec', 's-2002', '2002-05-10T10:00:00.000Z'),
    // Seen last year.
    consultation('c-recent', 'p-recent', 's-2025', '2025-06-01T10:00:00.000Z'),
  ];
  const rows = {
    staff: [
      {
        id: COORD,
        orgId: ORG,
        firstName: 'Anne',
        lastName: 'Coord',
        profession: 'medecin',
        roles: ['coordinateur', 'clinicien'],
        supervisorId: null,
        active: true,
      },
      {
        id: 'doc-ret',
        orgId: ORG,
        firstName: 'Paul',
        lastName: 'Doc',
        profession: 'medecin',
        roles: ['clinicien'],
        supervisorId: null,
        active: true,
      },
    ],
    stop: [
      stop('s-2001', '2001-03-01'),
      stop('s-2002', '2002-05-10'),
      stop('s-2025', '2025-06-01'),
    ],
    patient: [
      patient('p-old', '1950-04-02', '2001-03-01T09:00:00.000Z'),
      patient('p-minor', '2000-06-15', '2001-03-01T09:00:00.000Z'),
      patient('p-norec', '1960-01-01', '2002-05-10T09:00:00.000Z'),
      patient('p-recent', '1970-01-01', '2025-06-01T09:00:00.000Z'),
    ],
    visit: consultations.map((c) => visit(c.visitId, c.patientId, c.stopId, c.createdAt)),
    consultation: consultations,
    signature: consultations.map((c) => signature(c.id, c.createdAt)),
    syncReceipt: ['s-2001', 's-2025'].map((stopId) => ({
      id: `rec-${stopId}`,
      orgId: ORG,
      stopId,
      at: '2025-06-01T18:00:00.000Z',
      staffId: COORD,
      digest: 'a'.repeat(64),
      via: 'central',
      devices: [],
      rows: [],
    })),
    audit: [
      audit('au-old', '2025-10-01T08:00:00.000Z'),
      audit('au-new', '2026-11-20T08:00:00.000Z'),
    ],
  };
  return rowsToOps(ORG, 'seed-ret', rows, NOW - 86_400_000);
}

/** A device's new ops: a visit of `patientId` (a row the record did not have). */
function newVisitOps(dev: string, firstSeq: number, id: string, patientId: string): Op[] {
  let clock = createClock(dev);
  const row = visit(id, patientId, 's-2025', '2026-12-04T08:00:00.000Z');
  return Object.entries(row)
    .filter(([f]) => f !== 'id')
    .map(([f, val], i) => {
      const t = tick(clock, NOW);
      clock = t.clock;
      return {
        v: SCHEMA_VERSION,
        org: ORG,
        dev,
        seq: firstSeq + i,
        hlc: t.hlc,
        e: 'visit',
        id,
        f,
        k: 'set' as const,
        val,
        base: [],
      };
    });
}

async function sync(server: TestServer, deviceId: string, body: Record<string, unknown>) {
  const res = await fetch(`${server.url}/api/sync`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(await authHeader(server, deviceId, body.relay ? { profile: 'relay' } : {})),
    },
    body: JSON.stringify({
      protocol: PROTOCOL_VERSION,
      schema: SCHEMA_VERSION,
      org: ORG,
      deviceId,
      since: 0,
      ops: [],
      ...body,
      relay: undefined,
    }),
  });
  return {
    status: res.status,
    body: (await res.json()) as SyncResponse & {
      error?: string;
      message?: string;
      details?: { code?: string };
    },
  };
}

/** Every row id of these entities held in the live rows. */
async function liveIds(server: TestServer, ...entities: string[]) {
  const ids: string[] = [];
  for (const e of entities) ids.push(...(await server.store.rows(ORG, e)).map((r) => String(r.id)));
  return ids.sort();
}

/** Everything a device pulling from 0 receives, as `e:id`. */
async function pulledRows(server: TestServer): Promise<Set<string>> {
  const page = await server.store.pull(ORG, 0, 50_000_000);
  return new Set(page.ops.map((x) => `${x.op.e}:${x.op.id}`));
}

async function auditRows(server: TestServer, action: string) {
  return (await server.store.rows(ORG, 'audit')).filter((r) => r.action === action);
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`retention on central (${kind})`, () => {
    let server: TestServer;
    const seed = seedOps();
    beforeAll(async () => {
      server = await startTestServer({ store: kind });
      await server.store.push(ORG, seed);
    });
    afterAll(() => server.close());

    it('reports what is due and why, changing nothing', async () => {
      const before = await server.store.digest(ORG);
      const report = await retentionReport(server.store, ORG, TODAY);
      expect(report.policy).toEqual({ recordYears: 20, minorUntilAge: 28, auditYears: 1 });
      const by = new Map(report.entries.map((e) => [e.patientId, e]));
      expect(by.get('p-old')).toMatchObject({
        action: 'archive',
        lastConsultation: '2001-03-01',
        keepUntil: '2021-03-01',
        rule: 'record_period',
        unreceipted: [],
      });
      expect(by.get('p-minor')).toMatchObject({
        action: 'keep',
        minor: true,
        keepUntil: '2028-06-15',
        rule: 'minor_until_age',
      });
      expect(by.get('p-norec')).toMatchObject({ action: 'archive', unreceipted: ['s-2002'] });
      expect(by.get('p-recent')).toMatchObject({ action: 'keep', keepUntil: '2045-06-01' });
      expect(report.auditDue).toEqual(['au-old']);
      expect(await server.store.digest(ORG)).toBe(before);
    });

    it('sets the organisation’s policy only by a coordinator, audited, within bounds', async () => {
      await expect(
        setRetentionPolicy(server.store, ORG, { recordYears: 25 }, { by: 'doc-ret', now: NOW }),
      ).rejects.toThrow(/Seul un coordinateur/);
      await expect(
        setRetentionPolicy(server.store, ORG, { recordYears: 2 }, { by: COORD, now: NOW }),
      ).rejects.toThrow();
      const longer = await setRetentionPolicy(
        server.store,
        ORG,
        { recordYears: 30 },
        { by: COORD, now: NOW },
      );
      expect(longer.recordYears).toBe(30);
      const report = await retentionReport(server.store, ORG, TODAY);
      expect(report.entries.find((e) => e.patientId === 'p-old')?.action).toBe('keep');
      await setRetentionPolicy(server.store, ORG, { recordYears: 20 }, { by: COORD, now: NOW });
      const [set] = await auditRows(server, 'retention.policy');
      expect(set).toMatchObject({ actorId: COORD, deviceId: 'admin' });
    });

    it('archives the records past their period: out of the rows and of every pull', async () => {
      const done = await archiveDue(server.store, ORG, { by: COORD, now: NOW });
      expect(done.records.sort()).toEqual(['p-norec', 'p-old']);
      expect(await liveIds(server, 'patient')).toEqual(['p-minor', 'p-recent']);
      expect(await liveIds(server, 'consultation')).toEqual(['c-minor', 'c-recent']);
      expect(await liveIds(server, 'signature')).toEqual(['sig-c-minor', 'sig-c-recent']);
      expect(await liveIds(server, 'visit')).toEqual(['v-c-minor', 'v-c-recent']);
      const pulled = await pulledRows(server);
      for (const gone of [
        'patient:p-old',
        'consultation:c-old',
        'signature:sig-c-old',
        'visit:v-c-norec',
      ]) {
        expect(pulled.has(gone)).toBe(false);
      }
      expect(pulled.has('consultation:c-recent')).toBe(true);
      // Stops, staff and receipts are not part of a record.
      expect(await liveIds(server, 'stop')).toHaveLength(3);
      const records = await server.store.retiredRecords(ORG);
      expect(records.map((r) => [r.patient, r.status, r.rows])).toEqual([
        ['p-norec', 'archived', 4],
        ['p-old', 'archived', 4],
      ]);
      const [row] = await auditRows(server, 'retention.archive');
      expect(row).toMatchObject({ actorId: COORD, deviceId: 'admin', entityId: null });
      expect(row!.detail).toMatch(/^records=2;rows=8;ops=\d+$/);
      // Nothing is due for archive any more.
      const report = await retentionReport(server.store, ORG, TODAY);
      expect(report.entries.filter((e) => e.action === 'archive')).toEqual([]);
      expect(report.entries.filter((e) => e.action === 'destroy').map((e) => e.patientId)).toEqual([
        'p-norec',
        'p-old',
      ]);
    });

    it('files a device’s later write on an archived record with it, and restores both', async () => {
      // A device still holding p-norec writes a visit for it: archived with the record.
      const late = newVisitOps('poste-late', 1, 'v-late', 'p-norec');
      const pushed = await sync(server, 'poste-late', { ops: late });
      expect(pushed.status).toBe(200);
      expect(pushed.body.accepted).toBe(late.length);
      expect(await liveIds(server, 'visit')).not.toContain('v-late');
      expect((await pulledRows(server)).has('visit:v-late')).toBe(false);

      const lastBefore = await server.store.lastSeq(ORG);
      const count = await restoreArchived(server.store, ORG, 'p-norec', { by: COORD, now: NOW });
      expect(count.rows).toBe(5);
      expect(await liveIds(server, 'patient')).toContain('p-norec');
      expect(await liveIds(server, 'visit')).toEqual(
        expect.arrayContaining(['v-c-norec', 'v-late']),
      );
      const [c] = await server.store.rowsByIds(ORG, 'consultation', ['c-norec']);
      expect(c).toMatchObject({ subjective: 'Texte clinique', patientId: 'p-norec' });
      // Devices receive it again: its ops are in the log after every device's checkpoint.
      const tail = await server.store.pull(ORG, lastBefore, 50_000_000);
      const again = new Set(tail.ops.map((x) => x.op.id));
      for (const id of ['p-norec', 'c-norec', 'sig-c-norec', 'v-c-norec', 'v-late']) {
        expect(again.has(id)).toBe(true);
      }
      expect(await auditRows(server, 'retention.restore')).toHaveLength(1);
      // Archived again for the rest of the test.
      const rearchived = await archiveDue(server.store, ORG, { by: COORD, now: NOW });
      expect(rearchived.records).toEqual(['p-norec']);
      // Archived again: a pull from before the restore no longer sees them, and reaches the end.
      const end = await server.store.pull(ORG, lastBefore, 50_000_000);
      expect(end.ops.some((x) => x.op.id === 'c-norec')).toBe(false);
      expect(end).toMatchObject({ hasMore: false, lastSeq: await server.store.lastSeq(ORG) });
    });

    it('destroys only with --confirm, and never a record with a day without a receipt', async () => {
      await expect(
        destroyDue(server.store, ORG, { by: COORD, now: NOW, confirm: false }),
      ).rejects.toThrow(/--confirm/);
      await expect(
        destroyDue(server.store, ORG, { by: 'doc-ret', now: NOW, confirm: true }),
      ).rejects.toThrow(/Seul un coordinateur/);
      const one = await destroyDue(server.store, ORG, {
        by: COORD,
        now: NOW,
        confirm: true,
        patient: 'p-norec',
      });
      expect(one.destroyed).toEqual([]);
      expect(one.refused).toEqual([
        { patient: 'p-norec', why: expect.stringMatching(/sans reçu de synchronisation/) },
      ]);
      expect((await server.store.archivedRows(ORG)).some((r) => r.patient === 'p-norec')).toBe(
        true,
      );
      const recent = await destroyDue(server.store, ORG, {
        by: COORD,
        now: NOW,
        confirm: true,
        patient: 'p-recent',
      });
      expect(recent.refused[0]?.why).toMatch(/pas archivé/);
    });

    it('destroys the archived record with every receipt: nothing of it is left but ids', async () => {
      const done = await destroyDue(server.store, ORG, { by: COORD, now: NOW, confirm: true });
      expect(done.destroyed).toEqual(['p-old']);
      expect(done.refused.map((r) => r.patient)).toEqual(['p-norec']);
      const archived = await server.store.archivedRows(ORG);
      expect(archived.some((r) => r.patient === 'p-old')).toBe(false);
      expect(archived.some((r) => r.patient === 'p-norec')).toBe(true);
      const records = await server.store.retiredRecords(ORG);
      expect(records.find((r) => r.patient === 'p-old')?.status).toBe('destroyed');
      // No clinical text of the record anywhere a server can read it back.
      expect(JSON.stringify(await server.store.pull(ORG, 0, 50_000_000))).not.toContain(
        'NOM-p-old',
      );
      expect(JSON.stringify(archived)).not.toContain('NOM-p-old');
      expect(JSON.stringify(await server.store.quarantined(ORG))).not.toContain('NOM-p-old');
      await expect(
        restoreArchived(server.store, ORG, 'p-old', { by: COORD, now: NOW }),
      ).rejects.toThrow(/déjà été détruit/);
      const [row] = await auditRows(server, 'retention.destroy');
      expect(row).toMatchObject({ actorId: COORD, deviceId: 'admin' });
      const last = (await auditRows(server, 'retention.destroy'))
        .map((r) => String(r.detail))
        .sort();
      expect(last).toContain(
        `records=1;rows=4;ops=${seed.filter((o) => ['p-old', 'c-old', 'sig-c-old', 'v-c-old'].includes(o.id)).length};refused=1`,
      );
      for (const r of await server.store.rows(ORG, 'audit')) {
        expect(JSON.stringify(r)).not.toContain('NOM-');
      }
    });

    it('never takes a destroyed record back from a relay or a device sending it again', async () => {
      const digest = await server.store.digest(ORG);
      // A relay forwards the seed again (central restored, or its own log replayed).
      const relayed = await sync(server, 'relay-ret', { relay: true, ops: seed });
      expect(relayed.status).toBe(200);
      const direct = await server.store.push(ORG, seed);
      expect(direct.stored).toBe(0);
      expect(await server.store.digest(ORG)).toBe(digest);
      expect(await liveIds(server, 'patient')).not.toContain('p-old');
      expect(await server.store.contiguous(ORG, 'seed-ret')).toBe(seed.length);

      // A device writes something new on the destroyed record: refused with a clear 403, set
      // apart without its values, and acknowledged so its later ops are not held back.
      const fresh = newVisitOps('poste-stale', 1, 'v-ghost', 'p-old');
      const refused = await sync(server, 'poste-stale', { ops: fresh });
      expect(refused.status).toBe(403);
      expect(refused.body.error).toBe('forbidden_op');
      expect(JSON.stringify(refused.body)).toContain('destroyed_record');
      expect(refused.body.message).toMatch(/détruit au central/);
      const aside = (await server.store.quarantined(ORG)).filter((q) => q.dev === 'poste-stale');
      expect(aside).toHaveLength(fresh.length);
      for (const q of aside) {
        expect(q.code).toBe('destroyed_record');
        expect(q.op.val).toBeUndefined();
      }
      expect(await server.store.contiguous(ORG, 'poste-stale')).toBe(fresh.length);
      expect(await liveIds(server, 'visit')).not.toContain('v-ghost');

      // The same through the store alone (a relay's forward refused nothing upstream).
      const more = newVisitOps('poste-other', 1, 'v-ghost-2', 'p-old');
      expect((await server.store.push(ORG, more)).stored).toBe(0);
      expect(await server.store.contiguous(ORG, 'poste-other')).toBe(more.length);
      const kept = (await server.store.quarantined(ORG)).filter((q) => q.dev === 'poste-other');
      expect(kept.every((q) => q.op.val === undefined && q.code === 'destroyed_record')).toBe(true);
      expect(await server.store.digest(ORG)).toBe(digest);
    });

    it('purges central’s audit entries past the audit period, audited', async () => {
      const count = await purgeAudit(server.store, ORG, { by: COORD, now: NOW });
      expect(count).toMatchObject({ rows: 1, ops: 1 });
      const ids = await liveIds(server, 'audit');
      expect(ids).not.toContain('au-old');
      expect(ids).toContain('au-new');
      expect((await pulledRows(server)).has('audit:au-old')).toBe(false);
      const [row] = await auditRows(server, 'retention.audit_purge');
      expect(row).toMatchObject({ actorId: COORD, detail: 'rows=1;ops=1' });
      // Sent again, it is already held.
      expect((await server.store.push(ORG, seed)).stored).toBe(0);
      expect(await liveIds(server, 'audit')).not.toContain('au-old');
    });
  });
}

/** `npm run admin -- …` in this process, over the store named as the server's would be. */
async function admin(env: { DATA_DIR?: string; DATABASE_URL?: string }, ...args: string[]) {
  const saved = { DATA_DIR: process.env.DATA_DIR, DATABASE_URL: process.env.DATABASE_URL };
  process.env.DATA_DIR = env.DATA_DIR ?? saved.DATA_DIR;
  if (env.DATABASE_URL) process.env.DATABASE_URL = env.DATABASE_URL;
  else delete process.env.DATABASE_URL;
  const lines: string[] = [];
  try {
    await runAdmin(args, (line) => lines.push(line));
    return { ok: true, out: lines.join('\n') };
  } catch (error) {
    return { ok: false, out: `${lines.join('\n')}\n${(error as Error).message}` };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`npm run admin: the retention commands (${kind})`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'escale-retention-'));
    let env: { DATA_DIR: string; DATABASE_URL?: string };
    beforeAll(async () => {
      env = { DATA_DIR: dir };
      if (kind === 'postgres') env.DATABASE_URL = await freshPostgresDatabase();
      const store = env.DATABASE_URL
        ? await openPostgresStore(env.DATABASE_URL, 2)
        : await openSqliteStore(join(dir, 'escale.sqlite'));
      await store.push(ORG, seedOps());
      await store.close();
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('reports, archives, refuses a destruction without --confirm, then destroys', async () => {
      const policy = await admin(env, 'retention-policy', '--org', ORG);
      expect(policy.out).toMatch(
        /dossiers 20 ans après la dernière consultation ; patients mineurs à cette consultation au moins jusqu’à leurs 28 ans ; journal d’audit 1 an\./,
      );
      const report = await admin(env, 'retention-report', '--org', ORG);
      expect(report.ok).toBe(true);
      expect(report.out).toMatch(/4 dossier\(s\) actif\(s\), dont 2 à archiver ; 0 archivé\(s\)/);
      expect(report.out).toMatch(
        /p-old\tdepuis le 01\/03\/2001\tconservé jusqu’au 01\/03\/2021 \(20 ans après la dernière consultation\)/,
      );
      expect(report.out).not.toContain('NOM-');
      expect((await admin(env, 'archive', '--org', ORG)).out).toMatch(/Option --by manquante/);
      const archived = await admin(env, 'archive', '--org', ORG, '--by', COORD);
      expect(archived.out).toMatch(/^2 dossier\(s\) archivé\(s\) \(8 lignes, \d+ opérations\)/);
      const after = await admin(env, 'retention-report', '--org', ORG);
      expect(after.out).toMatch(
        /2 archivé\(s\), dont 2 à détruire \(1 refusé\(s\) pour l’instant\)/,
      );
      expect(after.out).toMatch(/\n {2}p-norec\t.*\t1 escale\(s\) de ce dossier sans reçu/);
      expect(after.out).toMatch(/\n {2}p-old\t.*\tprêt(\n|$)/);
      const unconfirmed = await admin(env, 'destroy', '--org', ORG, '--by', COORD);
      expect(unconfirmed.ok).toBe(false);
      expect(unconfirmed.out).toMatch(/relancez avec --confirm/);
      const refused = await admin(
        env,
        'destroy',
        '--org',
        ORG,
        '--by',
        COORD,
        '--confirm',
        '--patient',
        'p-norec',
      );
      expect(refused.ok).toBe(false);
      expect(refused.out).toMatch(/Refusé : p-norec — 1 escale\(s\) de ce dossier sans reçu/);
      const destroyed = await admin(env, 'destroy', '--org', ORG, '--by', COORD, '--confirm');
      expect(destroyed.ok).toBe(true);
      expect(destroyed.out).toMatch(/^1 dossier\(s\) détruit\(s\) \(4 lignes, \d+ opérations\)/);
      const purged = await admin(env, 'audit-purge', '--org', ORG, '--by', COORD);
      expect(purged.out).toMatch(/^1 entrée\(s\) du journal d’audit purgée\(s\)/);
      const last = await admin(env, 'retention-report', '--org', ORG);
      expect(last.out).toMatch(/1 archivé\(s\), dont 1 à détruire .* ; 1 détruit\(s\)\./);
      const slip = await admin(
        env,
        'retention-policy',
        '--org',
        ORG,
        '--record-years',
        '2',
        '--by',
        COORD,
      );
      expect(slip.ok).toBe(false);
      expect(slip.out).toMatch(/au moins 10 ans/);
    });
  });
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`the store keeps a device’s sequence whole around archived ops (${kind})`, () => {
    it('acknowledges past a gap filled after the ops beyond it were archived', async () => {
      const { store, cleanup } = await openTestStore(kind);
      try {
        const ops = rowsToOps(ORG, 'gap-dev', {
          patient: [patient('p-gap', '1950-01-01', '2001-01-01T09:00:00.000Z')],
        });
        expect(ops.length).toBeGreaterThan(4);
        const third = ops[2]!;
        await store.push(
          ORG,
          ops.filter((o) => o !== third),
        );
        expect(await store.contiguous(ORG, 'gap-dev')).toBe(2);
        const archived = await store.archiveRecord(ORG, 'p-gap', [{ e: 'patient', id: 'p-gap' }]);
        expect(archived).toEqual({ rows: 1, ops: ops.length - 1 });
        expect(await store.rows(ORG, 'patient')).toEqual([]);
        // The whole log is now a hole: a pull still reaches its end, with nothing to send.
        expect(await store.pull(ORG, 0, 1_000_000)).toEqual({
          ops: [],
          lastSeq: await store.lastSeq(ORG),
          hasMore: false,
        });
        // The missing op arrives (it names the archived record): filed with it, and the
        // device's whole sequence is acknowledged, the archived ops beyond the gap included.
        expect((await store.push(ORG, [third])).stored).toBe(0);
        expect(await store.contiguous(ORG, 'gap-dev')).toBe(ops.length);
        expect(await store.rows(ORG, 'patient')).toEqual([]);
        const restored = await store.restoreRecord(ORG, 'p-gap');
        expect(restored).toEqual({ rows: 1, ops: ops.length });
        const [back] = await store.rows(ORG, 'patient');
        expect(back).toMatchObject({
          id: 'p-gap',
          birthName: 'NOM-p-gap',
          birthDate: '1950-01-01',
        });
        expect(await store.contiguous(ORG, 'gap-dev')).toBe(ops.length);
      } finally {
        await store.close();
        cleanup();
      }
    });
  });
}

/** An identity merged into `into` (reads follow the pointer). */
function merged(id: string, into: string): { id: string } {
  const row = { ...patient(id, '1950-01-01', '2003-01-01T09:00:00.000Z'), mergedInto: into };
  return row;
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`a merged identity follows the record it was merged into (${kind})`, () => {
    it('is archived with it, its own consultations counted and archived too', async () => {
      const { store, cleanup } = await openTestStore(kind);
      try {
        const staff = seedOps().filter((o) => o.e === 'staff');
        await store.push(ORG, staff);
        await store.push(
          ORG,
          rowsToOps(ORG, 'merge-dev', {
            patient: [
              patient('p-root', '1950-01-01', '2001-01-01T09:00:00.000Z'),
              merged('p-dup', 'p-root'),
            ],
            consultation: [
              consultation('c-root', 'p-root', 's-none', '2001-01-01T10:00:00.000Z'),
              consultation('c-dup', 'p-dup', 's-none', '2003-01-01T10:00:00.000Z'),
            ],
          }),
        );
        const report = await retentionReport(store, ORG, TODAY);
        expect(report.entries.map((e) => [e.patientId, e.members, e.lastConsultation])).toEqual([
          ['p-root', ['p-dup', 'p-root'], '2003-01-01'],
        ]);
        // Kept while the merged identity's consultation is within the period.
        const early = await retentionReport(store, ORG, '2022-06-01');
        expect(early.entries[0]?.action).toBe('keep');
        const done = await archiveDue(store, ORG, { by: COORD, now: NOW });
        expect(done.records).toEqual(['p-root']);
        expect(await store.rows(ORG, 'patient')).toEqual([]);
        expect(await store.rows(ORG, 'consultation')).toEqual([]);
        expect(await store.retiredRecords(ORG)).toEqual([
          expect.objectContaining({ patient: 'p-root', status: 'archived', rows: 4 }),
        ]);
      } finally {
        await store.close();
        cleanup();
      }
    });
  });
}
