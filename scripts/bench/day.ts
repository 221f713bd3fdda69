// The reference busy day of issue 9, deterministic: one truck (4 rooms, 8 staff, 7 services,
// today's stop and roster), 80 patients (60 returning from the registry, 20 registered today),
// 120 queue entries through every state (100 done, 10 of them after a requeue; 8 no-shows,
// 7 left, 5 cancelled), 100 consultations of about 1.5 KB written in four autosaves with vitals,
// codes, orientation and signatures, the interns' notes validated by the coordinator — each
// user action one write with its audit event, as the screens do — spread over 4 devices:
// reception, Box 1, Box 2, and a laptop for Salles 3–4 that the coordinator also uses.
// Actions happen in 30-minute slots; a device only acts on rows another device wrote at least
// two slots earlier (all devices sync at the end of every slot, concurrently).
import { v7 as uuidv7 } from 'uuid';
import type { Change } from '../../src/device/write';
import type {
  Consultation,
  EntityName,
  EntityRows,
  Patient,
  QueueEntry,
  Room,
  RosterSlot,
  Service,
  Staff,
} from '../../src/domain/entities';
import { statusValue } from '../../src/domain/queue';
import { frenchPatients, rng } from './identities';
import { clinicalText, motif as typedMotif } from './notes';

export const DAY_DATE = '2026-03-12';
export const DEVICE_NAMES = ['accueil', 'box-1', 'box-2', 'salles-3-4'] as const;

export interface DayAction {
  slot: number;
  /** Index in DEVICE_NAMES. */
  device: number;
  /** Staff at the keyboard (recorded on ops and audit). */
  staffId: string;
  /** Simulated wall time of the action. */
  at: string;
  changes: Change[];
}

export type Rows = { [K in EntityName]?: EntityRows[K][] };

export interface ReferenceDay {
  org: string;
  devices: string[];
  /** Held by every replica before the day: organisation, truck, rooms, staff, services, stop, roster, the returning patients. */
  reference: Rows;
  actions: DayAction[];
  slots: number;
  /** Row counts of the day, for the record. */
  counts: Record<string, number>;
}

