// The day's closure: the checklist, the day's proof, the receipt's verdict, and the purge rules
// (never without a matching receipt, never an unsynced op, never a row changed since).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bookedNotYetDue,
  type ClosureRecord,
  changedSinceReceipt,
  closureChecklist,
  coverageVerdict,
  dayProof,
  dayStates,
  dayWindow,
  devicesToCover,
  endOfDayStatus,
  type HeardReport,
  isStale,
  purgePlan,
  receiptVerdict,
  rowHash,
  STALE_AFTER_MS,
  type TruckDevice,
} from '../../src/domain/closure';
import { type Appointment, type EntityName, entitySpec } from '../../src/domain/entities';
import { zonedIso } from '../../src/domain/time';
import { buildDemoDataset } from '../../src/server/seed/demo';
import { rowsToOps } from '../../src/server/seed/ops';
import { createClock, tick } from '../../src/sync/hlc';
import { applyOp, materialise, type RowState } from '../../src/sync/merge';
import type { Op } from '../../src/sync/op';

const TODAY = '2026-11-30';
const demo = buildDemoDataset({ today: TODAY });
const { data } = demo;
const org = data.organisation[0]!.id;
const registry = entitySpec;

function statesOf(ops: readonly Op[], start: RowState[] = []): RowState[] {
  const map = new Map(start.map((s) => [`${s.e}/${s.id}`, s]));
  for (const op of ops) {
    const key = `${op.e}/${op.id}`;
    map.set(key, applyOp(map.get(key), op, registry));
  }
  return [...map.values()];
}

const baseStates = statesOf(rowsToOps(org, 'seed', data, Date.parse(`${TODAY}T06:00:00Z`)));
const pastStop = data.stop
  .filter((s) => s.date < TODAY)
  .sort((a, b) => (a.date < b.date ? -1 : 1))[0]!;
const otherPast = data.stop.filter((s) => s.date < TODAY && s.id !== pastStop.id)[0]!;
const dayConsultations = data.consultation.filter((c) => c.stopId === pastStop.id);

let editor = createClock('box-1');
let editorSeq = 0;
function edit(entity: EntityName, id: string, field: string, val: unknown): Op {
  const t = tick(editor, Date.parse(`${TODAY}T12:00:00Z`));
  editor = t.clock;
  return {
    v: 2,
    org,
    dev: 'box-1',
    seq: ++editorSeq,
    hlc: t.hlc,
    e: entity,
    id,
    f: field,
    k: 'set',
    val,
    base: [],
  };
}

describe('the day of a stop', () => {
  it('holds the stop, its roster, visits, queue, notes with their events, and their patients', () => {
    const scoped = dayStates(baseStates, pastStop.id, registry);
    const kinds = new Set(scoped.map((s) => s.e));
    for (const k of [
      'stop',
      'rosterSlot',
      'visit',
      'queueEntry',
      'consultation',
      'vitals',
      'signature',
      'patient',
    ]) {
      expect(kinds.has(k)).toBe(true);
    }
    for (const k of kinds) {
      expect([
        'stop',
        'rosterSlot',
        'appointment',
        'visit',
        'queueEntry',
        'consultation',
        'vitals',
        'signature',
        'addendum',
        'patient',
      ]).toContain(k);
    }
    const ids = new Set(scoped.map((s) => s.id));
    for (const c of dayConsultations) {
      expect(ids.has(c.id)).toBe(true);
      expect(ids.has(c.patientId)).toBe(true);
    }
    const otherVisits = data.visit.filter((v) => v.stopId === otherPast.id);
    for (const v of otherVisits) expect(ids.has(v.id)).toBe(false);
    expect(scoped.some((s) => s.e === 'stop' && s.id !== pastStop.id)).toBe(false);
  });

  it('has a digest independent of the order rows are held in', () => {
    const a = dayProof(baseStates, pastStop.id, registry);
    const b = dayProof([...baseStates].reverse(), pastStop.id, registry);
    expect(b.digest).toBe(a.digest);
    expect(b.rows).toEqual(a.rows);
  });

  it('changes its digest when a row of the day changes, not when another stop does', () => {
    const before = dayProof(baseStates, pastStop.id, registry).digest;
    const c = dayConsultations[0]!;
    const changed = statesOf(
      [edit('consultation', c.id, 'plan', 'Revoir dans 8 jours')],
      baseStates,
    );
    expect(dayProof(changed, pastStop.id, registry).digest).not.toBe(before);
    const other = data.consultation.find((x) => x.stopId === otherPast.id)!;
    const elsewhere = statesOf([edit('consultation', other.id, 'plan', 'Autre')], baseStates);
    expect(dayProof(elsewhere, pastStop.id, registry).digest).toBe(before);
  });
});

