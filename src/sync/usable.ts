// What a fresh device needs before it can work (issue 18 §3, docs/decisions/0030-usable-first.md):
// the reference data, the stops, and the day's rows — those of the day's stop (its roster,
// appointments, visits, queue entries, consultations…), the rows hanging off them, and the
// patients they name. The snapshot sends these first (src/sync/snapshot.ts, snapshotParts), so a
// device is usable after ≈ 50 kB while the registry and its history are still on their way.
// Pure: the server chooses the first part with it; the device never needs it.
import type { Registry } from './fields';
import { materialise, type RowState } from './merge';

/** Entities a device needs whole to work: the organisation's description and its planning. */
export const REFERENCE_ENTITIES: ReadonlySet<string> = new Set([
  'organisation',
  'unit',
  'room',
  'staff',
  'service',
  'stop',
  'documentTemplate',
  'device',
]);

/** Fields naming a row of the day whose dependants belong to the day too. */
const DAY_LINKS = ['stopId', 'visitId', 'queueEntryId', 'consultationId'] as const;

const isoDay = /^\d{4}-\d{2}-\d{2}$/;

/** Whether `day` is a calendar date as the snapshot route accepts it ('YYYY-MM-DD'). */
export const isDay = (day: string): boolean =>
  isoDay.test(day) && !Number.isNaN(Date.parse(`${day}T00:00:00Z`));

/**
 * The rows of `states` a device needs first on `day`: every row of a reference entity; the rows
 * whose stopId is a stop of that date; the rows naming one of those (visitId, queueEntryId,
 * consultationId), to a fixed point; the patients any of these name (patientId, the patient of a
 * visit). Deleted rows count as rows (a deleted stop's dependants are not the day's).
 */
export function usableRows(
  states: Iterable<RowState>,
  day: string,
  registry: Registry,
): Set<RowState> {
  const first = new Set<RowState>();
  const values = new Map<RowState, Record<string, unknown>>();
  const rest: RowState[] = [];
  const dayIds = new Set<string>();
  for (const st of states) {
    if (REFERENCE_ENTITIES.has(st.e)) {
      first.add(st);
      if (st.e === 'stop') {
        const row = materialise(st, registry);
        if (row.date === day && row._deleted !== true) dayIds.add(st.id);
      }
      continue;
    }
    if (st.e === 'patient') {
      rest.push(st);
      continue;
    }
    const row = materialise(st, registry);
    // Only rows that can name a row of the day are read again below.
    if (DAY_LINKS.some((f) => typeof row[f] === 'string')) values.set(st, row);
    else rest.push(st);
  }
  // Rows naming a row of the day join it, until nothing more joins (a vitals row names a
  // consultation which names a queue entry which names the stop).
  let pending = [...values.keys()];
  for (let grew = true; grew; ) {
    grew = false;
    const next: RowState[] = [];
    for (const st of pending) {
      const row = values.get(st)!;
      if (DAY_LINKS.some((f) => typeof row[f] === 'string' && dayIds.has(row[f] as string))) {
        first.add(st);
        dayIds.add(st.id);
        grew = true;
      } else next.push(st);
    }
    pending = next;
  }
  const patients = new Set<string>();
  for (const st of first) {
    const row = values.get(st);
    if (typeof row?.patientId === 'string') patients.add(row.patientId);
  }
  for (const st of rest) if (st.e === 'patient' && patients.has(st.id)) first.add(st);
  return first;
}
