// The live board: each service's queue in domain order with waits and estimates, the rooms now,
// and reception's audited actions (priority, change of service, left, cancel, reopen), live.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EscaleDb } from '../../src/device/db';
import { writeChanges } from '../../src/device/write';
import { estimateWaits } from '../../src/domain/estimates';
import { statusValue } from '../../src/domain/queue';
import { orderQueue } from '../../src/domain/queue-order';
import { zonedIso } from '../../src/domain/time';
import { queueContext } from '../../src/ui/day/day-data';
import { boardModel } from '../../src/ui/reception/board-model';
import { useUiStore } from '../../src/ui/state/ui-store';
import { demoDay, NOW, TODAY } from './fixtures';
import { freshDb, renderAt, seedDemoDay } from './support';

describe('board model', () => {
  it('orders each service as the domain does, with its waits, colours and estimates', () => {
    const demo = demoDay();
    const model = boardModel(demo.day, demo.patients, NOW);
    const mg = model.services.find((s) => s.label === 'Médecine générale')!;
    const waiting = demo.day.entries.filter(
      (e) => e.serviceId === demo.serviceId('MG') && e.status.status === 'waiting',
    );
    const ordered = orderQueue(waiting, queueContext(demo.day));
    expect(mg.rows.filter((r) => r.status === 'waiting').map((r) => r.ticket)).toEqual(
      ordered.map((e) => e.ticket),
    );
    expect(mg.rows[0]!.ticket).toBe('MG-004'); // urgent first
    expect(mg.waitingCount).toBe(3);
    // The called patient follows the waiting ones, in Box 2.
    expect(mg.rows.at(-1)).toMatchObject({ ticket: 'MG-001', status: 'called', roomName: 'Box 2' });
    const estimates = estimateWaits(
      ordered,
      { entries: demo.day.entries, services: demo.day.services, slots: demo.day.slots },
      NOW,
    );
    for (const r of mg.rows.filter((x) => x.status === 'waiting')) {
      expect(r.estimateMinutes).toBe(estimates.get(r.entryId) ?? null);
    }
    // MG-002 arrived at 09:20: 40 minutes at 10:00, amber from 30.
    expect(mg.rows.find((r) => r.ticket === 'MG-002')).toMatchObject({
      waitedMinutes: 40,
      waitColour: 'amber',
    });
  });

  it('says who is in each room now and offers only what reception may do', () => {
    const demo = demoDay();
    const model = boardModel(demo.day, demo.patients, NOW);
    expect(model.rooms.find((r) => r.roomName === 'Salle 4')?.occupant).toMatchObject({
      ticket: 'DE-001',
      status: 'in_consultation',
    });
    const rows = model.services.flatMap((s) => s.rows);
    expect(rows.find((r) => r.ticket === 'MG-002')?.actions).toEqual(['leave', 'cancel']);
    expect(rows.find((r) => r.ticket === 'MG-001')?.actions).toEqual([
      'leave',
      'cancel',
      'no_show',
    ]);
    expect(rows.find((r) => r.ticket === 'DE-001')?.actions).toEqual([]);
  });

  it('lists ended entries apart, reopenable unless the consultation was done', () => {
    const demo = demoDay();
    const day = {
      ...demo.day,
      entries: demo.day.entries.map((e) =>
        e.ticket === 'MG-002'
          ? { ...e, status: statusValue('left'), endedAt: zonedIso(TODAY, '09:58') }
          : e.ticket === 'MG-003'
            ? { ...e, status: statusValue('done'), endedAt: zonedIso(TODAY, '09:59') }
            : e,
      ),
    };
    const model = boardModel(day, demo.patients, NOW);
    expect(model.ended.map((r) => [r.ticket, r.actions])).toEqual([
      ['MG-003', []],
      ['MG-002', ['reopen']],
    ]);
  });
});

