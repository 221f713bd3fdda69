// The demo organisation seeded on first start: one truck on a round of real communes of the
// Sarthe (Perche Émeraude pilot area), its four rooms, its staff, today's stop with a room
// roster and appointments, and a registry with returning patients seen at earlier stops.
// Deterministic for a given `today` so tests and screenshots are reproducible.
import { v7 as uuidv7 } from 'uuid';
import type {
  Addendum,
  Appointment,
  Consultation,
  EntityName,
  EntityRows,
  Organisation,
  Patient,
  QueueEntry,
  Room,
  RosterSlot,
  Service,
  Signature,
  Staff,
  Stop,
  Unit,
  Visit,
  Vitals,
} from '../../domain/entities';
import { standardServices, truckRooms } from './organisation';
import { prng } from './prng';

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

  const orgId = options.orgId ?? id();
  const organisation: Organisation[] = [{ id: orgId, name: 'Médicobus Perche Émeraude' }];
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
      opensAt: '08:30',
      closesAt: '17:30',
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
  plan.forEach(([s, time], i) => {
    appointment.push({
      id: id(),
      orgId,
      patientId: patient[(i * 3 + 1) % patient.length]!.id,
      stopId: todayStop.id,
      serviceId: s.id,
      time,
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
      audit: [],
      conflictResolution: [],
      device: [],
      syncReceipt: [],
      contradictionAck: [],
      identityChange: [],
    },
  };
}
