// The evaluation's indicators (docs/design.md §4.4), computed from a day's or a period's records.
// Pure and plain: the result is a JSON-able object with no names in it, ready for export.
//
// Definitions, version 1 (what the researchers get; version 2 adds src/domain/pathway-indicators.ts
// and docs/indicators.md lists both):
// - Records are attributed to a period through their stop: a visit, queue entry, consultation or
//   appointment counts when its stop's date is in the period. Records of earlier stops are only
//   history (they make a patient "returning"); records naming no known stop are counted in
//   `excluded.unknownStop` and nowhere else.
// - Patient = distinct patient with a visit in the period. Without MT / ALD: as ticked by reception
//   at the patient's latest visit in the period.
// - Consultations = consultation records, one per visit and service: two notes written for one
//   visit and service (two rooms took the same patient in) count once (docs/decisions/0004);
//   their room is the note's own room, else the room of their queue entry.
// - Queue entries are read with their *effective* status and room (src/domain/day-invariants.ts):
//   a patient with a note never counts as a no-show or a leaver.
// - Waiting time = per visit, arrival → call of its first service (the entry of lowest position;
//   the start time when it was taken in without a call). Visits never called are not in it (see
//   leavers and no-shows). A requeued entry counts until its last call.
// - Room occupancy = minutes in consultation (startedAt → endedAt of finished entries) divided by
//   the open minutes of the room's roster slots.
// - Returning patient = had a visit at a stop dated before their first stop of the period.
// - Communes covered = communes of the period's stops that took place (open or closed).

import { ageYears } from './age';
import { countedConsultations, withEffectiveStatus } from './day-invariants';
import type {
  Appointment,
  Consultation,
  ContradictionAck,
  FollowedOrientation,
  Orientation,
  Patient,
  QueueEntry,
  Room,
  RosterSlot,
  Service,
  Signature,
  Staff,
  Stop,
  Vaccination,
  Visit,
} from './entities';
import { mean, median, percentile } from './estimates';
import {
  type Activity,
  activity,
  homeEpci,
  INDICATORS_VERSION,
  leadTimesDays,
  type PlaceOf,
  type Precarity,
  type Prevention,
  pathways,
  precarity,
  prevention,
  type Questionnaire,
  questionnaire,
  type Reattachment,
  reattachment,
  type Stats,
  supervisionDelays,
  visitMtState,
} from './pathway-indicators';
import { isHHMM, isIsoDate, toMinutes } from './time';

export { ageYears };

export interface IndicatorInput {
  stops: readonly Stop[];
  visits: readonly Visit[];
  queueEntries: readonly QueueEntry[];
  consultations: readonly Consultation[];
  appointments: readonly Appointment[];
  patients: readonly Patient[];
  rosterSlots: readonly RosterSlot[];
  rooms: readonly Room[];
  services: readonly Service[];
  /** Author signatures (a note signed counts as done); optional, the note's status also says it. */
  signatures?: readonly Signature[];
  /** Acknowledged contradictions: the note a person kept among two is the one counted. */
  acknowledgements?: readonly ContradictionAck[];
  /** Inclusive 'YYYY-MM-DD' bounds; default: every stop given. */
  period?: { from: string; to: string };
  // Version 2 (src/domain/pathway-indicators.ts): optional, absent means none held.
  /** Orientations followed to their outcome (evidence of a médecin traitant found). */
  orientations?: readonly FollowedOrientation[];
  /** The team (activity per profession and per intern). */
  staff?: readonly Staff[];
  /** Vaccinations recorded (those given in the truck are prevention acts). */
  vaccinations?: readonly Vaccination[];
  /** The EPCI of a commune (src/domain/epci.ts); absent: the EPCI table is null. */
  placeOf?: PlaceOf;
}