describe('the live board screen', () => {
  let db: EscaleDb;
  let demo: Awaited<ReturnType<typeof seedDemoDay>>;

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(NOW));
    useUiStore.setState({ profile: 'reception', staffId: null, dirtyForms: [] });
    db = freshDb();
    demo = await seedDemoDay(db);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  const mgTable = async () => {
    const region = await screen.findByRole('region', { name: /^Médecine générale/ });
    return region;
  };
  const ticketsIn = (region: HTMLElement) =>
    within(region)
      .getAllByRole('row')
      .slice(1)
      .map((r) => r.querySelector('.ticket')?.textContent)
      .filter(Boolean);

  it('shows the queue in order, and a call made on another device as it happens', async () => {
    renderAt('/accueil', db);
    const region = await mgTable();
    expect(ticketsIn(region)).toEqual(['MG-004', 'MG-002', 'MG-003', 'MG-001']);
    // Box 1 calls MG-004 from its own device: the op arrives through the write path.
    await writeChanges(db, { deviceId: 'box-1', org: demo.day.stop!.orgId }, [
      {
        entity: 'queueEntry',
        id: demo.entries.waitingUrgent.id,
        set: { status: statusValue('called'), roomId: demo.roomId('Box 1'), calledAt: NOW },
      },
    ]);
    const rooms = screen.getByRole('region', { name: 'Les salles en ce moment' });
    await waitFor(() => expect(within(rooms).getByText('MG-004')).toBeInTheDocument());
    await waitFor(() =>
      expect(ticketsIn(screen.getByRole('region', { name: /^Médecine générale/ }))).toEqual([
        'MG-002',
        'MG-003',
        'MG-001',
        'MG-004',
      ]),
    );
  });

  it('marks a patient gone without being seen, with an audit, and can put them back', async () => {
    const user = userEvent.setup();
    renderAt('/accueil', db);
    await mgTable();
    await user.click(screen.getByRole('button', { name: 'Gérer MG-003' }));
    await user.type(screen.getByLabelText('Motif (facultatif)'), 'Ne répond pas');
    await user.click(screen.getByRole('button', { name: 'Parti sans être vu' }));
    await waitFor(async () => {
      const e = await db.rows('queueEntry').get(demo.entries.waiting2.id);
      expect(e?.status.status).toBe('left');
      expect(e?.endReason).toBe('Ne répond pas');
    });
    const audit = (await db.rows('audit').toArray()).find((a) => a.action === 'queue.leave');
    expect(audit).toMatchObject({ entityId: demo.entries.waiting2.id, deviceId: 'tablette-test' });
    await waitFor(() =>
      expect(ticketsIn(screen.getByRole('region', { name: /^Médecine générale/ }))).not.toContain(
        'MG-003',
      ),
    );
    // Ended by mistake: reopened from the list of ended entries.
    // The actions panel follows the entry into the list of ended entries.
    await user.click(screen.getByText(/passage terminé aujourd’hui/));
    expect(screen.getByRole('button', { name: 'Gérer MG-003' })).toHaveAttribute(
      'aria-expanded',
      'true',
    );
    await user.click(screen.getByRole('button', { name: 'Remettre dans la file' }));
    await waitFor(async () => {
      const e = await db.rows('queueEntry').get(demo.entries.waiting2.id);
      expect(e?.status).toEqual(statusValue('waiting', 1));
    });
  });

  it('gives an urgent priority only with a reason, and it moves the patient up', async () => {
    const user = userEvent.setup();
    renderAt('/accueil', db);
    await mgTable();
    await user.click(screen.getByRole('button', { name: 'Gérer MG-003' }));
    const form = screen.getByRole('form', { name: 'Priorité de MG-003' });
    await user.click(within(form).getByLabelText('Priorité urgente'));
    await user.click(within(form).getByRole('button', { name: 'Enregistrer la priorité' }));
    expect(await screen.findByText('Une priorité urgente exige un motif.')).toBeInTheDocument();
    expect((await db.rows('visit').get(demo.entries.waiting2.visitId))?.urgent).toBe(false);
    await user.type(within(form).getByLabelText('Motif de l’urgence'), 'Malaise');
    await user.click(within(form).getByRole('button', { name: 'Enregistrer la priorité' }));
    await waitFor(async () => {
      expect(await db.rows('visit').get(demo.entries.waiting2.visitId)).toMatchObject({
        urgent: true,
        urgentReason: 'Malaise',
      });
    });
    // Two urgent patients now: the one who arrived first (MG-003 at 09:40) goes first.
    await waitFor(async () =>
      expect(ticketsIn(await mgTable()).slice(0, 2)).toEqual(['MG-003', 'MG-004']),
    );
  });

  it('moves a waiting patient to another service with a new ticket there', async () => {
    const user = userEvent.setup();
    renderAt('/accueil', db);
    await mgTable();
    await user.click(screen.getByRole('button', { name: 'Gérer MG-002' }));
    const form = screen.getByRole('form', { name: 'Changer MG-002 de service' });
    await user.selectOptions(within(form).getByLabelText('Nouveau service'), 'Assistante sociale');
    await user.click(within(form).getByRole('button', { name: 'Changer de service' }));
    const social = await screen.findByRole('region', { name: /^Assistante sociale/ });
    expect(within(social).getByText('AS-001')).toBeInTheDocument();
    const old = await db.rows('queueEntry').get(demo.entries.waiting1.id);
    expect(old?.status.status).toBe('cancelled');
    expect(old?.endReason).toBe('Orienté vers Assistante sociale (AS-001)');
    expect((await db.rows('audit').toArray()).map((a) => a.action)).toContain('queue.moved');
  });

  it('prints a ticket without the patient’s name', async () => {
    renderAt(`/accueil/ticket/${demo.entries.waiting1.visitId}`, db);
    const slip = await screen.findByRole('region', { name: 'Ticket à remettre au patient' });
    expect(within(slip).getByText('MG-002')).toBeInTheDocument();
    const patient = demo.arrived[1]!;
    expect(slip.textContent).not.toContain(patient.birthName);
    expect(slip.textContent).not.toContain(patient.birthName.toUpperCase());
  });
});

