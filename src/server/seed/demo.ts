// The demo organisation seeded on first start: one truck on a round of real communes of the
// Sarthe (Perche Émeraude pilot area), its four rooms, its staff, today's stop with a room
// roster and appointments, and a registry with returning patients seen at earlier stops.
// Deterministic for a given `today` (and `now`) so tests and screenshots are reproducible.
// Given `now`, today's stop is open around that moment and its waiting room is already in motion
// (issue 23): a newcomer starting the server at 07:00 or 22:00 sees the product alive.
import { v7 as uuidv7 } from 'uuid';
import { signedContent } from '../../domain/consultation';
import { hoursCovering } from '../../domain/day-hours';
import type {
  Addendum,
  Allergy,
  Appointment,
  Consultation,
  EntityName,
  EntityRows,
  FollowedOrientation,
  Organisation,
  Patient,
  Problem,
  QueueEntry,
  Room,
  RosterSlot,
  Service,
  Signature,
  Staff,
  Stop,
  Treatment,
  Unit,
  Vaccination,
  Visit,
  Vitals,
} from '../../domain/entities';
import { STATUS_RANK } from '../../domain/queue';
import { fromMinutes, localDate, localTime, toMinutes, zonedIso } from '../../domain/time';
import { canonicalJson } from '../../sync/digest';
import { sha256Hex } from '../../sync/sha256';
import { standardServices, truckRooms } from './organisation';
import { prng } from './prng';

export const DEMO_ORGANISATION_NAME = 'Médicobus Perche Émeraude';

/** The digest a signature carries, as the room computes it (src/ui/consultation/consultation-actions.ts). */
export function noteDigest(c: Consultation): string {
  return sha256Hex(canonicalJson(signedContent(c)));
}

export type DemoDataset = { [K in EntityName]: EntityRows[K][] };

