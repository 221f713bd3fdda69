// The offline morning of issue #14 on the screens (docs/decisions/0004-day-invariants.md): two
// room laptops and the reception tablet wrote incompatible facts without seeing each other. The
// coordinator reads a card naming the patient, ticket, service, rooms, devices, people and times,
// and acts through the write path; reception and the room see the effective status and a marker.
import { createHash } from 'node:crypto';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type EscaleDb, setMeta } from '../../src/device/db';
import { applyRemote, type Change, writeChanges } from '../../src/device/write';
import type { Consultation } from '../../src/domain/entities';
import { statusValue } from '../../src/domain/queue';
import type { Op } from '../../src/sync/op';
import { patientName } from '../../src/ui/day/day-data';
import { useUiStore } from '../../src/ui/state/ui-store';
import { NOW } from './fixtures';
import { freshDb, renderAt, seedDemoDay } from './support';

let db: EscaleDb;
let demo: Awaited<ReturnType<typeof seedDemoDay>>;
let seq = 10_000;
const staffId = (last: string) => demo.day.staff.find((s) => s.lastName === last)!.id;
const org = () => demo.day.stop!.orgId;
const ISO = /\d{4}-\d{2}-\d{2}T/;
/** The coordination screen reads the whole organisation: slow on a shared test machine. */
const slow = { timeout: 10_000 };

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(NOW));
  db = freshDb();
  demo = await seedDemoDay(db);
});

afterEach(() => {
  vi.useRealTimers();
  useUiStore.setState({ staffId: null });
});

/** What another device wrote on its own replica (a copy of the morning), pulled here. */
async function fromDevice(deviceId: string, userId: string, changes: Change[]): Promise<void> {
  const replica = freshDb();
  await seedDemoDay(replica);
  const ops: Op[] = await writeChanges(replica, { deviceId, org: org(), userId }, changes);
  await applyRemote(
    db,
    ops.map((op) => ({ s: ++seq, op })),
    'checkpoint:test',
  );
}

async function enrolledDevices() {
  const device = (id: string, name: string, profile: 'room' | 'reception', room: string | null) =>
    ({
      entity: 'device',
      id,
      set: {
        orgId: org(),
        name,
        profile,
        roomId: room,
        enrolledAt: NOW,
        revoked: false,
      },
    }) as Change;
  await fromDevice('coord-seed', staffId('Morvan'), [
    device('box-1', 'Portable Box 1', 'room', demo.roomId('Box 1')),
    device('box-2', 'Portable Box 2', 'room', demo.roomId('Box 2')),
    device('accueil', 'Tablette accueil', 'reception', null),
  ]);
}

/** A room takes the entry in and writes a note (signed when `signed`). */
function takeIn(
  entryId: string,
  room: string,
  author: string,
  noteId: string,
  plan: string,
  signed: boolean,
): Change[] {
  const entry = demo.day.entries.find((e) => e.id === entryId)!;
  const visit = demo.day.visits.find((v) => v.id === entry.visitId)!;
  const note: Omit<Consultation, 'id' | '_deleted'> = {
    orgId: org(),
    queueEntryId: entry.id,
    visitId: visit.id,
    patientId: visit.patientId,
    stopId: entry.stopId,
    serviceId: entry.serviceId,
    authorId: author,
    supervisorId: null,
    motif: 'Toux',
    subjective: '',
    objective: '',
    assessment: '',
    plan,
    codes: [],
    orientation: { kind: 'none' },
    confidentiality: 'standard',
    status: signed ? 'to_validate' : 'draft',
    returnComment: null,
    createdAt: NOW,
    roomId: room,
  };
  return [
    {
      entity: 'queueEntry',
      id: entry.id,
      set: {
        status: statusValue(signed ? 'done' : 'in_consultation'),
        roomId: room,
        practitionerId: author,
        startedAt: NOW,
      },
    },
    { entity: 'consultation', id: noteId, set: note },
  ];
}

const nameOf = (entryId: string) => {
  const entry = demo.day.entries.find((e) => e.id === entryId)!;
  const visit = demo.day.visits.find((v) => v.id === entry.visitId)!;
  return patientName(demo.patients.find((p) => p.id === visit.patientId)!);
};