describe('the end-of-visit questionnaire at reception (optional)', () => {
  let db: EscaleDb;
  let demo: Awaited<ReturnType<typeof seedDemoDay>>;

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(NOW));
    useUiStore.setState({ profile: 'reception', staffId: null, dirtyForms: [] });
    db = freshDb();
    demo = await seedDemoDay(db);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('records the answers on the visit, journalled without them; then says it was filled in', async () => {
    const user = userEvent.setup();
    renderAt('/accueil', db);
    await screen.findByRole('region', { name: /^Médecine générale/ });
    await user.click(screen.getByRole('button', { name: 'Gérer MG-003' }));
    const form = screen.getByRole('form', { name: 'Questionnaire de fin de venue — MG-003' });
    await user.selectOptions(
      within(form).getByLabelText('Avez-vous renoncé à des soins ces 12 derniers mois ?'),
      'Oui',
    );
    await user.selectOptions(
      within(form).getByLabelText('Sans le camion, où seriez-vous allé ?'),
      'Ailleurs (autre)',
    );
    await user.type(within(form).getByLabelText('Précisez (facultatif)'), 'Le Mans');
    await user.click(within(form).getByRole('button', { name: 'Enregistrer les réponses' }));
    const visitId = demo.entries.waiting2.visitId;
    await waitFor(async () =>
      expect((await db.rows('visit').get(visitId))?.survey).toMatchObject({
        answered: true,
        renunciation: 'oui',
        withoutTruck: 'autre',
        withoutTruckOther: 'Le Mans',
      }),
    );
    const audit = (await db.rows('audit').toArray()).find(
      (a) => a.action === 'visit.survey_answered',
    );
    expect(audit).toMatchObject({ entityId: visitId, detail: null });
    expect(await screen.findByText('Questionnaire : rempli')).toBeInTheDocument();
  });

  it('records a refusal, with no answer', async () => {
    const user = userEvent.setup();
    renderAt('/accueil', db);
    await screen.findByRole('region', { name: /^Médecine générale/ });
    await user.click(screen.getByRole('button', { name: 'Gérer MG-003' }));
    await user.click(screen.getByRole('button', { name: 'Le patient ne souhaite pas répondre' }));
    const visitId = demo.entries.waiting2.visitId;
    await waitFor(async () =>
      expect((await db.rows('visit').get(visitId))?.survey).toMatchObject({
        answered: false,
        renunciation: null,
        withoutTruck: null,
      }),
    );
    expect(await screen.findByText('Questionnaire refusé : c’est noté.')).toBeInTheDocument();
  });
});
