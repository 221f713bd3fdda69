// A room's snapshot (issue #18 item 3, docs/decisions/0026-snapshots.md), over real HTTP on SQLite
// and PostgreSQL: it is what the room's own pull from 0 gives it — its scope of patients, what
// its readers may read, never another room's restricted note (not a byte of it) — and the pull
// after S carries on from it as from a replay: a patient entering the scope arrives whole, a note
// left out arrives once its readers may read it. Same digests as a device that replayed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consultation, Patient } from '../../src/domain/entities';
import { entitySpec, SCHEMA_VERSION } from '../../src/domain/entities';
import { snapshotCaches } from '../../src/server/routes/snapshot';
import { buildDemoDataset } from '../../src/server/seed/demo';
import { rowsToOps } from '../../src/server/seed/ops';
import { digestRows } from '../../src/sync/digest';
import { applyOp, type RowState } from '../../src/sync/merge';
import type { Op } from '../../src/sync/op';
import { PROTOCOL_VERSION, type SyncResponse } from '../../src/sync/protocol';
import { bodiesOf, entityStates, type SnapshotManifest } from '../../src/sync/snapshot';
import { type Enrolled, enrol, signIn } from '../support/auth';
import { startTestServer, type TestServer } from '../support/server';

// The server's clock is the real one: the demo's day is today, so the room's scope is not empty.
const TODAY = new Date().toISOString().slice(0, 10);
const HOUR = 3_600_000;
const SECRET = 'MARQUEUR-NOTE-SOCIALE-SALLE-2';

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`a room’s snapshot (${kind})`, () => {
    const demo = buildDemoDataset({ today: TODAY });
    const org = demo.data.organisation[0]!.id;
    const staff = (p: string) => demo.data.staff.find((s) => s.profession === p)!;
    // The author of the first note (an intern, the demo's notes are theirs).
    const gp = demo.data.staff.find((s) => s.id === demo.data.consultation[0]!.authorId)!;
    const midwife = staff('sage_femme');
    const receptionist = staff('accueil');
    const [box1, box2] = demo.data.room;
    const nextStop = demo.data.stop.find((s) => s.date > TODAY)!;
    const mine = demo.data.consultation.find((c) => c.authorId === gp.id)!;
    // Another clinician's note on a patient who objects to sharing: left out of the room.
    const objected = demo.data.consultation.find(
      (c) => c.authorId !== gp.id && c.authorId !== midwife.id && c.patientId !== mine.patientId,
    )!;
    // The GP's own social note, held in room 2: another room's restricted note for room 1.
    const secret: Consultation = {
      ...mine,
      id: 'note-sociale-salle-2',
      confidentiality: 'social',
      roomId: box2!.id,
      subjective: SECRET,
    } as Consultation;
    let server: TestServer;

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

    /** Every page from `since` (view echoed, small pages), as a device pulls them. */
    async function pull(device: Enrolled, since: number, view?: string) {
      const ops: Op[] = [];
      let at = since;
      let token = view;
      let reset = false;
      for (;;) {
        const body = await sync(device, {
          since: at,
          maxBytes: 16_384,
          digest: true,
          ...(token ? { view: token } : {}),
        });
        if (body.reset) {
          reset = true;
          ops.length = 0;
        }
        ops.push(...body.ops.map((x) => x.op));
        at = body.lastSeq;
        token = body.view;
        if (!body.hasMore) return { ops, lastSeq: at, view: token, reset, digest: body.digest! };
      }
    }

    /** The manifest and the decompressed chunks of the device's snapshot. */
    async function snapshot(device: Enrolled) {
      const res = await fetch(`${server.url}/api/sync/snapshot?day=${TODAY}`, {
        headers: device.headers,
      });
      expect(res.status).toBe(200);
      const manifest = (await res.json()) as SnapshotManifest;
      const texts: string[] = [];
      for (let i = 0; i < manifest.chunks.length; i++) {
        const chunk = await fetch(`${server.url}/api/sync/snapshot/${manifest.id}/${i}`, {
          headers: { ...device.headers, 'accept-encoding': 'br' },
        });
        expect(chunk.status).toBe(200);
        // fetch undoes the brotli the server sent.
        texts.push(await chunk.text());
      }
      const states = new Map<string, RowState>();
      for (const body of bodiesOf(texts, manifest)) {
        for (const e of body.entities) {
          for (const st of entityStates(e)) states.set(`${st.e}\u0000${st.id}`, st);
        }
      }
      return { manifest, texts, states };
    }

    function apply(states: Map<string, RowState>, ops: readonly Op[]) {
      for (const op of ops) {
        const key = `${op.e}\u0000${op.id}`;
        states.set(key, applyOp(states.get(key), op, entitySpec));
      }
      return states;
    }
    const digestOf = (states: Map<string, RowState>) => digestRows([...states.values()]);

    async function room(name: string) {
      const device = await enrol(server, name, { org, profile: 'room', roomId: box1!.id });
      await signIn(server, device, gp.id, midwife.id);
      return device;
    }

    const objection = (id: string, objects: boolean, at: number) => ({
      id,
      orgId: org,
      patientId: objected.patientId,
      staffId: receptionist.id,
      at: new Date(at).toISOString(),
      objects,
    });

    beforeAll(async () => {
      server = await startTestServer({ store: kind, snapshotChunkBytes: 16 * 1024 });
      await server.store.push(org, rowsToOps(org, 'seed', demo.data, Date.now() - 48 * HOUR));
      await server.store.push(
        org,
        rowsToOps(
          org,
          'morning',
          {
            consultation: [secret],
            sharingObjection: [objection('objection-1', true, Date.now() - 3 * HOUR)],
          } as never,
          Date.now() - 3 * HOUR,
        ),
      );
    }, 180_000);
    afterAll(() => server.close(), 120_000);

    it('is what the room’s pull gives it, then carries on as a replay does', async () => {
      const fresh = await room('snap-room-fresh');
      const twin = await room('snap-room-twin');
      const snap = await snapshot(fresh);
      const replay = await pull(twin, 0);
      expect(snap.manifest.seq).toBe(replay.lastSeq);
      expect(typeof snap.manifest.view).toBe('string');
      const held = snap.states;
      const replayed = apply(new Map(), replay.ops);
      expect(digestOf(held)).toBe(replay.digest);
      expect(digestOf(held)).toBe(digestOf(replayed));
      // Its scope, not the registry; the day's notes it may read, not those it may not.
      const patients = [...held.keys()].filter((k) => k.startsWith('patient\u0000'));
      expect(patients.length).toBeGreaterThan(0);
      expect(patients.length).toBeLessThan(demo.data.patient.length);
      expect(held.has(`consultation\u0000${mine.id}`)).toBe(true);
      expect(held.has(`consultation\u0000${objected.id}`)).toBe(false);
      // Another room's restricted note: not its row, not a byte of its text.
      expect(held.has(`consultation\u0000${secret.id}`)).toBe(false);
      expect(snap.texts.some((t) => t.includes(SECRET) || t.includes(secret.id))).toBe(false);

      // A patient outside the scope is booked for the next stop: both pull after their S.
      const outsider = demo.data.patient.find((p) => !held.has(`patient\u0000${p.id}`))!;
      const appointment = {
        ...demo.data.appointment[0]!,
        id: 'appointment-entering',
        patientId: outsider.id,
        stopId: nextStop.id,
      };
      await server.store.push(org, rowsToOps(org, 'booking', { appointment: [appointment] }));
      const next = await pull(fresh, snap.manifest.seq, snap.manifest.view);
      expect(next.reset).toBe(false);
      apply(held, next.ops);
      const twinNext = await pull(twin, replay.lastSeq, replay.view);
      apply(replayed, twinNext.ops);
      const row = held.get(`patient\u0000${outsider.id}`);
      expect(row).toBeDefined();
      expect(digestOf(held)).toBe(next.digest);
      expect(digestOf(held)).toBe(digestOf(replayed));

      // The patient withdraws the objection: the note left out reaches the room, whole.
      await server.store.push(
        org,
        rowsToOps(org, 'withdrawal', {
          sharingObjection: [objection('objection-2', false, Date.now() + 1000)],
        } as never),
      );
      const after = await pull(fresh, next.lastSeq, next.view);
      expect(after.reset).toBe(true);
      const again = apply(held, after.ops);
      const twinAfter = await pull(twin, twinNext.lastSeq, twinNext.view);
      apply(replayed, twinAfter.ops);
      expect(again.has(`consultation\u0000${objected.id}`)).toBe(true);
      expect(again.has(`consultation\u0000${secret.id}`)).toBe(false);
      expect(digestOf(again)).toBe(after.digest);
      expect(digestOf(again)).toBe(digestOf(replayed));
    }, 120_000);

    it('is the device’s own: another room device with other readers gets its own cut', async () => {
      const social = await enrol(server, 'snap-room-social', {
        org,
        profile: 'room',
        roomId: box1!.id,
      });
      await signIn(server, social, staff('assistante_sociale').id);
      const { states, manifest } = await snapshot(social);
      const replay = await pull(social, 0);
      expect(digestOf(states)).toBe(replay.digest);
      expect(manifest.seq).toBe(replay.lastSeq);
      // The social worker reads no note of the GP's as a note.
      expect(states.has(`consultation\u0000${mine.id}`)).toBe(false);
    });

    it('is made again when the log moved (never reused across a move), and never folded from a previous one', async () => {
      const cache = snapshotCaches.get(server.store)!;
      const device = await room('snap-room-again');
      const first = await snapshot(device);
      const before = { ...cache.stats };
      const same = await snapshot(device);
      expect(same.manifest.id).toBe(first.manifest.id);
      expect(cache.stats).toEqual(before);
      await server.store.push(
        org,
        rowsToOps(org, 'later', {
          patient: [{ ...demo.data.patient[0]!, phone: '0611223344' } as Patient],
        }),
      );
      const moved = await snapshot(device);
      expect(moved.manifest.seq).toBeGreaterThan(first.manifest.seq);
      expect(cache.stats).toEqual({ full: before.full + 1, incremental: before.incremental });
    });
  });
}