describe('the sync receipt', () => {
  const local = dayProof(baseStates, pastStop.id, registry);
  const covered = { ok: true, startedAt: 1, devices: [] };
  const central = { ...local, devices: [{ dev: 'seed', seq: 10 }], coverage: covered };

  it('is granted when device, relay and central hold the same day', () => {
    expect(receiptVerdict(central, local, 0)).toEqual({ ok: true });
    expect(receiptVerdict({ ...central, relayDigest: local.digest }, local, 0)).toEqual({
      ok: true,
    });
  });

  it('is refused while this device still has ops to send', () => {
    const v = receiptVerdict(central, local, 3);
    expect(v).toMatchObject({ ok: false, reason: 'unsynced' });
    if (!v.ok) expect(v.message).toMatch(/3 modification/);
  });

  it('is refused when the relay and central differ, or the device and central', () => {
    expect(receiptVerdict({ ...central, relayDigest: 'f'.repeat(64) }, local, 0)).toMatchObject({
      ok: false,
      reason: 'relay_differs',
    });
    expect(receiptVerdict({ ...central, digest: '0'.repeat(64) }, local, 0)).toMatchObject({
      ok: false,
      reason: 'device_differs',
    });
  });

  it('is refused, naming the devices, while the truck is not covered', () => {
    const v = receiptVerdict(
      {
        ...central,
        coverage: {
          ok: false,
          startedAt: 1,
          devices: [
            {
              deviceId: 'b2',
              name: 'Portable Box 2',
              roomId: 'r2',
              profile: 'room',
              state: 'pending',
              lastContactAt: 0,
              pending: 123,
              excuse: null,
            },
          ],
        },
      },
      local,
      0,
    );
    expect(v).toMatchObject({ ok: false, reason: 'uncovered' });
    if (!v.ok) expect(v.message).toMatch(/Portable Box 2/);
    const notBegun = receiptVerdict(
      { ...central, coverage: { ok: false, startedAt: null, devices: [] } },
      local,
      0,
    );
    if (!notBegun.ok) expect(notBegun.message).toMatch(/n’a pas commencé/);
    expect(notBegun.ok).toBe(false);
  });
});

