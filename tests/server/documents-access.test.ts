// The documents of a consultation on the server (issue #16 item 1), over real HTTP with SQLite: a
// room records a printed document in the signed-in person's name only, the coordination and the
// rooms receive the record, reception and the waiting-room screen never; certificate templates are
// the coordination's to write and reach the rooms; a refused batch stores nothing.
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import { buildDemoDataset } from '../../src/server/seed/demo';
import { rowsToOps } from '../../src/server/seed/ops';
import { createClock, tick } from '../../src/sync/hlc';
import type { Op } from '../../src/sync/op';
import { PROTOCOL_VERSION, type SyncResponse } from '../../src/sync/protocol';
import { type Enrolled, enrol, signIn } from '../support/auth';
import { startTestServer, type TestServer } from '../support/server';

const TODAY = '2026-12-04';
const demo = buildDemoDataset({ today: TODAY });
const org = demo.data.organisation[0]!.id;
const coordinator = demo.data.staff.find((s) => s.roles.includes('coordinateur'))!;
const note = demo.data.consultation.find((c) => c.confidentiality === 'standard')!;
const author = demo.data.staff.find((s) => s.id === note.authorId)!;
const [box1, box2] = demo.data.room;

let server: TestServer;
const sequences = new Map<string, number>();

async function sync(device: Enrolled, ops: Op[], since = 0) {
  const res = await fetch(`${server.url}/api/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...device.headers },
    body: JSON.stringify({
      protocol: PROTOCOL_VERSION,
      schema: SCHEMA_VERSION,
      org: device.org,
      deviceId: device.deviceId,
      since,
      ops,
    }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function pullAll(device: Enrolled): Promise<Op[]> {
  const ops: Op[] = [];
  let since = 0;
  for (;;) {
    const page = (await sync(device, [], since)).body as unknown as SyncResponse;
    ops.push(...page.ops.map((x) => x.op));
    since = page.lastSeq;
    if (!page.hasMore) return ops;
  }
}

function nextOp(device: Enrolled, user: string, op: Pick<Op, 'e' | 'id' | 'f' | 'k' | 'val'>): Op {
  const seq = (sequences.get(device.deviceId) ?? 0) + 1;
  sequences.set(device.deviceId, seq);
  const t = tick(createClock(device.deviceId), Date.now() + seq);
  return { v: SCHEMA_VERSION, org, dev: device.deviceId, seq, hlc: t.hlc, user, base: [], ...op };
}

/** The insert of a printed document of one of the demo's notes. */
function printOp(device: Enrolled, user: string, staffId = user): Op {
  return nextOp(device, user, {
    e: 'printedDocument',
    id: uuidv7(),
    f: '*',
    k: 'ins',
    val: {
      orgId: org,
      consultationId: note.id,
      patientId: note.patientId,
      kind: 'compte_rendu',
      templateId: null,
      staffId,
      at: `${TODAY}T10:00:00.000Z`,
      format: 'pdf',
      pendingValidation: true,
    },
  });
}

function templateOps(device: Enrolled, user: string): { id: string; ops: Op[] } {
  const id = uuidv7();
  const fields = {
    orgId: org,
    title: 'Crèche',
    body: '{patient} peut aller en crèche.',
    active: true,
  };
  return {
    id,
    ops: Object.entries(fields).map(([f, val]) =>
      nextOp(device, user, { e: 'documentTemplate', id, f, k: 'set', val }),
    ),
  };
}

beforeAll(async () => {
  server = await startTestServer();
  await server.store.push(org, rowsToOps(org, 'seed', demo.data));
});
afterAll(() => server.close());

describe('documents on the server', () => {
  it('a room records a print in its person’s name; the coordination and the rooms receive it, reception and the display never', async () => {
    const room = await enrol(server, 'box-1-docs', { org, profile: 'room', roomId: box1!.id });
    await signIn(server, room, author.id);
    const op = printOp(room, author.id);
    expect((await sync(room, [op])).status).toBe(200);
    const coordination = await enrol(server, 'coord-docs', { org, profile: 'coordination' });
    const other = await enrol(server, 'box-2-docs', { org, profile: 'room', roomId: box2!.id });
    // A room device receives what the people signed in on it may read (src/domain/reading.ts).
    await signIn(server, other, author.id);
    for (const reader of [coordination, other]) {
      const pulled = await pullAll(reader);
      expect(pulled.filter((o) => o.e === 'printedDocument').map((o) => o.id)).toEqual([op.id]);
    }
    const reception = await enrol(server, 'tab-docs', { org, profile: 'reception' });
    const display = await enrol(server, 'display-docs', { org, profile: 'display' });
    for (const reader of [reception, display]) {
      const pulled = await pullAll(reader);
      expect(pulled.length).toBeGreaterThan(0);
      expect(pulled.some((o) => o.e === 'printedDocument' || o.e === 'documentTemplate')).toBe(
        false,
      );
    }
  });

  it('a print recorded in another person’s name is refused whole, nothing stored', async () => {
    const room = await enrol(server, 'box-1-forged-doc', {
      org,
      profile: 'room',
      roomId: box1!.id,
    });
    await signIn(server, room, author.id);
    const before = await server.store.lastSeq(org);
    const refused = await sync(room, [
      printOp(room, author.id),
      printOp(room, author.id, coordinator.id),
    ]);
    expect(refused.status).toBe(403);
    expect(String(refused.body.message)).toContain(
      'Un document imprimé est enregistré au nom de la personne identifiée sur l’appareil.',
    );
    expect(await server.store.lastSeq(org)).toBe(before);
  });

  it('reception may not record a print', async () => {
    const reception = await enrol(server, 'tab-print', { org, profile: 'reception' });
    await signIn(server, reception, coordinator.id);
    const refused = await sync(reception, [printOp(reception, coordinator.id)]);
    expect(refused.status).toBe(403);
    expect(String(refused.body.message)).toMatch(/\(printedDocument\)/);
  });

  it('certificate templates: the coordination writes them and the rooms receive them; a room may not', async () => {
    const room = await enrol(server, 'box-1-tpl', { org, profile: 'room', roomId: box1!.id });
    await signIn(server, room, author.id);
    const before = await server.store.lastSeq(org);
    const refused = await sync(room, templateOps(room, author.id).ops);
    expect(refused.status).toBe(403);
    expect(String(refused.body.message)).toMatch(/\(documentTemplate\)/);
    expect(await server.store.lastSeq(org)).toBe(before);

    const coordination = await enrol(server, 'coord-tpl', { org, profile: 'coordination' });
    await signIn(server, coordination, coordinator.id);
    const { id, ops } = templateOps(coordination, coordinator.id);
    expect((await sync(coordination, ops)).status).toBe(200);
    const pulled = await pullAll(room);
    expect(
      pulled
        .filter((o) => o.e === 'documentTemplate' && o.id === id)
        .map((o) => o.f)
        .sort(),
    ).toEqual(['active', 'body', 'orgId', 'title']);
  });
});