describe('two rooms took the same patient in', () => {
  async function twoNotes() {
    await enrolledDevices();
    const id = demo.entries.waiting1.id;
    await fromDevice(
      'box-1',
      staffId('Garnier'),
      takeIn(id, demo.roomId('Box 1'), staffId('Garnier'), 'note-box-1', 'Repos', true),
    );
    await fromDevice(
      'box-2',
      staffId('Benali'),
      takeIn(id, demo.roomId('Box 2'), staffId('Benali'), 'note-box-2', 'Radio du thorax', true),
    );
  }

  it('names the patient, ticket, service, rooms, devices and people, in French', async () => {
    await twoNotes();
    renderAt('/coordination/conflits', db);
    const title = await screen.findByRole(
      'heading',
      {
        name: `Deux notes pour une seule consultation de ${nameOf(demo.entries.waiting1.id)} (ticket MG-002, Médecine générale)`,
      },
      slow,
    );
    const card = title.closest('li')!;
    expect(card).toHaveTextContent(
      /Box 1 — note signée de .*Garnier \(Portable Box 1\), le \d\d\/\d\d\/2026 \d\d:\d\d/,
    );
    expect(card).toHaveTextContent(/Box 2 — note signée de .*Benali \(Portable Box 2\)/);
    expect(card.textContent).not.toMatch(ISO);
    expect(card.textContent).not.toMatch(/note-box|queueEntry|consultation:/);
  });

  it('names the devices from the sync server’s enrolments when no device row was replicated', async () => {
    // The server's answer to GET /api/devices (names live in the devices' credentials).
    const enrolled = (deviceId: string, name: string, room: string) => ({
      deviceId,
      name,
      profile: 'room',
      roomId: demo.roomId(room),
      enrolledAt: Date.parse(NOW),
      revoked: false,
    });
    const asked: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL) => {
        asked.push(String(input));
        return new Response(
          JSON.stringify({
            org: org(),
            devices: [],
            enrolled: [
              enrolled('box-1', 'Portable du box 1', 'Box 1'),
              enrolled('box-2', 'Portable du box 2', 'Box 2'),
            ],
          }),
          { status: 200, headers: { 'content-type': 'application/json' } },
        );
      }),
    );
    try {
      await setMeta(db, 'servers', ['https://central.test']);
      const id = demo.entries.waiting1.id;
      await fromDevice(
        'box-1',
        staffId('Garnier'),
        takeIn(id, demo.roomId('Box 1'), staffId('Garnier'), 'note-box-1', 'Repos', true),
      );
      await fromDevice(
        'box-2',
        staffId('Benali'),
        takeIn(id, demo.roomId('Box 2'), staffId('Benali'), 'note-box-2', 'Radio', true),
      );
      expect(await db.rows('device').count()).toBe(0);
      renderAt('/coordination/conflits', db);
      const title = await screen.findByRole(
        'heading',
        { name: /^Deux notes pour une seule consultation de / },
        slow,
      );
      const card = title.closest('li')!;
      await waitFor(
        () => expect(card).toHaveTextContent(/Garnier \(Portable du box 1 \(Box 1\)\)/),
        slow,
      );
      expect(card).toHaveTextContent(/Benali \(Portable du box 2 \(Box 2\)\)/);
      expect(card).not.toHaveTextContent('appareil non identifié');
      expect(asked.some((u) => u.startsWith('https://central.test/api/devices'))).toBe(true);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('keeps one note, copies the other into it as an addendum, and records who did it', async () => {
    await twoNotes();
    useUiStore.setState({ staffId: staffId('Morvan') });
    const user = userEvent.setup();
    renderAt('/coordination/conflits', db);
    await user.click(
      await screen.findByRole(
        'button',
        { name: /^Garder la note de .*Garnier \(Box 1\) ; l’autre devient un addendum$/ },
        slow,
      ),
    );
    expect(
      await screen.findByText('Aucune contradiction ouverte dans la journée.', {}, slow),
    ).toBeInTheDocument();
    const [addendum] = await db.rows('addendum').toArray();
    expect(addendum).toMatchObject({ consultationId: 'note-box-1', authorId: staffId('Morvan') });
    expect(addendum!.text).toMatch(/^Note rédigée en parallèle par .*Benali en Box 2, le /);
    expect(addendum!.text).toContain('Conduite à tenir : Radio du thorax');
    // Hashed like any addendum (SHA-256 of its content's keys in order): the server refuses
    // one whose hash is missing or wrong.
    const content = JSON.stringify({
      at: addendum!.at,
      authorId: staffId('Morvan'),
      consultationId: 'note-box-1',
      id: addendum!.id,
      text: addendum!.text,
    });
    expect(addendum!.contentHash).toBe(createHash('sha256').update(content).digest('hex'));
    // Both notes are kept.
    expect(await db.rows('consultation').count()).toBe(2);
    const [ack] = await db.rows('contradictionAck').toArray();
    expect(ack).toMatchObject({
      kind: 'two_consultations',
      decision: 'addendum',
      keptConsultationId: 'note-box-1',
      staffId: staffId('Morvan'),
      contradictionId: 'two_consultations:note-box-1+note-box-2',
    });
    const audit = (await db.rows('audit').toArray()).find(
      (a) => a.action === 'contradiction.addendum',
    );
    expect(audit).toMatchObject({ actorId: staffId('Morvan'), detail: 'two_consultations' });
    expect(await screen.findByText('1 contradiction déjà prise en compte.')).toBeInTheDocument();
  });
});