describe('the closure checklist', () => {
  const today = data.stop.find((s) => s.id === demo.todayStopId)!;
  const patient = data.patient[0]!;
  const visit = { ...data.visit[0]!, id: 'v-today', stopId: today.id, patientId: patient.id };
  const entry = {
    ...data.queueEntry[0]!,
    id: 'q-today',
    stopId: today.id,
    visitId: visit.id,
    status: { status: 'waiting' as const, epoch: 0, rank: 0 },
  };
  const base = data.consultation[0]!;
  const draft = {
    ...base,
    id: 'c1',
    stopId: today.id,
    status: 'draft' as const,
    orientation: { kind: 'none' as const },
  };
  const toValidate = {
    ...base,
    id: 'c2',
    stopId: today.id,
    status: 'to_validate' as const,
    orientation: { kind: 'specialist' as const, detail: 'Cardiologue' },
  };
  const booked = data.appointment.find((a) => a.stopId === today.id)!;

  it('lists what is left and what blocks the receipt', () => {
    const closure = closureChecklist({
      stop: today,
      patients: [{ ...patient, identityStatus: 'provisoire' }],
      appointments: [{ ...booked, status: 'booked' }],
      visits: [visit],
      entries: [entry],
      consultations: [draft, toValidate],
      devices: [
        { deviceId: 'box-1', name: 'Box 1', pending: 2, lastSyncAt: null, lastError: null },
        { deviceId: 'accueil', name: 'Accueil', pending: 0, lastSyncAt: 1, lastError: null },
      ],
    });
    expect(closure.unsyncedDevices.map((d) => d.deviceId)).toEqual(['box-1']);
    expect(closure.unsigned.map((c) => c.id)).toEqual(['c1']);
    expect(closure.toValidate.map((c) => c.id)).toEqual(['c2']);
    expect(closure.stillOpen.map((e) => e.id)).toEqual(['q-today']);
    expect(closure.notHonoured.map((a) => a.id)).toEqual([booked.id]);
    expect(closure.provisional.map((p) => p.id)).toEqual([patient.id]);
    expect(closure.orientations.map((c) => c.id)).toEqual(['c2']);
    expect(closure.blocking).toEqual(['unsyncedDevices', 'unsigned', 'toValidate', 'stillOpen']);
  });

  it('counts a doubtful identity as provisional whatever its status field says', () => {
    const closure = closureChecklist({
      stop: today,
      patients: [{ ...patient, identityStatus: 'validee', identityAttributes: ['douteuse'] }],
      appointments: [],
      visits: [visit],
      entries: [entry],
      consultations: [],
      devices: [],
    });
    expect(closure.provisional.map((p) => p.id)).toEqual([patient.id]);
  });

  it('blocks nothing once notes are validated, the queue ended and devices synced', () => {
    const closure = closureChecklist({
      stop: today,
      patients: [patient],
      appointments: [{ ...booked, status: 'checked_in' }],
      visits: [visit],
      entries: [{ ...entry, status: { status: 'done', epoch: 0, rank: 4 } }],
      consultations: [{ ...toValidate, status: 'validated' }],
      devices: [{ deviceId: 'box-1', name: 'Box 1', pending: 0, lastSyncAt: 1, lastError: null }],
    });
    expect(closure.blocking).toEqual([]);
    expect(closure.orientations).toHaveLength(1);
  });
});