export function referenceDay(seed = 9): ReferenceDay {
  const r = rng(seed);
  const bytes = () => Uint8Array.from({ length: 16 }, () => Math.floor(r() * 256));
  let tick = Date.parse(`${DAY_DATE}T06:00:00Z`);
  const id = () => uuidv7({ msecs: tick++, random: bytes() });
  const org = id();
  const devices = DEVICE_NAMES.map(() => id());
  const unitId = id();
  const room = (['Box 1', 'Box 2', 'Salle 3', 'Salle 4'] as const).map(
    (name, order): Room => ({
      id: id(),
      orgId: org,
      unitId,
      name,
      kind: order < 2 ? 'gp_box' : 'modular',
      order,
    }),
  );
  const person = (
    firstName: string,
    lastName: string,
    profession: Staff['profession'],
    roles: Staff['roles'],
    supervisorId: string | null = null,
  ): Staff => ({
    id: id(),
    orgId: org,
    firstName,
    lastName,
    profession,
    roles,
    supervisorId,
    active: true,
  });
  const coord = person('Hélène', 'Morvan', 'medecin', ['clinicien', 'coordinateur']);
  const accueil = person('Sophie', 'Leroy', 'accueil', ['accueil']);
  const interne1 = person('Thomas', 'Garnier', 'interne', ['clinicien'], coord.id);
  const interne2 = person('Inès', 'Benali', 'interne', ['clinicien'], coord.id);
  const sf = person('Claire', 'Fontaine', 'sage_femme', ['clinicien']);
  const dent = person('Marc', 'Delaunay', 'dentiste', ['clinicien']);
  const as = person('Nadia', 'Perrin', 'assistante_sociale', ['social']);
  const inf = person('Julie', 'Roussel', 'infirmier', ['clinicien']);
  const staff = [accueil, coord, interne1, interne2, sf, dent, as, inf];
  const svc = (
    code: string,
    label: string,
    typicalMinutes: number,
    roomKinds: Room['kind'][],
    professions: Staff['profession'][],
    confidentiality: Service['confidentiality'] = 'standard',
  ): Service => ({
    id: id(),
    orgId: org,
    code,
    label,
    ticketPrefix: code.slice(0, 2),
    typicalMinutes,
    roomKinds,
    professions,
    confidentiality,
  });
  const service = [
    svc('MG', 'Médecine générale', 20, ['gp_box'], ['interne', 'medecin']),
    svc('SF', 'Sage-femme', 30, ['modular'], ['sage_femme'], 'sexual_health'),
    svc('DENT', 'Dentiste', 30, ['modular'], ['dentiste']),
    svc('AS', 'Assistante sociale', 30, ['modular'], ['assistante_sociale'], 'social'),
    svc('GYN', 'Gynécologie', 30, ['modular'], ['gynecologue'], 'sexual_health'),
    svc('MED', 'Médiation en santé', 20, ['modular'], ['mediateur'], 'social'),
    svc('DEP', 'Dépistage et prévention', 15, ['modular', 'gp_box'], ['infirmier', 'medecin']),
  ];
  const [mg, sfSvc, dentSvc, asSvc] = service as [Service, Service, Service, Service];
  const authorOf = new Map([
    [sfSvc.id, sf],
    [dentSvc.id, dent],
    [asSvc.id, as],
  ]);
  const stopId = id();
  const stop = [
    {
      id: stopId,
      orgId: org,
      unitId,
      date: DAY_DATE,
      communeInsee: '72180',
      communeName: 'Mamers',
      address: 'Place Carnot',
      opensAt: '08:30',
      closesAt: '17:30',
      status: 'open' as const,
    },
  ];
  const rosterSlot: RosterSlot[] = [];
  for (const [roomIdx, start, end, svcs, people] of [
    [0, '08:30', '17:30', [mg], [interne1]],
    [1, '08:30', '17:30', [mg], [interne2]],
    [2, '08:30', '12:30', [sfSvc], [sf]],
    [2, '13:30', '17:30', [asSvc], [as]],
    [3, '08:30', '17:30', [dentSvc], [dent]],
  ] as const) {
    rosterSlot.push({
      id: id(),
      orgId: org,
      stopId,
      roomId: room[roomIdx]!.id,
      start,
      end,
      serviceIds: svcs.map((s) => s.id),
      staffIds: people.map((p) => p.id),
    });
  }
  const returning = frenchPatients(60, org, seed * 7 + 1);
  const newcomers = frenchPatients(20, org, seed * 7 + 2).map((p) => ({
    ...p,
    id: id(),
    identityStatus: 'provisoire' as const,
    nir: null,
  }));

  const at = (slot: number, minute = 0) =>
    new Date(Date.parse(`${DAY_DATE}T07:30:00Z`) + (slot * 30 + minute) * 60_000).toISOString();
  const actions: DayAction[] = [];
  const act = (
    slot: number,
    device: number,
    staffId: string,
    action: string,
    entity: string,
    entityId: string,
    changes: Change[],
    detail: string | null = null,
  ) => {
    const when = at(slot, actions.filter((a) => a.slot === slot && a.device === device).length);
    changes.push({
      entity: 'audit',
      id: id(),
      insert: {
        orgId: org,
        at: when,
        actorId: staffId,
        deviceId: devices[device]!,
        action,
        entity,
        entityId,
        detail,
      },
    });
    actions.push({ slot, device, staffId, at: when, changes });
  };

  // Reception: arrivals over the first 13 slots, 40 patients asking for two services.
  type Plan = {
    entry: QueueEntry;
    arrival: number;
    outcome: 'done' | 'requeue' | 'no_show' | 'left' | 'cancelled';
  };
  const plans: Plan[] = [];
  const patients: Patient[] = [...returning, ...newcomers];
  const modular = [sfSvc, dentSvc, asSvc];
  let ticket = 0;
  patients.forEach((p, i) => {
    const arrival = Math.floor((i * 13) / patients.length);
    const visitId = id();
    const wanted = i < 40 ? [mg, modular[i % 3]!] : i < 70 ? [mg] : [modular[i % 3]!];
    const changes: Change[] = [];
    if (i >= 60) {
      const { id: pid, ...fields } = p;
      changes.push({ entity: 'patient', id: pid, set: fields });
    }
    const motif = typedMotif(r);
    changes.push({
      entity: 'visit',
      id: visitId,
      set: {
        orgId: org,
        patientId: p.id,
        stopId,
        appointmentId: null,
        arrivedAt: at(arrival, i % 30),
        motif,
        noMt: p.mtStatus === 'none',
        ald: p.ald,
        urgent: false,
        urgentReason: null,
      },
    });
    wanted.forEach((s, position) => {
      ticket++;
      const entry: QueueEntry = {
        id: id(),
        orgId: org,
        visitId,
        stopId,
        serviceId: s.id,
        position,
        ticket: `${s.ticketPrefix}-${String(ticket).padStart(3, '0')}`,
        status: statusValue('waiting'),
        roomId: null,
        practitionerId: null,
        calledAt: null,
        startedAt: null,
        endedAt: null,
        comingFromRoomId: null,
        endReason: null,
      };
      const { id: eid, ...fields } = entry;
      changes.push({ entity: 'queueEntry', id: eid, set: fields });
      plans.push({ entry, arrival, outcome: 'done' });
    });
    if (i >= 60) {
      act(arrival, 0, accueil.id, 'patient.created', 'patient', p.id, [changes[0]!]);
      changes.shift();
    }
    act(arrival, 0, accueil.id, 'visit.checked_in', 'visit', visitId, changes);
  });
  // Outcomes: every 6th entry has an end other than done; 10 done entries go through a requeue.
  const others: Plan['outcome'][] = [
    ...Array<Plan['outcome']>(8).fill('no_show'),
    ...Array<Plan['outcome']>(7).fill('left'),
    ...Array<Plan['outcome']>(5).fill('cancelled'),
  ];
  plans.forEach((plan, k) => {
    if (k % 6 === 5 && others.length > 0) plan.outcome = others.shift()!;
    else if (k % 11 === 3 || k === 118) plan.outcome = 'requeue';
  });

  const statusSet = (e: QueueEntry, status: QueueEntry['status'], extra: Partial<QueueEntry>) => {
    e.status = status;
    Object.assign(e, extra);
    return { entity: 'queueEntry' as const, id: e.id, set: { status, ...extra } };
  };
  // Reception ends its own waiting entries (no wait for a sync: it wrote them).
  for (const plan of plans) {
    const e = plan.entry;
    if (plan.outcome === 'left' || plan.outcome === 'cancelled') {
      const slot = plan.arrival + 1;
      act(
        slot,
        0,
        accueil.id,
        `queue.${plan.outcome === 'left' ? 'leave' : 'cancel'}`,
        'queueEntry',
        e.id,
        [
          statusSet(e, statusValue(plan.outcome), {
            endedAt: at(slot, 5),
            endReason: plan.outcome === 'left' ? 'Parti avant l’appel' : 'Erreur de service',
          }),
        ],
      );
    }
  }

  // Rooms: each device works its queue in arrival order, three patients a slot at most.
  const consultations: { c: Consultation; signedSlot: number; device: number }[] = [];
  let gp = 0;
  const roomDevice = (e: QueueEntry) => (e.serviceId === mg.id ? 1 + (gp++ % 2) : 3);
  const capacity = 3;
  const requeued = new Set<string>();
  let slot = 0;
  const pending = plans
    .map((p) => ({ ...p, device: roomDevice(p.entry) }))
    .filter((p) => p.outcome !== 'left' && p.outcome !== 'cancelled');
  while (pending.length > 0) {
    for (const device of [1, 2, 3]) {
      const ready = pending.filter((p) => p.device === device && p.arrival + 2 <= slot);
      for (const p of ready.slice(0, capacity)) {
        const e = p.entry;
        const roomId = room[device === 3 ? (e.serviceId === dentSvc.id ? 3 : 2) : device - 1]!.id;
        const author =
          device === 1 ? interne1 : device === 2 ? interne2 : authorOf.get(e.serviceId)!;
        const called = {
          roomId,
          practitionerId: author.id,
          calledAt: at(slot, 2),
        };
        if (p.outcome === 'requeue' && !requeued.has(e.id)) {
          requeued.add(e.id);
          act(slot, device, author.id, 'queue.call', 'queueEntry', e.id, [
            statusSet(e, statusValue('called', e.status.epoch), called),
          ]);
          act(slot, device, author.id, 'queue.requeue', 'queueEntry', e.id, [
            statusSet(e, statusValue('waiting', e.status.epoch + 1), {
              roomId: null,
              calledAt: null,
            }),
          ]);
          p.arrival = slot - 1; // back in the queue: called again next slot
          continue;
        }
        pending.splice(pending.indexOf(p), 1);
        act(slot, device, author.id, 'queue.call', 'queueEntry', e.id, [
          statusSet(e, statusValue('called', e.status.epoch), called),
        ]);
        if (p.outcome === 'no_show') {
          act(slot, device, author.id, 'queue.no_show', 'queueEntry', e.id, [
            statusSet(e, statusValue('no_show', e.status.epoch), {
              endedAt: at(slot, 8),
              endReason: null,
            }),
          ]);
          continue;
        }
        act(slot, device, author.id, 'queue.start', 'queueEntry', e.id, [
          statusSet(e, statusValue('in_consultation', e.status.epoch), { startedAt: at(slot, 4) }),
        ]);
        const visit = actions.find(
          (a) =>
            a.device === 0 && a.changes.some((c) => c.entity === 'visit' && c.id === e.visitId),
        )!;
        const visitSet = visit.changes.find((c) => c.id === e.visitId) as {
          set: { patientId: string; motif: string };
        };
        const c: Consultation = {
          id: id(),
          orgId: org,
          queueEntryId: e.id,
          visitId: e.visitId,
          patientId: visitSet.set.patientId,
          stopId,
          serviceId: e.serviceId,
          authorId: author.id,
          supervisorId: device === 3 ? null : coord.id,
          motif: visitSet.set.motif,
          subjective: clinicalText(r, 'subjective', 500),
          objective: clinicalText(r, 'objective', 380),
          assessment: clinicalText(r, 'assessment', 180),
          plan: clinicalText(r, 'plan', 300),
          codes: [
            { system: 'CISP-2', code: 'K86', label: 'Hypertension non compliquée', use: 'reason' },
            { system: 'CISP-2', code: 'A97', label: 'Pas de maladie', use: 'result' },
          ],
          orientation: { kind: 'msp_cpts', detail: 'MSP de Mamers' },
          confidentiality:
            e.serviceId === sfSvc.id
              ? 'sexual_health'
              : e.serviceId === asSvc.id
                ? 'social'
                : 'standard',
          status: 'draft',
          returnComment: null,
          createdAt: at(slot, 5),
        };
        // Four autosaves: the note grows as it is typed.
        const { id: cid, codes, orientation, ...first } = c;
        act(slot, device, author.id, 'consultation.created', 'consultation', cid, [
          {
            entity: 'consultation',
            id: cid,
            set: {
              ...first,
              subjective: c.subjective.slice(0, 200),
              objective: '',
              assessment: '',
              plan: '',
            },
          },
        ]);
        act(slot, device, author.id, 'consultation.saved', 'consultation', cid, [
          {
            entity: 'consultation',
            id: cid,
            set: { subjective: c.subjective, objective: c.objective },
          },
        ]);
        act(slot, device, author.id, 'consultation.saved', 'consultation', cid, [
          { entity: 'consultation', id: cid, set: { assessment: c.assessment, plan: c.plan } },
          {
            entity: 'vitals',
            id: id(),
            insert: {
              orgId: org,
              consultationId: cid,
              patientId: c.patientId,
              takenAt: at(slot, 9),
              authorId: author.id,
              systolic: 110 + Math.floor(r() * 50),
              diastolic: 60 + Math.floor(r() * 30),
              heartRate: 55 + Math.floor(r() * 40),
              temperature: 36.8,
              spo2: 97,
              weightKg: 50 + Math.floor(r() * 50),
              heightCm: 150 + Math.floor(r() * 40),
            },
          },
        ]);
        act(slot, device, author.id, 'consultation.saved', 'consultation', cid, [
          { entity: 'consultation', id: cid, set: { codes, orientation } },
        ]);
        act(slot, device, author.id, 'queue.finish', 'queueEntry', e.id, [
          statusSet(e, statusValue('done', e.status.epoch), { endedAt: at(slot, 25) }),
        ]);
        const signedStatus = c.supervisorId ? 'to_validate' : 'validated';
        act(slot, device, author.id, 'consultation.signed', 'consultation', cid, [
          { entity: 'consultation', id: cid, set: { status: signedStatus } },
          {
            entity: 'signature',
            id: id(),
            insert: {
              orgId: org,
              consultationId: cid,
              kind: 'author',
              staffId: author.id,
              at: at(slot, 26),
              contentHash: `sha256-${cid}`,
              comment: null,
            },
          },
        ]);
        consultations.push({ c, signedSlot: slot, device });
      }
    }
    slot++;
    if (slot > 200) throw new Error('reference day does not end');
  }
  // The coordinator validates interns' notes at least two slots after their signature.
  const lastSlot = slot + 1;
  for (const { c, signedSlot } of consultations) {
    if (!c.supervisorId) continue;
    const when = Math.min(lastSlot, Math.max(signedSlot + 2, 14));
    act(when, 3, coord.id, 'consultation.validated', 'consultation', c.id, [
      { entity: 'consultation', id: c.id, set: { status: 'validated' } },
      {
        entity: 'signature',
        id: id(),
        insert: {
          orgId: org,
          consultationId: c.id,
          kind: 'supervisor',
          staffId: coord.id,
          at: at(when, 10),
          contentHash: `sha256-${c.id}`,
          comment: null,
        },
      },
    ]);
  }
  actions.sort((a, b) => a.slot - b.slot || a.at.localeCompare(b.at));
  const count = (e: string) =>
    new Set(actions.flatMap((a) => a.changes.filter((c) => c.entity === e).map((c) => c.id))).size;
  return {
    org,
    devices,
    reference: {
      organisation: [{ id: org, name: 'Médicobus de référence' }],
      unit: [{ id: unitId, orgId: org, name: 'Camion 1', registration: 'GH-472-PE' }],
      room,
      staff,
      service,
      stop,
      rosterSlot,
      patient: returning,
    },
    actions,
    slots: lastSlot + 1,
    counts: {
      patients: patients.length,
      visits: count('visit'),
      queueEntries: count('queueEntry'),
      consultations: count('consultation'),
      actions: actions.length,
    },
  };
}
