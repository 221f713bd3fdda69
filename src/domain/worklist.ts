// The coordinator's worklist (issue 17 item 2): orientations to follow, patients without a
// médecin traitant to recall at chosen intervals, notes awaiting review. Pure: the screen passes
// the rows and the day; the acts on it are src/domain/orientation.ts's and the patient's MT status
// (`mtStatus`, `mtStatusAt`, `mtSource`).
import type { Consultation, FollowedOrientation, Patient, Visit } from './entities';
import { isToFollow } from './orientation';

/** Months after a patient's last visit when a patient still without MT is called back. */
export const DEFAULT_RECALL_MONTHS: readonly number[] = [1, 3];

export type RecallParse = { ok: true; months: number[] } | { ok: false; reason: string };

/** Reads « 1, 3 » (months). Refused: empty, not a whole number, 0, more than 24, repeated. */
export function parseRecallMonths(text: string): RecallParse {
  const parts = text
    .split(/[\s,;]+/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) {
    return { ok: false, reason: 'Indiquer au moins un intervalle de rappel, en mois (ex. 1, 3).' };
  }
  const months: number[] = [];
  for (const p of parts) {
    if (!/^\d+$/.test(p)) {
      return { ok: false, reason: `« ${p} » n’est pas un nombre entier de mois.` };
    }
    const n = Number(p);
    if (n === 0) {
      return {
        ok: false,
        reason: 'Un intervalle de rappel de 0 mois rappellerait le jour même : au moins 1 mois.',
      };
    }
    if (n > 24) return { ok: false, reason: 'Un intervalle de rappel dépasse 24 mois.' };
    if (months.includes(n)) return { ok: false, reason: `L’intervalle ${n} mois est répété.` };
    months.push(n);
  }
  return { ok: true, months: months.sort((a, b) => a - b) };
}

/** The calendar date `months` after `date` (AAAA-MM-JJ), clamped to the month's last day. */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const day = Math.min(d, last);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export interface Recall {
  patient: Patient;
  /** Date of the last visit the recall counts from (AAAA-MM-JJ). */
  lastVisit: string;
  /** The interval due (months) and its date. */
  months: number;
  due: string;
}

/**
 * Patients without MT whose recall is due: for each interval, due `months` after their last
 * visit; done once their MT status was recorded on or after that date (a recall records it, even
 * « toujours sans MT »). Only the latest interval due is listed. An unknown MT is not « sans MT »:
 * it is asked at the next check-in, not recalled. Merged identities are skipped.
 */
export function recallsDue(
  patients: readonly Patient[],
  visits: readonly Pick<Visit, 'patientId' | 'arrivedAt' | '_deleted'>[],
  months: readonly number[],
  today: string,
  dateOf: (iso: string) => string,
): Recall[] {
  const last = new Map<string, string>();
  for (const v of visits) {
    if (v._deleted) continue;
    const d = dateOf(v.arrivedAt);
    const seen = last.get(v.patientId);
    if (!seen || d > seen) last.set(v.patientId, d);
  }
  const out: Recall[] = [];
  for (const p of patients) {
    if (p._deleted || p.mergedInto || p.mtStatus !== 'none') continue;
    const lastVisit = last.get(p.id);
    if (!lastVisit) continue;
    const recorded = p.mtStatusAt ? dateOf(p.mtStatusAt) : null;
    const due = [...months]
      .sort((a, b) => b - a)
      .map((m) => ({ months: m, due: addMonths(lastVisit, m) }))
      .find((r) => r.due <= today);
    if (!due || (recorded !== null && recorded >= due.due)) continue;
    out.push({ patient: p, lastVisit, ...due });
  }
  return out.sort((a, b) => a.due.localeCompare(b.due) || a.patient.id.localeCompare(b.patient.id));
}

/** Orientations to follow, the longest untouched first. */
export function orientationsToFollow(
  orientations: readonly FollowedOrientation[],
): FollowedOrientation[] {
  return orientations
    .filter(isToFollow)
    .sort((a, b) => a.state.at.localeCompare(b.state.at) || a.id.localeCompare(b.id));
}

/** Notes signed and awaiting their review, oldest first. */
export function notesAwaitingReview(consultations: readonly Consultation[]): Consultation[] {
  return consultations
    .filter((c) => !c._deleted && c.status === 'to_validate')
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}