describe('reception marked « parti » a patient in consultation', () => {
  async function leftWhileInside() {
    await enrolledDevices();
    const id = demo.entries.waitingUrgent.id;
    await fromDevice(
      'box-1',
      staffId('Garnier'),
      takeIn(id, demo.roomId('Box 1'), staffId('Garnier'), 'note-open', 'Repos', false),
    );
    await fromDevice('accueil', staffId('Leroy'), [
      {
        entity: 'queueEntry',
        id,
        set: { status: statusValue('left'), endedAt: NOW, endReason: null },
      },
    ]);
    expect((await db.rows('queueEntry').get(id))?.status.status).toBe('left');
  }

  it('the board shows the effective status, with a marker that says why', async () => {
    await leftWhileInside();
    useUiStore.setState({ profile: 'reception' });
    renderAt('/accueil', db);
    const rooms = await screen.findByRole('region', { name: 'Les salles en ce moment' }, slow);
    const box1 = within(rooms).getByRole('heading', { name: 'Box 1' }).closest('li')!;
    await waitFor(() => expect(box1).toHaveTextContent('MG-004 en consultation'), slow);
    expect(within(box1).getByRole('img', { name: /^Contradiction à vérifier/ })).toBeVisible();
  });

  it('the room shows the patient still inside, marked', async () => {
    await leftWhileInside();
    useUiStore.setState({ profile: 'room', staffId: staffId('Garnier') });
    renderAt(`/salle/${demo.roomId('Box 1')}`, db);
    const inRoom = await screen.findByRole('region', { name: 'Dans la salle' }, slow);
    expect(await within(inRoom).findByText('MG-004 — en consultation')).toBeInTheDocument();
    expect(within(inRoom).getByRole('img', { name: /^Contradiction à vérifier/ })).toBeVisible();
  });

  it('the coordinator confirms what the note says, in a new epoch, acknowledged', async () => {
    await leftWhileInside();
    useUiStore.setState({ staffId: staffId('Morvan') });
    const user = userEvent.setup();
    renderAt('/coordination/conflits', db);
    const title = await screen.findByRole(
      'heading',
      {
        name: `${nameOf(demo.entries.waitingUrgent.id)} (ticket MG-004, Médecine générale) marqué « parti sans être vu » alors qu’il a été pris en consultation`,
      },
      slow,
    );
    const card = title.closest('li')!;
    expect(card).toHaveTextContent(
      /Box 1 — passage « parti sans être vu » enregistré par Sophie Leroy \(Tablette accueil\), le \d\d\/\d\d\/2026/,
    );
    expect(card).toHaveTextContent(
      'Déjà réglé par la règle : la note fait foi ; le patient est affiché « en consultation » en Box 1.',
    );
    await user.click(
      within(card).getByRole('button', { name: 'Confirmer : « en consultation » en Box 1' }),
    );
    await waitFor(async () =>
      expect((await db.rows('queueEntry').get(demo.entries.waitingUrgent.id))?.status).toEqual(
        statusValue('in_consultation', 1),
      ),
    );
    expect(await db.rows('contradictionAck').count()).toBe(1);
  });
});

describe('field conflicts read as sentences', () => {
  it('« Passage en file — status » becomes a sentence about the patient, with devices', async () => {
    await enrolledDevices();
    const id = demo.entries.called.id;
    // Box 2 requeues MG-001 (a reversal) while the offline Box 1 laptop takes them in.
    await fromDevice('box-2', staffId('Benali'), [
      { entity: 'queueEntry', id, set: { status: statusValue('waiting', 1), roomId: null } },
    ]);
    await fromDevice('box-1', staffId('Garnier'), [
      { entity: 'queueEntry', id, set: { status: statusValue('in_consultation') } },
    ]);
    renderAt('/coordination/conflits', db);
    const title = await screen.findByRole(
      'heading',
      {
        name: `Passage de ${nameOf(id)} (ticket MG-001, Médecine générale) : le statut enregistré différemment sur deux appareils`,
      },
      slow,
    );
    const card = title.closest('li')!;
    expect(card).toHaveTextContent(/Portable Box 2 — .*Benali, le \d\d\/\d\d\/2026 \d\d:\d\d/);
    expect(card).toHaveTextContent(/Portable Box 1 — .*Garnier/);
    expect(card).toHaveTextContent('en attente');
    expect(card).toHaveTextContent('en consultation');
    expect(card.textContent).not.toMatch(/status|queueEntry/);
    expect(card.textContent).not.toMatch(ISO);
  });
});
