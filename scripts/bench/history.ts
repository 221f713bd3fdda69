// The server store of a truck after a year (issue 19 §5): what a fresh device pulls when it joins
// an organisation that has worked for a year, as the log holds it — not only the final rows.
// In log order, as the organisation wrote it:
//   1. the reference data (organisation, truck, rooms, staff, services), seeded once;
//   2. the registry imported at the start of the year (patient-import.ts's case), every field an op;
//   3. HISTORY_DAYS past days, each a busy day of the reference day's generator (another seed)
//      played on the same truck by the same staff and devices (their ids mapped onto today's), its
//      returning patients mapped onto registry identities, its newcomers registered that day, its
//      stop and roster planned that morning: every autosave, queue move and audit event as the
//      write path made them (OpWriter), so most values in the log are superseded ones;
//   4. today: the reference day itself (seed 9), its stop and roster, then its actions.
// The registry holds REGISTRY identities at the end (import + 20 newcomers a day).
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Change } from '../../src/device/write';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import { rowsToOps } from '../../src/server/seed/ops';
import { openSqliteStore } from '../../src/server/store/open';
import type { SyncStore } from '../../src/server/store/types';
import type { Op } from '../../src/sync/op';
import { DAY_DATE, type DayAction, type ReferenceDay, referenceDay } from './day';
import { REGISTRY } from './escale';
import { frenchPatients } from './identities';
import { OpWriter } from './op-writer';

/**
 * Past stop days in the store: a truck out four days a week, 48 weeks a year, every day as busy
 * as the reference day (80 patients). `BENCH_HISTORY_DAYS` sets fewer while developing.
 */
export const HISTORY_DAYS = Number(process.env.BENCH_HISTORY_DAYS ?? 192);

/** Identities in the registry at the end (`BENCH_REGISTRY`: fewer while developing). */
export const HISTORY_REGISTRY = Number(process.env.BENCH_REGISTRY ?? REGISTRY);

export interface HistoryStore {
  file: string;
  /** Ops in the log. */
  ops: number;
  /** Seq of the last op of the reference data (organisation, rooms, staff, services). */
  referenceSeq: number;
  /** Seq of the first and last op of today (its stop, roster and actions). */
  todayFirstSeq: number;
  todayLastSeq: number;
  days: number;
  /** Today's stop, and the queue entries it holds at the end of the log. */
  todayStopId: string;
  todayQueueEntries: number;
  /** Identities in the registry at the end of the log. */
  patients: number;
  /** Bytes of the ops' JSON in the log. */
  logBytes: number;
}

/** `YYYY-MM-DD`, `days` before the reference day. */
function dateBefore(days: number): string {
  return new Date(Date.parse(`${DAY_DATE}T12:00:00Z`) - days * 86_400_000)
    .toISOString()
    .slice(0, 10);
}

/** The calendar day of past day `k` (1 = the oldest): four days a week, back from yesterday. */
function pastDate(k: number, days: number): string {
  const back = days - k + 1; // 1 = yesterday's stop day
  const weeks = Math.floor((back - 1) / 4);
  return dateBefore(weeks * 7 + ((back - 1) % 4) + 1);
}

/** A day's stop and roster as planned that morning: one set per field. */
function planningOf(day: ReferenceDay): Change[] {
  const set = (entity: 'stop' | 'rosterSlot', row: { id: string }): Change => {
    const { id, ...fields } = row;
    return { entity, id, set: fields } as Change;
  };
  return [
    ...(day.reference.stop ?? []).map((r) => set('stop', r)),
    ...(day.reference.rosterSlot ?? []).map((r) => set('rosterSlot', r)),
  ];
}

/** A past day of the same truck: day `seed`'s ids of the organisation, truck, rooms, staff,
 * services and devices mapped onto `today`'s, its returning patients onto `registryIds`, its date
 * onto `date`. */
function pastDay(
  today: ReferenceDay,
  seed: number,
  registryIds: string[],
  date: string,
): { planning: Change[]; actions: DayAction[] } {
  const day = referenceDay(seed);
  const map = new Map<string, string>([[day.org, today.org]]);
  day.devices.forEach((d, i) => {
    map.set(d, today.devices[i]!);
  });
  const pairs = ['unit', 'room', 'staff', 'service'] as const;
  for (const e of pairs) {
    const mine = day.reference[e] ?? [];
    const theirs = today.reference[e] ?? [];
    if (mine.length !== theirs.length) throw new Error(`past day ${seed}: ${e} differ`);
    mine.forEach((r, i) => {
      map.set(r.id, theirs[i]!.id);
    });
  }
  (day.reference.patient ?? []).forEach((p, i) => {
    map.set(p.id, registryIds[i]!);
  });
  map.set(DAY_DATE, date);
  const pattern = new RegExp([...map.keys()].map((k) => k.replace(/-/g, '\\-')).join('|'), 'g');
  const remap = <T>(x: T): T =>
    JSON.parse(JSON.stringify(x).replace(pattern, (m) => map.get(m)!)) as T;
  const planning = planningOf(day);
  return { planning: remap(planning), actions: remap(day.actions) };
}

