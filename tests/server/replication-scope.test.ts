// Partial replication by profile (issue #18 item 4, src/domain/replication-scope.ts), over real
// HTTP on SQLite and PostgreSQL: a room laptop receives the patients of the days in progress and
// to come, not the registry; a patient checked in or booked later reaches it whole (the name and
// birth date reception wrote hours before); reception still receives every patient; the room's
// digest is of what it holds; a device moved to another profile pulls its new view from 0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Patient } from '../../src/domain/entities';
import { entitySpec, SCHEMA_VERSION } from '../../src/domain/entities';
import { buildDemoDataset } from '../../src/server/seed/demo';
import { rowsToOps } from '../../src/server/seed/ops';
import { digestRows } from '../../src/sync/digest';
import { applyOp, materialise, type RowState } from '../../src/sync/merge';
import type { Op } from '../../src/sync/op';
import { PROTOCOL_VERSION, type SyncResponse } from '../../src/sync/protocol';
import { type Enrolled, enrol, signIn } from '../support/auth';
import { startTestServer, type TestServer } from '../support/server';

// The server's clock is the real one: the demo's day is today, its next stops are to come.
const TODAY = new Date().toISOString().slice(0, 10);
const HOUR = 3_600_000;

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`what a room holds of the registry (${kind})`, () => {
    const demo = buildDemoDataset({ today: TODAY });
    const org = demo.data.organisation[0]!.id;
    const todayStop = demo.data.stop.find((s) => s.date === TODAY)!;
    const nextStop = demo.data.stop.find((s) => s.date > TODAY)!;
    const gp = demo.data.staff.find((s) => s.profession === 'medecin')!;
    const [box1, box2] = demo.data.room;
    let server: TestServer;
    let coordination: Enrolled;

    /** The patients of stops whose day is not over, by their visits and appointments. */
    const inWindow = new Set(demo.data.stop.filter((s) => s.date >= TODAY).map((s) => s.id));
    const expected = new Set(
      [...demo.data.visit, ...demo.data.appointment]
        .filter((b) => inWindow.has(b.stopId))
        .map((b) => b.patientId),
    );
    const outsider = (taken: ReadonlySet<string>) =>
      demo.data.patient.find((p) => !expected.has(p.id) && !taken.has(p.id))!;

    async function sync(device: Enrolled, body: Record<string, unknown>) {
      const res = await fetch(`${server.url}/api/sync`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...device.headers },
        body: JSON.stringify({
          protocol: PROTOCOL_VERSION,
          schema: SCHEMA_VERSION,
          org,
          deviceId: device.deviceId,
          ops: [],
          ...body,
        }),
      });
      expect(res.status).toBe(200);
      return (await res.json()) as SyncResponse;
    }

    /** Every page from `since`, as a device pulls them (view echoed, small pages). */
    async function pull(device: Enrolled, since = 0, view?: string, maxBytes = 16_384) {
      const ops: Op[] = [];
      let at = since;
      let token = view;
      let reset = false;
      let digest: string | undefined;
      for (;;) {
        const body = await sync(device, {
          since: at,
          maxBytes,
          digest: true,
          ...(token ? { view: token } : {}),
        });
        reset ||= body.reset === true;
        ops.push(...body.ops.map((x) => x.op));
        at = body.lastSeq;
        token = body.view;
        if (!body.hasMore) {
          digest = body.digest;
          return { ops, lastSeq: at, view: token, reset, digest };
        }
      }
    }

    const patientsIn = (ops: readonly Op[]) =>
      new Set(ops.filter((op) => op.e === 'patient').map((op) => op.id));

    /** What a device holds after applying these ops, as its merge states. */
    function statesOf(ops: readonly Op[], into = new Map<string, RowState>()) {
      for (const op of ops) {
        const key = `${op.e}\u0000${op.id}`;
        into.set(key, applyOp(into.get(key), op, entitySpec));
      }
      return into;
    }

    beforeAll(async () => {
      server = await startTestServer({ store: kind });
      await server.store.push(org, rowsToOps(org, 'seed', demo.data, Date.now() - 48 * HOUR));
      coordination = await enrol(server, 'scope-coordination', { org, profile: 'coordination' });
    });
    afterAll(() => server.close());

    it('gives a room the patients of the day and of the bookings to come, not the registry', async () => {
      expect(expected.size).toBeGreaterThan(0);
      expect(demo.data.patient.length).toBeGreaterThan(expected.size);
      const room = await enrol(server, 'scope-room-1', { org, profile: 'room', roomId: box1!.id });
      await signIn(server, room, gp.id);
      const { ops, digest } = await pull(room);
      expect(patientsIn(ops)).toEqual(expected);
      // Its whole-state digest is of what it holds: the rows it received, its patients only.
      expect(digestRows([...statesOf(ops).values()])).toBe(digest);
      // The day's flow still reaches it whole: every visit, queue entry and appointment.
      for (const e of ['visit', 'queueEntry', 'appointment'] as const) {
        expect(new Set(ops.filter((op) => op.e === e).map((op) => op.id))).toEqual(
          new Set(demo.data[e].map((r) => r.id)),
        );
      }
    });

    it('still gives reception every patient of the registry', async () => {
      const reception = await enrol(server, 'scope-reception', { org, profile: 'reception' });
      const { ops } = await pull(reception);
      expect(patientsIn(ops)).toEqual(new Set(demo.data.patient.map((p) => p.id)));
    });

    it('gives a room a patient checked in later the row whole, written hours before', async () => {
      const room = await enrol(server, 'scope-room-2', { org, profile: 'room', roomId: box2!.id });
      await signIn(server, room, gp.id);
      // Reception registered a new patient in the morning: the room does not receive them.
      const newcomer = {
        ...demo.data.patient[0]!,
        id: 'patient-newcomer',
        birthName: 'DUPLESSIS',
        firstNames: 'Rose',
        birthDate: '1961-04-12',
      } as Patient;
      await server.store.push(
        org,
        rowsToOps(org, 'scope-reception-morning', { patient: [newcomer] }, Date.now() - 3 * HOUR),
      );
      const first = await pull(room);
      expect(patientsIn(first.ops).has(newcomer.id)).toBe(false);
      expect(patientsIn(first.ops).has(outsider(new Set()).id)).toBe(false);
      // She comes back at noon: checked in (a visit of today's stop and its queue entry).
      const visit = {
        ...demo.data.visit[0]!,
        id: 'visit-newcomer',
        patientId: newcomer.id,
        stopId: todayStop.id,
      };
      const entry = {
        ...demo.data.queueEntry[0]!,
        id: 'entry-newcomer',
        visitId: visit.id,
        stopId: todayStop.id,
      };
      await server.store.push(
        org,
        rowsToOps(org, 'scope-reception-noon', { visit: [visit], queueEntry: [entry] }),
      );
      const next = await pull(room, first.lastSeq, first.view);
      expect(next.reset).toBe(false);
      // The page bringing the visit brings her whole row, as reception wrote it in the morning.
      const states = statesOf(next.ops.filter((op) => op.e === 'patient' && op.id === newcomer.id));
      const row = materialise(states.get(`patient\u0000${newcomer.id}`)!, entitySpec);
      expect(row).toMatchObject({
        birthName: 'DUPLESSIS',
        firstNames: 'Rose',
        birthDate: '1961-04-12',
        sex: newcomer.sex,
      });
      expect(patientsIn(next.ops)).toEqual(new Set([newcomer.id]));
      // And the device, having applied both pulls, holds what the server says it holds.
      expect(digestRows([...statesOf(next.ops, statesOf(first.ops)).values()])).toBe(next.digest);
    });

    it('gives a room a patient booked later for the next stop, whole', async () => {
      const room = await enrol(server, 'scope-room-3', { org, profile: 'room', roomId: box1!.id });
      await signIn(server, room, gp.id);
      const first = await pull(room);
      const held = patientsIn(first.ops);
      const returning = outsider(held);
      expect(held.has(returning.id)).toBe(false);
      const appointment = {
        ...demo.data.appointment[0]!,
        id: 'appointment-later',
        patientId: returning.id,
        stopId: nextStop.id,
      };
      await server.store.push(org, rowsToOps(org, 'scope-booking', { appointment: [appointment] }));
      const next = await pull(room, first.lastSeq, first.view);
      expect(patientsIn(next.ops)).toEqual(new Set([returning.id]));
      const row = materialise(
        statesOf(next.ops).get(`patient\u0000${returning.id}`)!,
        entitySpec,
      ) as unknown as Patient;
      expect(row.birthName).toBe(returning.birthName);
      expect(row.birthDate).toBe(returning.birthDate);
      // Ops written on a patient out of scope never reach it; on one in scope they do.
      const other = outsider(new Set([...held, returning.id]));
      await server.store.push(
        org,
        rowsToOps(org, 'scope-renames', {
          patient: [
            { ...returning, phone: '0611223344' } as Patient,
            { ...other, phone: '0655667788' } as Patient,
          ],
        }),
      );
      const later = await pull(room, next.lastSeq, next.view);
      expect(patientsIn(later.ops)).toEqual(new Set([returning.id]));
    });

    it('starts a device moved to reception over, with the whole registry', async () => {
      const room = await enrol(server, 'scope-room-moved', {
        org,
        profile: 'room',
        roomId: box1!.id,
      });
      await signIn(server, room, gp.id);
      const first = await pull(room);
      expect(patientsIn(first.ops).size).toBeLessThan(demo.data.patient.length);
      const quiet = await pull(room, first.lastSeq, first.view);
      expect(quiet.reset).toBe(false);
      const res = await fetch(`${server.url}/api/devices/assignment`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...coordination.headers },
        body: JSON.stringify({ deviceId: room.deviceId, profile: 'reception' }),
      });
      expect(res.status).toBe(200);
      const moved = await pull(room, quiet.lastSeq, quiet.view);
      expect(moved.reset).toBe(true);
      expect(patientsIn(moved.ops).size).toBeGreaterThanOrEqual(demo.data.patient.length);
      // Moved back to a room: over again, on the room's view.
      const back = await fetch(`${server.url}/api/devices/assignment`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...coordination.headers },
        body: JSON.stringify({ deviceId: room.deviceId, profile: 'room', roomId: box2!.id }),
      });
      expect(back.status).toBe(200);
      const again = await pull(room, moved.lastSeq, moved.view);
      expect(again.reset).toBe(true);
      expect(patientsIn(again.ops).size).toBeLessThan(demo.data.patient.length);
    });
  });
}
