// A returning patient's past record, fetched on demand from the truck's relay or central when
// this device no longer holds it (purged after the day's receipt; docs/protocol.md « Dossier
// antérieur à la demande »). Held in this page's memory only, for the person who asked and the
// day they asked: never written to IndexedDB, gone at the next day, at a reload, or when another
// person works on the device.
import type { PastRecord } from '../domain/patient-record';
import type { RecordAnswer } from '../sync/protocol';
import { authHeaders, type Connection } from './connection';
import { onDataKeyChange } from './data-key';
import type { EscaleDb } from './db';

export type PastRecordResult =
  | { ok: true; answer: RecordAnswer<PastRecord> }
  | { ok: false; message: string };

export const UNREACHABLE_RECORD =
  'Dossier antérieur injoignable : ni le relais du camion ni le serveur central ne répondent. Réessayez quand l’appareil a du réseau.';

const messageOf = async (res: Response): Promise<string> => {
  const body = (await res.json().catch(() => ({}))) as { message?: unknown };
  return typeof body.message === 'string' ? body.message : `Erreur ${res.status}`;
};

/**
 * Asks the servers in order (the truck's relay first). A refusal (4xx) is the answer: the other
 * server applies the same rules. Out of reach, or a relay that can neither answer nor reach
 * central (503): the next server is tried; when none answers, the French reason.
 */
export async function fetchPastRecord(
  connection: Connection,
  request: { patientId: string; staffId: string },
  fetchImpl: typeof fetch = fetch,
): Promise<PastRecordResult> {
  let last = UNREACHABLE_RECORD;
  for (const server of connection.servers) {
    let res: Response;
    try {
      res = await fetchImpl(`${server}/api/record`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...authHeaders(connection) },
        body: JSON.stringify({ org: connection.org, ...request }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch {
      continue;
    }
    if (res.ok) return { ok: true, answer: (await res.json()) as RecordAnswer<PastRecord> };
    const message = await messageOf(res);
    if (res.status >= 500) {
      last = message;
      continue;
    }
    return { ok: false, message };
  }
  return { ok: false, message: last };
}

interface Held {
  day: string;
  staffId: string;
  answer: RecordAnswer<PastRecord>;
}

/** Records fetched today, by patient asked for. Memory only (see the header). */
const held = new Map<string, Held>();

/** The record fetched today for this person, if any; older days are forgotten on the way. */
export function heldPastRecord(
  patientId: string,
  staffId: string,
  day: string,
): RecordAnswer<PastRecord> | null {
  for (const [key, h] of held) if (h.day !== day) held.delete(key);
  const h = held.get(patientId);
  return h && h.staffId === staffId ? h.answer : null;
}

export function keepPastRecord(
  patientId: string,
  staffId: string,
  day: string,
  answer: RecordAnswer<PastRecord>,
): void {
  held.set(patientId, { day, staffId, answer });
}

/** Forgets every fetched record (a person signs out or the device locks). */
export function forgetPastRecords(): void {
  held.clear();
}

// Locking the device forgets them too: clinical data in memory is no safer than at rest.
onDataKeyChange((state) => {
  if (state === 'locked') forgetPastRecords();
});

/** Whether this device purged the patient after a receipt (its history is no longer here). */
export async function patientPurged(db: EscaleDb, patientId: string): Promise<boolean> {
  return (await db.purged.get(['patient', patientId])) !== undefined;
}