function sourceKey(days: number): string {
  const h = createHash('sha256');
  for (const f of [
    'scripts/bench/history.ts',
    'scripts/bench/identities.ts',
    'scripts/bench/day.ts',
    'scripts/bench/notes.ts',
    'scripts/bench/op-writer.ts',
    'src/server/seed/ops.ts',
    'src/server/store/kysely-store.ts',
    'src/domain/entities.ts',
    'src/sync/merge.ts',
  ]) {
    h.update(readFileSync(f));
  }
  h.update(`${days}/${HISTORY_REGISTRY}/${SCHEMA_VERSION}`);
  return h.digest('hex').slice(0, 16);
}

async function build(store: SyncStore, days: number): Promise<Omit<HistoryStore, 'file'>> {
  const today = referenceDay();
  const org = today.org;
  let logBytes = 0;
  const push = async (ops: Op[]) => {
    for (let i = 0; i < ops.length; i += 5000) {
      const batch = ops.slice(i, i + 5000);
      for (const op of batch) logBytes += JSON.stringify(op).length;
      await store.push(org, batch);
    }
  };
  const { organisation, unit, room, staff, service } = today.reference;
  await push(rowsToOps(org, 'seed', { organisation, unit, room, staff, service }));
  const referenceSeq = await store.lastSeq(org);

  // The registry as imported at the start of the year: today's returning patients among them.
  const newcomersPerDay = 20;
  const imported = [
    ...(today.reference.patient ?? []),
    ...frenchPatients(
      HISTORY_REGISTRY - (today.reference.patient?.length ?? 0) - newcomersPerDay * (days + 1),
      org,
      2026,
    ),
  ];
  await push(rowsToOps(org, 'import', { patient: imported }));
  const registryIds = imported.map((p) => p.id);

  const planner = new OpWriter('planning', org);
  const writers = today.devices.map((d) => new OpWriter(d, org));
  const coordinator = today.reference.staff?.find((s) => s.roles.includes('coordinateur'))?.id;
  const play = async (planning: Change[], actions: DayAction[]) => {
    const ops = planner.write(planning, coordinator);
    for (const a of actions) ops.push(...writers[a.device]!.write(a.changes, a.staffId));
    await push(ops);
  };
  for (let k = 1; k <= days; k++) {
    // The returning patients of a past day: 60 identities of the registry, spread over it.
    const start = ((k - 1) * 997) % (registryIds.length - 60);
    const past = pastDay(today, 1000 + k, registryIds.slice(start, start + 60), pastDate(k, days));
    await play(past.planning, past.actions);
  }

  const todayFirstSeq = (await store.lastSeq(org)) + 1;
  const planning = planningOf(today);
  await play(planning, today.actions);
  const todayLastSeq = await store.lastSeq(org);
  const todayStopId = today.reference.stop![0]!.id;
  const todayQueueEntries = new Set(
    today.actions.flatMap((a) =>
      a.changes.filter((c) => c.entity === 'queueEntry').map((c) => c.id),
    ),
  ).size;
  return {
    ops: todayLastSeq,
    referenceSeq,
    todayFirstSeq,
    todayLastSeq,
    days,
    todayStopId,
    todayQueueEntries,
    patients: imported.length + newcomersPerDay * (days + 1),
    logBytes,
  };
}

/**
 * A copy of the SQLite store holding a year of the reference organisation's history (≈ 2.5 M
 * ops with the registry: several minutes to build), cached under .bench/history/ by a hash of
 * the code that shapes it. The caller owns the copy.
 */
export async function historyStoreCopy(dest: string, days = HISTORY_DAYS): Promise<HistoryStore> {
  const dir = '.bench/history';
  const file = join(dir, `history-${days}d-${sourceKey(days)}.sqlite`);
  const infoFile = `${file}.json`;
  if (!existsSync(file) || !existsSync(infoFile)) {
    mkdirSync(dir, { recursive: true });
    // Caches of older code are dead weight (gigabytes each); other sizes are kept.
    for (const old of readdirSync(dir)) {
      if (old.startsWith(`history-${days}d-`)) rmSync(join(dir, old), { force: true });
    }
    const building = `${file}.building`;
    rmSync(building, { force: true });
    const store = await openSqliteStore(building);
    const info = await build(store, days);
    await store.close();
    // One file, no WAL beside it, so a plain copy is a whole database.
    const db = new Database(building);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('journal_mode = DELETE');
    db.close();
    renameSync(building, file);
    writeFileSync(infoFile, JSON.stringify(info));
  }
  copyFileSync(file, dest);
  return {
    file: dest,
    ...(JSON.parse(readFileSync(infoFile, 'utf8')) as Omit<HistoryStore, 'file'>),
  };
}