export interface DemoAccount {
  staffId: string;
  name: string;
  profession: Staff['profession'];
  roles: Staff['roles'];
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Local wall time of the truck (Europe/Paris) as an ISO instant; the demo assumes UTC+1. */
function at(date: string, hhmm: string): string {
  return new Date(`${date}T${hhmm}:00+01:00`).toISOString();
}

function plusMinutes(iso: string, minutes: number): string {
  return new Date(Date.parse(iso) + minutes * 60_000).toISOString();
}

function nirFor(sex: 'F' | 'M', birthDate: string, dept: string, commune: string, order: number) {
  const body = `${sex === 'M' ? 1 : 2}${birthDate.slice(2, 4)}${birthDate.slice(5, 7)}${dept}${commune}${String(order).padStart(3, '0')}`;
  const key = 97n - (BigInt(body) % 97n);
  return `${body}${String(key).padStart(2, '0')}`;
}

const COMMUNES = [
  { insee: '72180', name: 'Mamers', address: 'Place Carnot' },
  { insee: '72039', name: 'Bonnétable', address: 'Place du Marché' },
  { insee: '72189', name: 'Marolles-les-Braults', address: 'Place de l’Église' },
  { insee: '72276', name: 'Saint-Cosme-en-Vairais', address: 'Parking de la salle des fêtes' },
  { insee: '72215', name: 'Neufchâtel-en-Saosnois', address: 'Rue de la Mairie' },
  { insee: '72220', name: 'Nogent-le-Bernard', address: 'Place de la Mairie' },
] as const;

const FAMILY = [
  'Martin',
  'Lebrun',
  'Guérin',
  'Hamon',
  'Chevallier',
  'Bouvier',
  'Lemaire',
  'Pelletier',
  'Brault',
  'Cottereau',
  'Gasnier',
  'Fouquet',
  'Le Goff',
  'Dubois-Ménard',
  'Renard',
  'Tessier',
  'Huet',
  'Lecomte',
  'Besnard',
  'Rousseau',
  'Mercier',
  'Chauvin',
  'Launay',
  'Poirier',
  'Boulay',
  'Hérault',
  'Moreau',
  'Jouanneau',
  'Gaudin',
  'Leroux',
];
const FIRST_F = [
  'Marie',
  'Jeanne',
  'Chloé',
  'Monique',
  'Élodie',
  'Françoise',
  'Léa',
  'Nathalie',
  'Odile',
  'Sandrine',
  'Camille',
  'Yvette',
];
const FIRST_M = [
  'Jean',
  'Michel',
  'Théo',
  'André',
  'Loïc',
  'Gérard',
  'Hugo',
  'Pascal',
  'René',
  'Mathis',
  'Bernard',
  'Noël',
];

export interface DemoOptions {
  today: string; // YYYY-MM-DD
  /**
   * The moment the demo is started (ISO instant, on `today` in Paris). When given, today's stop
   * and roster cover it and the waiting room is in motion; without it, the usual 08:30–17:30 day
   * with nobody arrived yet.
   */
  now?: string;
  orgId?: string;
  patients?: number;
}

export function buildDemoDataset(options: DemoOptions): {
  data: DemoDataset;
  accounts: DemoAccount[];
  todayStopId: string;
} {
  const rnd = prng(20261122);
  const bytes = () => Uint8Array.from({ length: 16 }, () => Math.floor(rnd() * 256));
  let tick = Date.parse(`${options.today}T00:00:00Z`) - 90 * 86_400_000;
  const id = () => uuidv7({ msecs: tick++, random: bytes() });
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;

  // Drawn even when the id is given: the rest of the draws (names, birth dates) stay the same,
  // so a later day of the demo recognises the patients of the first (seed/demo-start.ts).
  const drawnOrgId = id();
  const orgId = options.orgId ?? drawnOrgId;
  const organisation: Organisation[] = [{ id: orgId, name: DEMO_ORGANISATION_NAME }];
  const unit: Unit[] = [{ id: id(), orgId, name: 'Camion Escale 1', registration: 'GH-472-PE' }];
  const unitId = unit[0]!.id;
  const room = truckRooms(orgId, unitId, id);
  const [box1, box2, salle3, salle4] = room as [Room, Room, Room, Room];

  const person = (
    firstName: string,
    lastName: string,
    profession: Staff['profession'],
    roles: Staff['roles'],
    supervisorId: string | null = null,
  ): Staff => ({
    id: id(),
    orgId,
    firstName,
    lastName,
    profession,
    roles,
    supervisorId,
    active: true,
  });
  const coord = person('Hélène', 'Morvan', 'medecin', ['clinicien', 'coordinateur']);
  const staff: Staff[] = [
    person('Sophie', 'Leroy', 'accueil', ['accueil']),
    coord,
    person('Thomas', 'Garnier', 'interne', ['clinicien'], coord.id),
    person('Inès', 'Benali', 'interne', ['clinicien'], coord.id),
    person('Claire', 'Fontaine', 'sage_femme', ['clinicien']),
    person('Marc', 'Delaunay', 'dentiste', ['clinicien']),
    person('Nadia', 'Perrin', 'assistante_sociale', ['social']),
  ];
  const [, , interne1, interne2, sageFemme, dentiste, social] = staff as [
    Staff,
    Staff,
    Staff,
    Staff,
    Staff,
    Staff,
    Staff,
  ];

  // Created after the staff, as they always were: the demo's ids stay what they were.
  const service = standardServices(orgId, id);
  const byCode = (code: string) => service.find((s) => s.code === code)!;
  const mg = byCode('MG');
  const sf = byCode('SF');
  const dent = byCode('DENT');
  const as = byCode('AS');

  // The round: two weeks back, this week and two weeks ahead, three stops a week.
  const stop: Stop[] = [];
  const offsets = [-14, -13, -12, -7, -6, -5, 0, 1, 2, 7, 8, 9];
  if (options.now && localDate(options.now) !== options.today) {
    throw new RangeError(`Le moment du démarrage n’est pas le ${options.today} à Paris.`);
  }
  const todayHours = options.now ? hoursCovering(localTime(options.now)) : null;
  offsets.forEach((offset, i) => {
    const commune = COMMUNES[i % COMMUNES.length]!;
    stop.push({
      id: id(),
      orgId,
      unitId,
      date: addDays(options.today, offset),
      communeInsee: commune.insee,
      communeName: commune.name,
      address: commune.address,
      opensAt: offset === 0 && todayHours ? todayHours.opensAt : '08:30',
      closesAt: offset === 0 && todayHours ? todayHours.closesAt : '17:30',
      status: offset < 0 ? 'closed' : offset === 0 ? 'open' : 'planned',
    });
  });
  const todayStop = stop.find((s) => s.date === options.today)!;
  const pastStops = stop.filter((s) => s.date < options.today);

  const rosterSlot: RosterSlot[] = [];
  const slot = (
    s: Stop,
    r: Room,
    start: string,
    end: string,
    services: Service[],
    people: Staff[],
  ) =>
    rosterSlot.push({
      id: id(),
      orgId,
      stopId: s.id,
      roomId: r.id,
      start,
      end,
      serviceIds: services.map((x) => x.id),
      staffIds: people.map((x) => x.id),
    });
  for (const s of stop) {
    if (todayHours && s === todayStop) {
      // Around the moment of the start: two halves with no gap, so every minute is rostered.
      const { opensAt: o, splitAt: m, closesAt: c } = todayHours;
      slot(s, box1, o, m, [mg], [interne1]);
      slot(s, box1, m, c, [mg], [interne1]);
      slot(s, box2, o, m, [mg], [interne2]);
      slot(s, box2, m, c, [mg], [interne2]);
      slot(s, salle3, o, m, [sf], [sageFemme]);
      slot(s, salle3, m, c, [as], [social]);
      slot(s, salle4, o, m, [dent], [dentiste]);
      slot(s, salle4, m, c, [dent], [dentiste]);
      continue;
    }
    slot(s, box1, '08:30', '12:30', [mg], [interne1]);
    slot(s, box1, '13:30', '17:30', [mg], [interne1]);
    slot(s, box2, '08:30', '12:30', [mg], [interne2]);
    slot(s, box2, '13:30', '17:30', [mg], [interne2]);
    slot(s, salle3, '08:30', '12:30', [sf], [sageFemme]);
    slot(s, salle3, '13:30', '17:30', [as], [social]);
    slot(s, salle4, '08:30', '12:30', [dent], [dentiste]);
    slot(s, salle4, '13:30', '16:30', [dent], [dentiste]);
  }

  // Patient registry.
  const count = options.patients ?? 60;
  const patient: Patient[] = [];
  for (let i = 0; i < count; i++) {
    const sex: 'F' | 'M' = i % 2 === 0 ? 'F' : 'M';
    const year = 1935 + Math.floor(rnd() * 85);
    const month = 1 + Math.floor(rnd() * 12);
    const day = 1 + Math.floor(rnd() * 28);
    const birthDate = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    const commune = pick(COMMUNES);
    const noMt = rnd() < 0.55;
    const hasNir = rnd() < 0.6;
    const birthName = FAMILY[i % FAMILY.length]!.toUpperCase();
    patient.push({
      id: id(),
      orgId,
      birthName,
      usedName: sex === 'F' && rnd() < 0.25 ? pick(FAMILY).toUpperCase() : null,
      firstNames: sex === 'F' ? pick(FIRST_F) : pick(FIRST_M),
      usedFirstName: null,
      sex,
      birthDate,
      birthPlaceCode: commune.insee,
      identityStatus: hasNir ? 'validee' : 'provisoire',
      nir: hasNir ? nirFor(sex, birthDate, '72', commune.insee.slice(2), 1 + i) : null,
      phone: `06 ${String(10 + i).padStart(2, '0')} ${String(Math.floor(rnd() * 90) + 10)} ${String(Math.floor(rnd() * 90) + 10)} ${String(Math.floor(rnd() * 90) + 10)}`,
      email: null,
      address: `${1 + Math.floor(rnd() * 40)} rue principale, ${commune.name}`,
      communeInsee: commune.insee,
      coverage: pick(['amo_amc', 'amo_amc', 'amo', 'c2s', 'inconnue'] as const),
      mtStatus: noMt ? 'none' : 'declared',
      mtName: noMt ? null : pick(['Dr Lefèvre (Mamers)', 'Dr Roger (Bonnétable)', 'MSP de Mamers']),
      ald: rnd() < 0.3,
      allergies: rnd() < 0.15 ? [pick(['Pénicilline', 'Aspirine', 'Iode', 'Latex'])] : [],
      createdAt: at(pastStops[0]!.date, '09:00'),
      duplicateDecision: null,
      identityAttributes: [],
    });
  }

  // Earlier stops: visits, done queue entries and validated consultations (returning patients).
  const visit: Visit[] = [];
  const queueEntry: QueueEntry[] = [];
  const consultation: Consultation[] = [];
  const orientation: FollowedOrientation[] = [];
  /** One orientation per patient without MT, from their first visit. */
  const oriented = new Set<string>();
  const vitals: Vitals[] = [];
  const signature: Signature[] = [];
  const addendum: Addendum[] = [];
  const appointment: Appointment[] = [];
  pastStops.forEach((s, si) => {
    const seen = patient.filter((_, i) => (i + si) % 4 === 0).slice(0, 8);
    seen.forEach((p, n) => {
      const arrivedAt = at(
        s.date,
        `${String(9 + Math.floor(n / 2)).padStart(2, '0')}:${n % 2 ? '30' : '05'}`,
      );
      const v: Visit = {
        id: id(),
        orgId,
        patientId: p.id,
        stopId: s.id,
        appointmentId: null,
        arrivedAt,
        motif: pick([
          'Renouvellement de traitement',
          'Douleur lombaire',
          'Toux persistante',
          'Contrôle tension',
          'Certificat',
        ]),
        noMt: p.mtStatus === 'none',
        ald: p.ald,
        urgent: false,
        urgentReason: null,
        mtStatus: p.mtStatus,
      };
      visit.push(v);
      const roomUsed = n % 2 === 0 ? box1 : box2;
      const author = n % 2 === 0 ? interne1 : interne2;
      const calledAt = plusMinutes(arrivedAt, 10 + n * 3);
      const startedAt = plusMinutes(calledAt, 2);
      const endedAt = plusMinutes(startedAt, 18 + Math.floor(rnd() * 10));
      const q: QueueEntry = {
        id: id(),
        orgId,
        visitId: v.id,
        stopId: s.id,
        serviceId: mg.id,
        position: 0,
        ticket: `MG-${String(n + 1).padStart(3, '0')}`,
        status: { status: 'done', epoch: 0, rank: 4 },
        roomId: roomUsed.id,
        practitionerId: author.id,
        calledAt,
        startedAt,
        endedAt,
        comingFromRoomId: null,
        endReason: null,
      };
      queueEntry.push(q);
      const c: Consultation = {
        id: id(),
        orgId,
        queueEntryId: q.id,
        visitId: v.id,
        patientId: p.id,
        stopId: s.id,
        serviceId: mg.id,
        authorId: author.id,
        supervisorId: coord.id,
        motif: v.motif,
        subjective: 'Patient vu à l’escale, plainte décrite ce jour.',
        objective: 'Examen clinique sans particularité en dehors du motif.',
        assessment: 'Évaluation réalisée, pas de signe de gravité.',
        plan:
          p.mtStatus === 'none'
            ? 'Orientation vers un médecin traitant.'
            : 'Suivi par le médecin traitant.',
        codes: [{ system: 'CISP-2', code: 'A97', label: 'Pas de maladie', use: 'result' }],
        orientation:
          p.mtStatus === 'none' ? { kind: 'msp_cpts', detail: 'MSP de Mamers' } : { kind: 'none' },
        confidentiality: 'standard',
        status: 'validated',
        returnComment: null,
        createdAt: startedAt,
      };
      consultation.push(c);
      if (p.mtStatus === 'none' && !oriented.has(p.id)) {
        oriented.add(p.id);
        // The orientation to follow: proposed in the room, contact taken for the older stops.
        const contacted = si % 2 === 0;
        const steps: FollowedOrientation['steps'] = [
          { state: 'proposed', at: endedAt, by: author.id, reason: null },
        ];
        const contactAt = plusMinutes(endedAt, 24 * 60);
        if (contacted)
          steps.push({ state: 'contacted', at: contactAt, by: coord.id, reason: null });
        orientation.push({
          id: id(),
          orgId,
          patientId: p.id,
          consultationId: c.id,
          createdAt: endedAt,
          createdBy: author.id,
          purpose: 'medecin_traitant',
          target: 'msp',
          targetName: 'MSP de Mamers',
          note: null,
          state: contacted
            ? { status: 'contacted', epoch: 0, rank: 1, at: contactAt, by: coord.id, reason: null }
            : { status: 'proposed', epoch: 0, rank: 0, at: endedAt, by: author.id, reason: null },
          steps,
        });
      }
      vitals.push({
        id: id(),
        orgId,
        consultationId: c.id,
        patientId: p.id,
        takenAt: plusMinutes(startedAt, 5),
        authorId: author.id,
        systolic: 115 + Math.floor(rnd() * 35),
        diastolic: 65 + Math.floor(rnd() * 20),
        heartRate: 60 + Math.floor(rnd() * 30),
        temperature: 36.6,
        spo2: 97,
        weightKg: 55 + Math.floor(rnd() * 40),
        heightCm: 155 + Math.floor(rnd() * 30),
      });
      signature.push(
        {
          id: id(),
          orgId,
          consultationId: c.id,
          kind: 'author',
          staffId: author.id,
          at: endedAt,
          contentHash: `demo-${c.id}`,
          comment: null,
        },
        {
          id: id(),
          orgId,
          consultationId: c.id,
          kind: 'supervisor',
          staffId: coord.id,
          at: at(s.date, '17:45'),
          contentHash: `demo-${c.id}`,
          comment: null,
        },
      );
      if (n === 0) {
        addendum.push({
          id: id(),
          orgId,
          consultationId: c.id,
          authorId: author.id,
          at: at(s.date, '18:00'),
          text: 'Résultat biologique reçu : normal.',
        });
      }
    });
  });

  // Today's appointments: about fifteen, mostly general practice, a few specialists.
  const plan: [Service, string][] = [
    [mg, '08:30'],
    [mg, '08:50'],
    [mg, '09:10'],
    [mg, '09:30'],
    [mg, '10:10'],
    [mg, '10:30'],
    [mg, '11:00'],
    [mg, '14:00'],
    [mg, '14:20'],
    [sf, '09:00'],
    [sf, '10:00'],
    [dent, '08:30'],
    [dent, '09:30'],
    [dent, '14:00'],
    [as, '14:30'],
  ];
  // Around an unusual moment, the same bookings spread over that day's hours (tens of minutes).
  const bookedAt = (time: string) => {
    if (!todayHours) return time;
    const open = toMinutes(todayHours.opensAt);
    const length = toMinutes(todayHours.closesAt) - open;
    const offset = Math.floor(((toMinutes(time) - 8 * 60 - 30) * length) / (9 * 60) / 10) * 10;
    return fromMinutes(open + offset);
  };
  plan.forEach(([s, time], i) => {
    appointment.push({
      id: id(),
      orgId,
      patientId: patient[(i * 3 + 1) % patient.length]!.id,
      stopId: todayStop.id,
      serviceId: s.id,
      time: bookedAt(time),
      durationMin: s.typicalMinutes,
      status: 'booked',
      note: null,
      createdAt: at(addDays(options.today, -7), '10:00'),
    });
  });
  // A couple booked on the next stop already.
  const nextStop = stop.find((s) => s.date > options.today)!;
  appointment.push({
    id: id(),
    orgId,
    patientId: patient[2]!.id,
    stopId: nextStop.id,
    serviceId: mg.id,
    time: '09:00',
    durationMin: mg.typicalMinutes,
    status: 'booked',
    note: 'Suivi tension',
    createdAt: at(addDays(options.today, -3), '11:00'),
  });

  if (options.now) {
    // The waiting room in motion at `now`: a note signed by Inès Benali (Box 2) waiting for the
    // coordinator's validation, her next patient in consultation, and four patients waiting.
    // Box 1 is left free to call the next one. Every moment is clamped to the stop's opening.
    const nowMs = Date.parse(options.now);
    const openMs = Date.parse(zonedIso(options.today, todayStop.opensAt));
    const ago = (minutes: number) =>
      new Date(Math.max(openMs, nowMs - minutes * 60_000)).toISOString();
    const arrive = (p: Patient, arrivedAt: string, motif: string): Visit => {
      const v: Visit = {
        id: id(),
        orgId,
        patientId: p.id,
        stopId: todayStop.id,
        appointmentId: null,
        arrivedAt,
        motif,
        noMt: p.mtStatus === 'none',
        ald: p.ald,
        urgent: false,
        urgentReason: null,
        mtStatus: p.mtStatus,
      };
      visit.push(v);
      return v;
    };
    const entry = (
      v: Visit,
      s: Service,
      ticket: string,
      status: QueueEntry['status']['status'],
      times: Partial<Pick<QueueEntry, 'calledAt' | 'startedAt' | 'endedAt'>> = {},
    ): QueueEntry => {
      const q: QueueEntry = {
        id: id(),
        orgId,
        visitId: v.id,
        stopId: todayStop.id,
        serviceId: s.id,
        position: 0,
        ticket,
        status: { status, epoch: 0, rank: STATUS_RANK[status] },
        roomId: status === 'waiting' ? null : box2.id,
        practitionerId: status === 'waiting' ? null : interne2.id,
        calledAt: times.calledAt ?? null,
        startedAt: times.startedAt ?? null,
        endedAt: times.endedAt ?? null,
        comingFromRoomId: null,
        endReason: null,
      };
      queueEntry.push(q);
      return q;
    };
    const [seen, inside, w1, w2, w3, w4] = [48, 50, 51, 53, 54, 56].map(
      (i) => patient[i % patient.length]!,
    ) as [Patient, Patient, Patient, Patient, Patient, Patient];

    const seenVisit = arrive(seen, ago(75), 'Contrôle tension');
    const seenEntry = entry(seenVisit, mg, 'MG-001', 'done', {
      calledAt: ago(55),
      startedAt: ago(54),
      endedAt: ago(30),
    });
    const note: Consultation = {
      id: id(),
      orgId,
      queueEntryId: seenEntry.id,
      visitId: seenVisit.id,
      patientId: seen.id,
      stopId: todayStop.id,
      serviceId: mg.id,
      authorId: interne2.id,
      supervisorId: coord.id,
      motif: seenVisit.motif,
      subjective: 'Vient pour un contrôle de tension, traitement bien pris, pas de céphalées.',
      objective: 'Examen cardio-vasculaire sans particularité.',
      assessment: 'Hypertension artérielle équilibrée.',
      plan: 'Poursuite du traitement, contrôle dans trois mois.',
      codes: [
        { system: 'CISP-2', code: 'K86', label: 'Hypertension non compliquée', use: 'result' },
      ],
      orientation: { kind: 'none' },
      confidentiality: 'standard',
      status: 'to_validate',
      returnComment: null,
      createdAt: seenEntry.startedAt!,
    };
    consultation.push(note);
    vitals.push({
      id: id(),
      orgId,
      consultationId: note.id,
      patientId: seen.id,
      takenAt: ago(50),
      authorId: interne2.id,
      systolic: 132,
      diastolic: 82,
      heartRate: 72,
      temperature: 36.8,
      spo2: 98,
      weightKg: 78,
      heightCm: 172,
    });
    signature.push({
      id: id(),
      orgId,
      consultationId: note.id,
      kind: 'author',
      staffId: interne2.id,
      at: ago(30),
      // The note is shown as signed as it stands, not as changed since.
      contentHash: noteDigest(note),
      comment: null,
    });

    const insideVisit = arrive(inside, ago(60), 'Toux persistante');
    entry(insideVisit, mg, 'MG-002', 'in_consultation', { calledAt: ago(28), startedAt: ago(27) });
    entry(arrive(w1, ago(45), 'Renouvellement de traitement'), mg, 'MG-003', 'waiting');
    entry(arrive(w2, ago(25), 'Douleur lombaire'), mg, 'MG-004', 'waiting');
    entry(arrive(w3, ago(10), 'Certificat'), mg, 'MG-005', 'waiting');
    entry(arrive(w4, ago(20), 'Douleur dentaire'), dent, 'DE-001', 'waiting');
  }

  // The clinical summary of three returning patients (the ones the waiting room in motion shows
  // seen, inside and waiting), drawn after everything else so the other draws stay the same.
  const problem: Problem[] = [];
  const treatment: Treatment[] = [];
  const allergy: Allergy[] = [];
  const vaccination: Vaccination[] = [];
  {
    const [hta, asthma, diabetes] = [48, 50, 51].map((i) => patient[i % patient.length]!) as [
      Patient,
      Patient,
      Patient,
    ];
    const recordedAt = at(addDays(options.today, -60), '10:00');
    const base = (p: Patient) => ({
      id: id(),
      orgId,
      patientId: p.id,
      recordedAt,
      recordedBy: coord.id,
      consultationId: null,
    });
    const code = (system: 'CISP-2' | 'CIM-10', c: string, label: string) => ({
      system,
      code: c,
      label,
    });
    problem.push(
      {
        ...base(hta),
        kind: 'personal',
        code: code('CISP-2', 'K86', 'Hypertension non compliquée'),
        label: 'Hypertension non compliquée',
        status: 'active',
        onsetDate: addDays(options.today, -3 * 365),
        resolvedDate: null,
        note: null,
      },
      {
        ...base(asthma),
        kind: 'personal',
        code: code('CISP-2', 'R96', 'Asthme'),
        label: 'Asthme',
        status: 'active',
        onsetDate: null,
        resolvedDate: null,
        note: null,
      },
      {
        ...base(diabetes),
        kind: 'personal',
        code: code('CISP-2', 'T90', 'Diabète non insulino-dépendant'),
        label: 'Diabète non insulino-dépendant',
        status: 'active',
        onsetDate: addDays(options.today, -5 * 365),
        resolvedDate: null,
        note: null,
      },
    );
    treatment.push(
      {
        ...base(hta),
        name: 'Amlodipine 5 mg',
        dose: '1 comprimé le matin',
        startDate: addDays(options.today, -3 * 365),
        stopDate: null,
        stopReason: null,
      },
      {
        ...base(diabetes),
        name: 'Metformine 1000 mg',
        dose: '1 comprimé matin et soir',
        startDate: addDays(options.today, -5 * 365),
        stopDate: null,
        stopReason: null,
      },
    );
    allergy.push({
      ...base(asthma),
      kind: 'allergy',
      substance: 'Amoxicilline',
      category: 'medication',
      reaction: 'urticaria',
      severity: 'moderate',
      note: null,
    });
    vaccination.push({
      ...base(diabetes),
      vaccine: 'Grippe saisonnière (Vaxigrip Tetra)',
      lot: 'W3B521V',
      date: addDays(options.today, -60),
      site: 'deltoid_left',
      givenBy: null,
      givenElsewhere: 'Pharmacie de Mamers',
    });
  }

  const accounts: DemoAccount[] = staff.map((s) => ({
    staffId: s.id,
    name: `${s.firstName} ${s.lastName}`,
    profession: s.profession,
    roles: s.roles,
  }));

  return {
    todayStopId: todayStop.id,
    accounts,
    data: {
      organisation,
      unit,
      room,
      staff,
      service,
      stop,
      rosterSlot,
      patient,
      appointment,
      visit,
      queueEntry,
      consultation,
      vitals,
      signature,
      addendum,
      transmission: [],
      breakGlass: [],
      sharingObjection: [],
      researchObjection: [],
      audit: [],
      conflictResolution: [],
      device: [],
      syncReceipt: [],
      contradictionAck: [],
      identityChange: [],
      problem,
      treatment,
      allergy,
      vaccination,
      // The usual certificates are the domain's defaults until the coordination edits them.
      documentTemplate: [],
      printedDocument: [],
      orientation,
      partnerTask: [],
    },
  };
}