describe('the purge after a receipt', () => {
  const proof = dayProof(baseStates, pastStop.id, registry);
  const receipt = { stopId: pastStop.id, rows: proof.rows, at: `${TODAY}T18:00:00Z` };
  const common = {
    today: TODAY,
    retentionDays: 0,
    stops: data.stop,
    registry,
  };
  const dayVisits = new Set(data.visit.filter((v) => v.stopId === pastStop.id).map((v) => v.id));

  it('removes nothing without a receipt', () => {
    const plan = purgePlan({
      ...common,
      profile: 'display',
      receipts: [],
      states: baseStates,
      outbox: [],
    });
    expect(plan.remove).toEqual([]);
  });

  it('removes nothing before the retention has run out', () => {
    const plan = purgePlan({
      ...common,
      profile: 'room',
      retentionDays: 365,
      receipts: [receipt],
      states: baseStates,
      outbox: [],
    });
    expect(plan.remove).toEqual([]);
  });

  it('lets the kept copies of own ops go up to the newest due receipt, never an excused one', () => {
    const input = { ...common, profile: 'room' as const, states: baseStates, outbox: [] };
    const later = { ...receipt, at: `${TODAY}T19:30:00Z` };
    expect(purgePlan({ ...input, receipts: [receipt, later] }).sentBefore).toBe(later.at);
    expect(purgePlan({ ...input, receipts: [] }).sentBefore).toBeNull();
    expect(purgePlan({ ...input, retentionDays: 365, receipts: [receipt] }).sentBefore).toBeNull();
    const excusing = { ...receipt, excused: [{ dev: 'box-2' }] };
    expect(purgePlan({ ...input, deviceId: 'box-2', receipts: [excusing] }).sentBefore).toBeNull();
  });

  it('removes nothing on the device a receipt excused; the others purge by it', () => {
    const excusing = { ...receipt, excused: [{ dev: 'box-2' }] };
    const input = { ...common, profile: 'room' as const, states: baseStates, outbox: [] };
    expect(purgePlan({ ...input, deviceId: 'box-2', receipts: [excusing] }).remove).toEqual([]);
    expect(
      purgePlan({ ...input, deviceId: 'box-1', receipts: [excusing] }).remove.length,
    ).toBeGreaterThan(0);
  });

  it('removes the day’s visits, queue and notes; reception keeps the identities it searches', () => {
    const plan = purgePlan({
      ...common,
      profile: 'reception',
      receipts: [receipt],
      states: baseStates,
      outbox: [],
    });
    const removed = new Set(plan.remove.map((r) => r.id));
    for (const id of dayVisits) expect(removed.has(id)).toBe(true);
    for (const c of dayConsultations) expect(removed.has(c.id)).toBe(true);
    expect(plan.remove.some((r) => r.e === 'patient')).toBe(false);
    expect(plan.remove.some((r) => r.e === 'stop' || r.e === 'rosterSlot')).toBe(false);
  });

  it('removes a patient only when nothing kept still names them', () => {
    const plan = purgePlan({
      ...common,
      profile: 'room',
      receipts: [receipt],
      states: baseStates,
      outbox: [],
    });
    const removedPatients = new Set(plan.remove.filter((r) => r.e === 'patient').map((r) => r.id));
    const stillUsed = plan.kept.filter((k) => k.why === 'still_used').map((k) => k.id);
    expect(removedPatients.size + stillUsed.length).toBe(
      new Set(dayConsultations.map((c) => c.patientId)).size,
    );
    // A patient seen at another stop too (returning) is kept for that day's rows.
    const seenElsewhere = dayConsultations
      .map((c) => c.patientId)
      .filter((p) => data.visit.some((v) => v.patientId === p && v.stopId !== pastStop.id));
    for (const p of seenElsewhere) expect(removedPatients.has(p)).toBe(false);
  });

  it('removes an identity’s history with the identity, not while the identity stays', () => {
    const history = (id: string, patientId: string) => ({
      ...edit('identityChange', id, '*', {
        orgId: org,
        patientId,
        at: `${TODAY}T09:00:00Z`,
        staffId: 'someone',
        kind: 'correction',
        changes: [{ field: 'birthName', before: 'AVANT', after: 'APRÈS' }],
        otherPatientId: null,
      }),
      k: 'ins' as const,
      base: undefined,
    });
    // One patient of the day seen nowhere else (their rows at other stops left out here), and
    // one still named by a kept row.
    const gone = dayConsultations[0]!.patientId;
    const namesGoneElsewhere = (st: RowState) => {
      const row = materialise(st, registry);
      return row.patientId === gone && row.stopId !== pastStop.id;
    };
    const states = baseStates.filter((st) => !namesGoneElsewhere(st));
    const first = purgePlan({
      ...common,
      profile: 'room',
      receipts: [receipt],
      states,
      outbox: [],
    });
    expect(first.remove).toContainEqual({ e: 'patient', id: gone });
    const kept = first.kept.find((k) => k.e === 'patient' && k.why === 'still_used');
    if (!kept) throw new Error('the demo data has a returning patient');
    const ops = [history('h-gone', gone), history('h-kept', kept.id)];
    const plan = purgePlan({
      ...common,
      profile: 'room',
      receipts: [receipt],
      states: statesOf(ops, states),
      outbox: [],
    });
    expect(plan.remove).toContainEqual({ e: 'identityChange', id: 'h-gone' });
    expect(plan.remove.some((r) => r.id === 'h-kept')).toBe(false);
  });

  it('removes a patient’s clinical summary with the patient; a summary row never keeps them, an unsent one stays', () => {
    const gone = dayConsultations[0]!.patientId;
    const namesGoneElsewhere = (st: RowState) => {
      const row = materialise(st, registry);
      return row.patientId === gone && row.stopId !== pastStop.id;
    };
    const states = baseStates.filter((st) => !namesGoneElsewhere(st));
    const allergy = (id: string) =>
      Object.entries({
        orgId: org,
        patientId: gone,
        recordedAt: `${TODAY}T09:00:00.000Z`,
        recordedBy: 'someone',
        consultationId: null,
        kind: 'allergy',
        substance: 'Pénicilline',
        category: 'medication',
        reaction: 'anaphylaxis',
        severity: 'severe',
        note: null,
      }).map(([f, v]) => edit('allergy', id, f, v));
    const plan = purgePlan({
      ...common,
      profile: 'room',
      receipts: [receipt],
      states: statesOf([...allergy('a-sent'), ...allergy('a-unsent')], states),
      outbox: [{ e: 'allergy', id: 'a-unsent' }],
    });
    expect(plan.remove).toContainEqual({ e: 'patient', id: gone });
    expect(plan.remove).toContainEqual({ e: 'allergy', id: 'a-sent' });
    expect(plan.remove.some((r) => r.id === 'a-unsent')).toBe(false);
  });

  it('keeps a row with an op still in the outbox', () => {
    const c = dayConsultations[0]!;
    const plan = purgePlan({
      ...common,
      profile: 'room',
      receipts: [receipt],
      states: baseStates,
      outbox: [{ e: 'consultation', id: c.id }],
    });
    expect(plan.remove.some((r) => r.id === c.id)).toBe(false);
    expect(plan.kept).toContainEqual({ e: 'consultation', id: c.id, why: 'unsynced' });
  });

  it('keeps a row changed since the receipt, and a row the receipt did not list', () => {
    const c = dayConsultations[0]!;
    const later = { ...data.addendum[0], id: 'add-late', consultationId: c.id };
    const ops = [
      edit('consultation', c.id, 'plan', 'Complément après le reçu'),
      { ...edit('addendum', 'add-late', '*', later), f: '*', k: 'ins' as const, base: undefined },
    ];
    const states = statesOf(ops, baseStates);
    const plan = purgePlan({ ...common, profile: 'room', receipts: [receipt], states, outbox: [] });
    expect(plan.kept).toContainEqual({ e: 'consultation', id: c.id, why: 'changed' });
    expect(plan.kept).toContainEqual({ e: 'addendum', id: 'add-late', why: 'not_in_receipt' });
    expect(plan.remove.some((r) => r.id === c.id || r.id === 'add-late')).toBe(false);
  });

  it('never removes an unsynced or changed row, nor anything without a matching receipt (property)', () => {
    const candidates = dayStates(baseStates, pastStop.id, registry).filter((s) =>
      ['visit', 'queueEntry', 'consultation'].includes(s.e),
    );
    fc.assert(
      fc.property(
        fc.subarray(candidates),
        fc.subarray(dayConsultations.map((c) => c.id)),
        fc.boolean(),
        fc.constantFrom('display', 'reception', 'room', 'coordination'),
        (unsynced, changedIds, withReceipt, profile) => {
          const states = statesOf(
            changedIds.map((id) => edit('consultation', id, 'assessment', `modifié ${id}`)),
            baseStates,
          );
          const plan = purgePlan({
            ...common,
            profile: profile as 'room',
            receipts: withReceipt ? [receipt] : [],
            states,
            outbox: unsynced.map((s) => ({ e: s.e, id: s.id })),
          });
          if (!withReceipt) return plan.remove.length === 0;
          const byKey = new Map(states.map((s) => [`${s.e}/${s.id}`, s]));
          const listed = new Map(receipt.rows.map((r) => [`${r.e}/${r.id}`, r.h]));
          return plan.remove.every((r) => {
            const key = `${r.e}/${r.id}`;
            const st = byKey.get(key)!;
            return (
              !unsynced.some((u) => u.e === r.e && u.id === r.id) &&
              !changedIds.includes(r.id) &&
              listed.get(key) === rowHash(st)
            );
          });
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('ending the queue at the end of the day', () => {
  it('gives waiting and called patients the chosen end, and finishes a patient still in a room', () => {
    expect(endOfDayStatus({ status: 'waiting', epoch: 0, rank: 0 }, 'leave')).toEqual({
      status: 'left',
      epoch: 0,
      rank: 3,
    });
    expect(endOfDayStatus({ status: 'called', epoch: 1, rank: 1 }, 'cancel')).toEqual({
      status: 'cancelled',
      epoch: 1,
      rank: 3,
    });
    expect(endOfDayStatus({ status: 'in_consultation', epoch: 0, rank: 2 }, 'leave')).toEqual({
      status: 'done',
      epoch: 0,
      rank: 4,
    });
    expect(endOfDayStatus({ status: 'done', epoch: 0, rank: 4 }, 'leave')).toBeNull();
  });
});

describe('the closure’s coverage of the truck', () => {
  const window = dayWindow(TODAY);
  const device = (deviceId: string, over: Partial<TruckDevice> = {}): TruckDevice => ({
    deviceId,
    name: `Appareil ${deviceId}`,
    profile: 'room',
    roomId: 'salle-1',
    enrolledAt: window.from,
    revoked: false,
    ...over,
  });

  it('asks every enrolled device that could have worked, not relays, displays, withdrawn or later ones', () => {
    const list = [
      device('box1'),
      device('accueil', { profile: 'reception', roomId: null }),
      device('relais', { profile: 'relay' }),
      device('ecran', { profile: 'display' }),
      device('perdu', { revoked: true }),
      device('demain', { enrolledAt: window.to }),
    ];
    expect(devicesToCover(list, window).map((d) => d.deviceId)).toEqual(['box1', 'accueil']);
  });

  const closure: ClosureRecord = { stopId: 's1', startedAt: 1000, excused: [] };
  const fresh = (digest: string, over: Partial<HeardReport> = {}): HeardReport => ({
    pending: 0,
    lastSyncAt: 2000,
    day: { stopId: 's1', startedAt: 1000, digest },
    ...over,
  });
  const central = () => 'd'.repeat(64);

  it('passes a device that reported the same day since the closure began, with nothing pending', () => {
    const v = coverageVerdict({
      closure,
      required: [device('box1')],
      reports: new Map([['box1', fresh('d'.repeat(64))]]),
      centralDigest: central,
    });
    expect(v.ok).toBe(true);
    expect(v.devices[0]).toMatchObject({ state: 'reported', name: 'Appareil box1' });
  });

  it('holds back a device never heard, heard before the closure, with pending changes or another day', () => {
    const cases: [HeardReport | undefined, string][] = [
      [undefined, 'never_heard'],
      [fresh('d'.repeat(64), { day: null }), 'before_closure'],
      [
        fresh('d'.repeat(64), { day: { stopId: 's1', startedAt: 999, digest: 'd' } }),
        'before_closure',
      ],
      [fresh('d'.repeat(64), { pending: 123 }), 'pending'],
      [fresh('0'.repeat(64)), 'digest_differs'],
    ];
    for (const [report, state] of cases) {
      const v = coverageVerdict({
        closure,
        required: [device('box2')],
        reports: new Map(report ? [['box2', report]] : []),
        centralDigest: central,
      });
      expect(v.ok).toBe(false);
      expect(v.devices[0]!.state).toBe(state);
    }
  });

  it('lets an excused device through, named with its reason; nothing passes before the closure began', () => {
    const excused = coverageVerdict({
      closure: { ...closure, excused: [{ deviceId: 'box2', reason: 'Batterie vide', at: 1500 }] },
      required: [device('box2')],
      reports: new Map([['box2', fresh('d'.repeat(64), { pending: 123, day: null })]]),
      centralDigest: central,
    });
    expect(excused.ok).toBe(true);
    expect(excused.devices[0]).toMatchObject({
      state: 'excused',
      name: 'Appareil box2',
      pending: 123,
      excuse: { reason: 'Batterie vide' },
    });
    expect(
      coverageVerdict({ closure: null, required: [], reports: new Map(), centralDigest: central })
        .ok,
    ).toBe(false);
  });

  it('is never granted while a device not excused is stale, has pending changes or another digest (property)', () => {
    const report = fc.option(
      fc.record({
        pending: fc.nat(5),
        lastSyncAt: fc.nat(5000),
        day: fc.option(
          fc.record({
            stopId: fc.constantFrom('s1', 's2'),
            startedAt: fc.constantFrom(999, 1000, 1001),
            digest: fc.constantFrom('a', 'b'),
          }),
        ),
      }),
      { nil: undefined },
    );
    fc.assert(
      fc.property(
        fc.array(fc.record({ report, excused: fc.boolean(), digest: fc.constantFrom('a', 'b') }), {
          maxLength: 6,
        }),
        (rows) => {
          const required = rows.map((_, i) => device(`d${i}`));
          const reports = new Map<string, HeardReport>();
          rows.forEach((r, i) => {
            if (r.report) reports.set(`d${i}`, r.report);
          });
          const v = coverageVerdict({
            closure: {
              ...closure,
              excused: rows.flatMap((r, i) =>
                r.excused ? [{ deviceId: `d${i}`, reason: 'motif', at: 1 }] : [],
              ),
            },
            required,
            reports,
            centralDigest: (d) => rows[Number(d.deviceId.slice(1))]!.digest,
          });
          const blocked = rows.some(({ report, excused, digest }) => {
            if (excused) return false;
            const day = report?.day;
            if (!report || !day) return true;
            const current = day.stopId === 's1' && day.startedAt === 1000;
            return !current || report.pending > 0 || day.digest !== digest;
          });
          expect(v.ok).toBe(!blocked);
          expect(v.devices.map((d) => d.name)).toEqual(required.map((d) => d.name));
        },
      ),
    );
  });

  it('calls a report stale after five minutes of silence, and a device never heard stale', () => {
    expect(isStale(1000, 1000 + STALE_AFTER_MS)).toBe(false);
    expect(isStale(1000, 1001 + STALE_AFTER_MS)).toBe(true);
    expect(isStale(null, 0)).toBe(true);
  });
});

describe('a closed day reopened', () => {
  const proof = dayProof(baseStates, pastStop.id, registry);

  it('finds nothing changed while the day is as the receipt listed it, the stop’s own row aside', () => {
    expect(changedSinceReceipt({ rows: proof.rows }, proof)).toEqual([]);
    const closed = statesOf([edit('stop', pastStop.id, 'status', 'closed')], baseStates);
    expect(
      changedSinceReceipt({ rows: proof.rows }, dayProof(closed, pastStop.id, registry)),
    ).toEqual([]);
  });

  it('finds a row changed or added after the receipt, and the checklist blocks on it', () => {
    const c = data.consultation.find((x) => x.stopId === pastStop.id)!;
    const later = statesOf([edit('consultation', c.id, 'plan', 'Ajout tardif')], baseStates);
    const changed = changedSinceReceipt(
      { rows: proof.rows },
      dayProof(later, pastStop.id, registry),
    );
    expect(changed.map((r) => [r.e, r.id])).toEqual([['consultation', c.id]]);
    const stop = data.stop.find((s) => s.id === pastStop.id)!;
    const checklist = closureChecklist({
      stop,
      patients: [],
      appointments: [],
      visits: [],
      entries: [],
      consultations: [],
      devices: [],
      changedSinceReceipt: changed,
    });
    expect(checklist.blocking).toEqual(['reopened']);
  });
});

describe('appointments not yet due at the closure', () => {
  const stop = { id: 'stop', date: '2026-11-30' };
  const appt = (id: string, time: string, over: Partial<Appointment> = {}): Appointment => ({
    id,
    orgId: 'org',
    patientId: `p-${id}`,
    stopId: 'stop',
    serviceId: 'mg',
    time,
    durationMin: 20,
    status: 'booked',
    note: null,
    createdAt: '2026-11-01T08:00:00.000Z',
    _deleted: false,
    ...over,
  });

  it('names the booked appointments whose hour (Paris) has not come, in time order', () => {
    const rows = [
      appt('late', '14:30'),
      appt('early', '08:40'),
      appt('afternoon', '14:00'),
      appt('gone', '15:00', { status: 'no_show' }),
      appt('elsewhere', '16:00', { stopId: 'other' }),
      appt('deleted', '16:30', { _deleted: true }),
    ];
    // 09:08 in Paris.
    const now = zonedIso(stop.date, '09:08');
    expect(bookedNotYetDue(rows, stop, now).map((a) => a.id)).toEqual(['afternoon', 'late']);
    expect(bookedNotYetDue(rows, stop, zonedIso(stop.date, '17:00'))).toEqual([]);
  });

  it('splits booked appointments at now: every one not yet due is after now, every other not', () => {
    const time = fc
      .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
      .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
    fc.assert(
      fc.property(fc.array(time, { maxLength: 12 }), time, (times, at) => {
        const rows = times.map((t, i) => appt(`a${i}`, t));
        const now = zonedIso(stop.date, at);
        const due = new Set(bookedNotYetDue(rows, stop, now).map((a) => a.id));
        for (const a of rows) expect(due.has(a.id)).toBe(a.time > at);
      }),
    );
  });
});