export const AGE_BANDS = ['0-15', '16-25', '26-45', '46-65', '66-75', '76+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

/**
 * Age band for pseudonymised exports: paediatric, young adults, working ages, young-old and old
 * (the breaks follow the usual primary-care age groups; 76+ keeps the oldest cells large enough).
 */
export function ageBand(birthDate: string, onDate: string): AgeBand {
  const age = ageYears(birthDate, onDate);
  if (age <= 15) return '0-15';
  if (age <= 25) return '16-25';
  if (age <= 45) return '26-45';
  if (age <= 65) return '46-65';
  if (age <= 75) return '66-75';
  return '76+';
}

export type { Stats } from './pathway-indicators';

export function stats(values: readonly number[]): Stats {
  return {
    count: values.length,
    mean: round(mean(values)),
    median: round(median(values)),
    p90: round(percentile(values, 90)),
    min: values.length ? round(Math.min(...values)) : null,
    max: values.length ? round(Math.max(...values)) : null,
  };
}

type OrientationKind = Orientation['kind'];
const ORIENTATION_KINDS: OrientationKind[] = [
  'none',
  'mt_found',
  'mt_declared',
  'msp_cpts',
  'specialist',
  'emergency',
  'social_worker',
  'follow_up_truck',
];

export interface Indicators {
  /** The definitions' version (INDICATORS_VERSION, docs/indicators.md). */
  version: number;
  /** Nothing held for the period: no stop, visit nor appointment (figures are not facts then). */
  empty: boolean;
  period: { from: string | null; to: string | null };
  totals: {
    stops: number;
    patients: number;
    visits: number;
    queueEntries: number;
    consultations: number;
    appointments: number;
  };
  byStop: {
    stopId: string;
    date: string;
    communeInsee: string;
    patients: number;
    visits: number;
    consultations: number;
  }[];
  byCommune: {
    communeInsee: string;
    communeName: string;
    stops: number;
    patients: number;
    visits: number;
    consultations: number;
  }[];
  /** Where patients live (null: not recorded). */
  byHomeCommune: { communeInsee: string | null; patients: number }[];
  byService: {
    serviceId: string;
    code: string | null;
    patients: number;
    queueEntries: number;
    consultations: number;
  }[];
  byRoom: {
    roomId: string;
    name: string | null;
    patients: number;
    consultations: number;
    busyMinutes: number;
    openMinutes: number;
    occupancy: number | null;
  }[];
  consultationsWithoutRoom: number;
  population: {
    patients: number;
    noMt: number;
    noMtShare: number | null;
    ald: number;
    aldShare: number | null;
    aldNoMt: number;
    aldNoMtShare: number | null;
    /** Version 2: MT unknown at their latest visit of the period (never « sans MT »). */
    mtUnknown: number;
  };
  /** Version 2: first visit → later evidence of a médecin traitant. */
  reattachment: Reattachment;
  /** Version 2: the EPCI of where patients live (null: no EPCI table given). */
  byHomeEpci: { epci: string | null; name: string | null; patients: number }[] | null;
  precarity: Precarity;
  /** Days from booking to appointment (the period's appointments, cancelled ones out). */
  appointmentLeadDays: Stats;
  activity: Activity;
  /** Hours from the intern's signature to the supervisor's validation. */
  supervision: { hours: Stats; awaiting: number };
  prevention: Prevention;
  cancelledStops: { count: number; stops: { date: string; communeName: string }[] };
  questionnaire: Questionnaire;
  ageBands: Record<AgeBand | 'inconnu', number>;
  orientations: {
    total: number;
    byKind: Record<OrientationKind, number>;
    mtFound: number;
    mtDeclared: number;
    /** Patients without MT whose consultation ended with an MT found or declared. */
    noMtPatientsWithMt: number;
  };
  waitingMinutes: Stats;
  noShows: { appointments: number; queueEntries: number; total: number };
  leavers: { queueEntries: number; visits: number };
  cancelled: { appointments: number; queueEntries: number };
  patientsNewVsReturning: { new: number; returning: number };
  communesCovered: { count: number; communes: { communeInsee: string; communeName: string }[] };
  excluded: { unknownStop: number };
}

function round(v: number | null, digits = 2): number | null {
  if (v === null) return null;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
const share = (n: number, d: number) => (d === 0 ? null : round(n / d, 4));
const live = <T extends { _deleted?: boolean }>(rows: readonly T[]): T[] =>
  rows.filter((r) => !r._deleted);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function countBy<T>(rows: readonly T[], key: (r: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + 1);
  return m;
}
function distinctBy<T>(rows: readonly T[], key: (r: T) => string, value: (r: T) => string) {
  const m = new Map<string, Set<string>>();
  for (const r of rows) {
    const s = m.get(key(r));
    if (s) s.add(value(r));
    else m.set(key(r), new Set([value(r)]));
  }
  return m;
}
function minutesBetween(a: string | null, b: string | null): number | null {
  if (!a || !b) return null;
  const x = Date.parse(a);
  const y = Date.parse(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return null;
  return (y - x) / 60_000;
}

/** Total minutes covered by half-open ranges (overlaps counted once). */
function unionMinutes(ranges: [number, number][]): number {
  const sorted = ranges.filter(([s, e]) => s < e).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let curS = -1;
  let curE = -1;
  for (const [s, e] of sorted) {
    if (s > curE) {
      total += curE - curS;
      curS = s;
      curE = e;
    } else if (e > curE) curE = e;
  }
  return total + (curE - curS);
}

export function computeIndicators(input: IndicatorInput): Indicators {
  const allStops = live(input.stops);
  const stopById = new Map(allStops.map((s) => [s.id, s]));
  const inPeriod = (s: Stop) =>
    !input.period || (s.date >= input.period.from && s.date <= input.period.to);
  const stops = allStops.filter(inPeriod).sort((a, b) => cmp(a.date, b.date) || cmp(a.id, b.id));
  const stopIds = new Set(stops.map((s) => s.id));

  let unknownStop = 0;
  const attribute = <T extends { stopId: string; _deleted?: boolean }>(rows: readonly T[]) =>
    live(rows).filter((r) => {
      if (!stopById.has(r.stopId)) {
        unknownStop++;
        return false;
      }
      return stopIds.has(r.stopId);
    });
  const allVisits = live(input.visits);
  const visits = attribute(input.visits);
  const effective = withEffectiveStatus({
    visits: input.visits,
    queueEntries: input.queueEntries,
    consultations: input.consultations,
    ...(input.signatures ? { signatures: input.signatures } : {}),
  });
  const entries = attribute(effective);
  const consultations = attribute(
    countedConsultations(input.consultations, {
      ...(input.signatures ? { signatures: input.signatures } : {}),
      ...(input.acknowledgements ? { acknowledgements: input.acknowledgements } : {}),
    }),
  );
  const appointments = attribute(input.appointments);
  const patientById = new Map(live(input.patients).map((p) => [p.id, p]));
  const serviceById = new Map(live(input.services).map((s) => [s.id, s]));
  const roomById = new Map(live(input.rooms).map((r) => [r.id, r]));
  const visitById = new Map(allVisits.map((v) => [v.id, v]));
  const entryById = new Map(live(effective).map((e) => [e.id, e]));
  const stopDate = (stopId: string) => stopById.get(stopId)?.date ?? '';

  // ---- per stop and commune ----
  const patientsPerStop = distinctBy(
    visits,
    (v) => v.stopId,
    (v) => v.patientId,
  );
  const visitsPerStop = countBy(visits, (v) => v.stopId);
  const consultsPerStop = countBy(consultations, (c) => c.stopId);
  const byStop = stops.map((s) => ({
    stopId: s.id,
    date: s.date,
    communeInsee: s.communeInsee,
    patients: patientsPerStop.get(s.id)?.size ?? 0,
    visits: visitsPerStop.get(s.id) ?? 0,
    consultations: consultsPerStop.get(s.id) ?? 0,
  }));
  const communeOf = (stopId: string) => stopById.get(stopId)!.communeInsee;
  const patientsPerCommune = distinctBy(
    visits,
    (v) => communeOf(v.stopId),
    (v) => v.patientId,
  );
  const byCommune = [...new Set(stops.map((s) => s.communeInsee))].sort().map((insee) => {
    const its = stops.filter((s) => s.communeInsee === insee);
    return {
      communeInsee: insee,
      communeName: its[0]!.communeName,
      stops: its.length,
      patients: patientsPerCommune.get(insee)?.size ?? 0,
      visits: its.reduce((n, s) => n + (visitsPerStop.get(s.id) ?? 0), 0),
      consultations: its.reduce((n, s) => n + (consultsPerStop.get(s.id) ?? 0), 0),
    };
  });

  // ---- patients: latest visit of the period gives the flags; first gives age and novelty ----
  const visitsByPatient = new Map<string, Visit[]>();
  for (const v of visits) {
    const list = visitsByPatient.get(v.patientId);
    if (list) list.push(v);
    else visitsByPatient.set(v.patientId, [v]);
  }
  const visitOrder = (a: Visit, b: Visit) =>
    cmp(stopDate(a.stopId), stopDate(b.stopId)) || cmp(a.arrivedAt, b.arrivedAt) || cmp(a.id, b.id);
  let noMt = 0;
  let mtUnknown = 0;
  let ald = 0;
  let aldNoMt = 0;
  let returning = 0;
  const noMtPatients = new Set<string>();
  const ageBands = Object.fromEntries([...AGE_BANDS, 'inconnu'].map((b) => [b, 0])) as Record<
    AgeBand | 'inconnu',
    number
  >;
  const home = new Map<string | null, number>();
  for (const [patientId, list] of visitsByPatient) {
    list.sort(visitOrder);
    const first = list[0]!;
    const latest = list[list.length - 1]!;
    const state = visitMtState(latest);
    if (state === 'none') {
      noMt++;
      noMtPatients.add(patientId);
    } else if (state === 'unknown') mtUnknown++;
    if (latest.ald) ald++;
    if (state === 'none' && latest.ald) aldNoMt++;
    const firstDate = stopDate(first.stopId);
    if (
      allVisits.some(
        (v) =>
          v.patientId === patientId && stopById.has(v.stopId) && stopDate(v.stopId) < firstDate,
      )
    ) {
      returning++;
    }
    const patient = patientById.get(patientId);
    let band: AgeBand | 'inconnu' = 'inconnu';
    if (patient && isIsoDate(patient.birthDate) && patient.birthDate <= firstDate) {
      band = ageBand(patient.birthDate, firstDate);
    }
    ageBands[band]++;
    const commune = patient?.communeInsee ?? null;
    home.set(commune, (home.get(commune) ?? 0) + 1);
  }
  const patientCount = visitsByPatient.size;

  // ---- services and rooms ----
  const patientOfEntry = (e: QueueEntry) => visitById.get(e.visitId)?.patientId ?? `v:${e.visitId}`;
  const serviceIds = [
    ...new Set([...entries.map((e) => e.serviceId), ...consultations.map((c) => c.serviceId)]),
  ].sort((a, b) => cmp(serviceById.get(a)?.code ?? `~${a}`, serviceById.get(b)?.code ?? `~${b}`));
  const entriesPerService = countBy(entries, (e) => e.serviceId);
  const consultsPerService = countBy(consultations, (c) => c.serviceId);
  const patientsPerService = distinctBy(entries, (e) => e.serviceId, patientOfEntry);
  const byService = serviceIds.map((id) => ({
    serviceId: id,
    code: serviceById.get(id)?.code ?? null,
    patients: patientsPerService.get(id)?.size ?? 0,
    queueEntries: entriesPerService.get(id) ?? 0,
    consultations: consultsPerService.get(id) ?? 0,
  }));

  const roomOfConsultation = (c: Consultation) =>
    c.roomId ?? entryById.get(c.queueEntryId)?.roomId ?? null;
  const seenEntries = entries.filter(
    (e) => e.roomId && (e.status.status === 'done' || e.status.status === 'in_consultation'),
  );
  const patientsPerRoom = distinctBy(seenEntries, (e) => e.roomId!, patientOfEntry);
  const consultsPerRoom = countBy(
    consultations.filter((c) => roomOfConsultation(c) !== null),
    (c) => roomOfConsultation(c)!,
  );
  const busyPerRoom = new Map<string, number>();
  for (const e of entries) {
    if (!e.roomId || e.status.status !== 'done') continue;
    const m = minutesBetween(e.startedAt, e.endedAt);
    if (m !== null && m > 0) busyPerRoom.set(e.roomId, (busyPerRoom.get(e.roomId) ?? 0) + m);
  }
  const openPerRoom = new Map<string, number>();
  const slots = live(input.rosterSlots).filter(
    (s) => stopIds.has(s.stopId) && isHHMM(s.start) && isHHMM(s.end),
  );
  for (const [key, group] of distinctBy(
    slots,
    (s) => `${s.roomId}\u0000${s.stopId}`,
    (s) => `${s.start}-${s.end}`,
  )) {
    const roomId = key.split('\u0000')[0]!;
    const ranges = [...group].map((r): [number, number] => {
      const [a, b] = r.split('-') as [string, string];
      return [toMinutes(a), toMinutes(b)];
    });
    openPerRoom.set(roomId, (openPerRoom.get(roomId) ?? 0) + unionMinutes(ranges));
  }
  const roomIds = [
    ...new Set([
      ...live(input.rooms).map((r) => r.id),
      ...consultsPerRoom.keys(),
      ...busyPerRoom.keys(),
      ...patientsPerRoom.keys(),
    ]),
  ].sort(
    (a, b) =>
      (roomById.get(a)?.order ?? Number.MAX_SAFE_INTEGER) -
        (roomById.get(b)?.order ?? Number.MAX_SAFE_INTEGER) || cmp(a, b),
  );
  const byRoom = roomIds.map((id) => {
    const busy = round(busyPerRoom.get(id) ?? 0)!;
    const open = openPerRoom.get(id) ?? 0;
    return {
      roomId: id,
      name: roomById.get(id)?.name ?? null,
      patients: patientsPerRoom.get(id)?.size ?? 0,
      consultations: consultsPerRoom.get(id) ?? 0,
      busyMinutes: busy,
      openMinutes: open,
      occupancy: share(busy, open),
    };
  });

  // ---- orientations ----
  const byKind = Object.fromEntries(ORIENTATION_KINDS.map((k) => [k, 0])) as Record<
    OrientationKind,
    number
  >;
  const withMt = new Set<string>();
  for (const c of consultations) {
    byKind[c.orientation.kind] = (byKind[c.orientation.kind] ?? 0) + 1;
    if (
      (c.orientation.kind === 'mt_found' || c.orientation.kind === 'mt_declared') &&
      noMtPatients.has(c.patientId)
    ) {
      withMt.add(c.patientId);
    }
  }

  // ---- waiting ----
  const entriesByVisit = new Map<string, QueueEntry[]>();
  for (const e of entries) {
    const list = entriesByVisit.get(e.visitId);
    if (list) list.push(e);
    else entriesByVisit.set(e.visitId, [e]);
  }
  const waits: number[] = [];
  for (const v of visits) {
    const list = entriesByVisit.get(v.id);
    if (!list) continue;
    const first = [...list].sort((a, b) => a.position - b.position || cmp(a.id, b.id))[0]!;
    const m = minutesBetween(v.arrivedAt, first.calledAt ?? first.startedAt);
    if (m !== null) waits.push(Math.max(0, round(m)!));
  }

  // ---- no-shows, leavers, cancellations ----
  const apptNoShow = appointments.filter((a) => a.status === 'no_show').length;
  const entryNoShow = entries.filter((e) => e.status.status === 'no_show').length;
  const left = entries.filter((e) => e.status.status === 'left');

  const covered = new Map<string, string>();
  for (const s of stops) {
    if (s.status === 'open' || s.status === 'closed') covered.set(s.communeInsee, s.communeName);
  }

  // ---- version 2 ----
  const cohort = new Set(visitsByPatient.keys());
  const paths = pathways({
    visits: allVisits,
    stops: allStops,
    patients: live(input.patients),
    ...(input.orientations ? { orientations: input.orientations } : {}),
    ...(input.period ? { until: input.period.to } : {}),
  });
  const supervised = supervisionDelays(consultations, input.signatures);
  const dateInPeriod = (date: string) =>
    !input.period || (date >= input.period.from && date <= input.period.to);
  const cancelledStops = stops.filter((s) => s.status === 'cancelled');

  return {
    version: INDICATORS_VERSION,
    empty: stops.length === 0 && visits.length === 0 && appointments.length === 0,
    period: {
      from: input.period?.from ?? stops[0]?.date ?? null,
      to: input.period?.to ?? stops[stops.length - 1]?.date ?? null,
    },
    totals: {
      stops: stops.length,
      patients: patientCount,
      visits: visits.length,
      queueEntries: entries.length,
      consultations: consultations.length,
      appointments: appointments.length,
    },
    byStop,
    byCommune,
    byHomeCommune: [...home]
      .map(([communeInsee, patients]) => ({ communeInsee, patients }))
      .sort((a, b) => cmp(a.communeInsee ?? '~', b.communeInsee ?? '~')),
    byService,
    byRoom,
    consultationsWithoutRoom: consultations.filter((c) => roomOfConsultation(c) === null).length,
    population: {
      patients: patientCount,
      noMt,
      noMtShare: share(noMt, patientCount),
      ald,
      aldShare: share(ald, patientCount),
      aldNoMt,
      aldNoMtShare: share(aldNoMt, patientCount),
      mtUnknown,
    },
    reattachment: reattachment(cohort, paths, stats, share),
    byHomeEpci: homeEpci(cohort, patientById, input.placeOf),
    precarity: precarity(cohort, patientById, share),
    appointmentLeadDays: stats(leadTimesDays(appointments, stopDate)),
    activity: activity(consultations, input.staff),
    supervision: { hours: stats(supervised.hours), awaiting: supervised.awaiting },
    prevention: prevention(consultations, input.vaccinations, dateInPeriod),
    cancelledStops: {
      count: cancelledStops.length,
      stops: cancelledStops.map((s) => ({ date: s.date, communeName: s.communeName })),
    },
    questionnaire: questionnaire(visits),
    ageBands,
    orientations: {
      total: consultations.length,
      byKind,
      mtFound: byKind.mt_found,
      mtDeclared: byKind.mt_declared,
      noMtPatientsWithMt: withMt.size,
    },
    waitingMinutes: stats(waits),
    noShows: {
      appointments: apptNoShow,
      queueEntries: entryNoShow,
      total: apptNoShow + entryNoShow,
    },
    leavers: { queueEntries: left.length, visits: new Set(left.map((e) => e.visitId)).size },
    cancelled: {
      appointments: appointments.filter((a) => a.status === 'cancelled').length,
      queueEntries: entries.filter((e) => e.status.status === 'cancelled').length,
    },
    patientsNewVsReturning: { new: patientCount - returning, returning },
    communesCovered: {
      count: covered.size,
      communes: [...covered]
        .map(([communeInsee, communeName]) => ({ communeInsee, communeName }))
        .sort((a, b) => cmp(a.communeInsee, b.communeInsee)),
    },
    excluded: { unknownStop },
  };
}
