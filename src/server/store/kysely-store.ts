// One implementation of SyncStore over Kysely, for SQLite and PostgreSQL alike. The merge is the
// shared pure core (src/sync): the server never re-implements it.
import { randomUUID } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import { entitySpec, SCHEMA_VERSION } from '../../domain/entities';
import { opRowRefs, rowKey } from '../../domain/retention';
import { digestRows } from '../../sync/digest';
import { applyOp, materialise, type RowState, validateOp } from '../../sync/merge';
import type { Op } from '../../sync/op';
import type { SeqOp } from '../../sync/protocol';
import {
  DESTROYED_CODE,
  DESTROYED_REASON,
  type DeviceGap,
  type PullPage,
  type PushOptions,
  type QuarantinedOp,
  type QuarantineEntry,
  type RetentionCount,
  type RetiredRecord,
  type Retraction,
  type RowRef,
  type StoreKind,
  type SyncStore,
} from './types';

export interface Tables {
  ops: {
    org: string;
    s: number;
    dev: string;
    dseq: number;
    e: string;
    rid: string;
    payload: string;
    bytes: number;
    upstream: number;
    applied: number;
    /** The device whose request brought the op, when not its writer (a relay). */
    via: string | null;
  };
  rows: { org: string; e: string; id: string; state: string; value: string; updated_s: number };
  org_seq: { org: string; seq: number };
  /** contig: acknowledged (1..contig held here or below the declared floor); own: 1..own held
   * here; floor: 1..floor declared gone from the device, durable at central. */
  device_seq: { org: string; dev: string; contig: number; own: number; floor: number };
  upstream_held: { org: string; dev: string; held: number };
  meta: { key: string; value: string };
  quarantine: {
    org: string;
    dev: string;
    dseq: number;
    payload: string;
    code: string;
    reason: string;
    via: string;
    at: string;
  };
  /** Migration 004_retention: rows of archived or destroyed records, by id. */
  retired_rows: { org: string; e: string; id: string; patient: string; status: string; at: string };
  archive_ops: {
    org: string;
    dev: string;
    dseq: number;
    e: string;
    rid: string;
    payload: string;
    bytes: number;
    patient: string;
  };
  destroyed_ops: { org: string; dev: string; dseq: number };
}

/** An op as kept once its record is destroyed: who wrote what field of which row, no value. */
export function strippedOp(op: Op): Op {
  const { v, org, dev, seq, hlc, e, id, f, k } = op;
  return { v, org, dev, seq, hlc, e, id, f, k };
}

type Retired = { status: 'archived' | 'destroyed'; patient: string };

export { migrateToLatest as migrate } from './migrations';

/**
 * Migration `quarantine`: ops a server refused (validation or authorisation) are kept apart with
 * their reason, never applied nor pulled, and count as held for their device's contiguity
 * (docs/protocol.md, Quarantine). Separate from `migrate` so it slots into a migrator as is.
 */
export async function migrateQuarantine(db: Kysely<Tables>): Promise<void> {
  await db.schema
    .createTable('quarantine')
    .ifNotExists()
    .addColumn('org', 'varchar(64)', (c) => c.notNull())
    .addColumn('dev', 'varchar(64)', (c) => c.notNull())
    .addColumn('dseq', 'integer', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('code', 'varchar(64)', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('via', 'varchar(64)', (c) => c.notNull())
    .addColumn('at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('quarantine_pk', ['org', 'dev', 'dseq'])
    .execute();
}

const num = (v: unknown): number => Number(v);

/** Meta keys starting with `prefix`, byte for byte (LIKE, its wildcards escaped: prefixes are
 * our own constants, but an organisation's id is in some). */
const keyStartsWith = (prefix: string) =>
  sql<boolean>`key like ${`${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`} escape '\\'`;

/** A quarantine row as the store lists it. */
const quarantinedOf = (r: Tables['quarantine']): QuarantinedOp => ({
  dev: r.dev,
  seq: num(r.dseq),
  op: JSON.parse(r.payload) as Op,
  code: r.code,
  reason: r.reason,
  via: r.via,
  at: r.at,
});

/** Meta key of the log's identity (docs/protocol.md, Epoch). */
export const EPOCH_KEY = 'epoch';

/** Meta keys of retractions (decision 0033): the count, each one, and the rewrite marker. */
const retractedKey = (org: string) => `retracted:${org}`;
const retractionKey = (org: string, n: number) =>
  `retraction:${org}:${String(n).padStart(12, '0')}`;
const rewrittenKey = (org: string) => `rewritten:${org}`;

export class KyselyStore implements SyncStore {
  constructor(
    readonly kind: StoreKind,
    private readonly db: Kysely<Tables>,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {}

  async push(
    org: string,
    ops: readonly Op[],
    options: PushOptions = {},
  ): Promise<{ stored: number; lastSeq: number }> {
    // Validate everything before touching the database: one bad op rejects the whole batch.
    for (const op of ops) {
      if (op.org !== org) {
        throw Object.assign(new Error(`Opération d’une autre organisation (${op.dev}#${op.seq})`), {
          code: 'invalid_op',
        });
      }
      if (op.v <= SCHEMA_VERSION) validateOp(op, entitySpec);
    }
    if (ops.length === 0) return { stored: 0, lastSeq: await this.lastSeq(org) };
    return this.db.transaction().execute(async (trx) => {
      // Take the organisation's counter row lock first: every push of this organisation is
      // serialised from here to commit, so sequence order is commit order and a pull "after N"
      // can never miss an op that commits later with a smaller number.
      let seq = await this.lockOrg(trx, org);
      const all = await this.withoutKnown(trx, org, ops);
      if (all.length === 0) return { stored: 0, lastSeq: seq };
      // Ops naming an archived record go to the archive with it; those naming a destroyed one
      // are set apart without their values (docs/decisions/0019-retention.md).
      const retired = await this.retiredIn(trx, org, all);
      if (retired.size > 0) await this.absorbRetired(trx, org, retired, options.via);
      const fresh = all.filter((op) => !retired.has(op));
      if (fresh.length === 0) {
        await this.advanceContiguous(trx, org, new Set(all.map((o) => o.dev)));
        return { stored: 0, lastSeq: seq };
      }
      const states = await this.loadStates(trx, org, fresh);
      const touched = new Map<string, number>();
      const values: Tables['ops'][] = [];
      for (const op of fresh) {
        seq += 1;
        const payload = JSON.stringify(op);
        const applied = op.v <= SCHEMA_VERSION;
        values.push({
          org,
          s: seq,
          dev: op.dev,
          dseq: op.seq,
          e: op.e,
          rid: op.id,
          payload,
          bytes: Buffer.byteLength(payload),
          upstream: options.fromUpstream ? 1 : 0,
          applied: applied ? 1 : 0,
          via: options.via && options.via !== op.dev ? options.via : null,
        });
        if (applied) {
          const key = `${op.e}\u0000${op.id}`;
          states.set(key, applyOp(states.get(key), op, entitySpec));
          touched.set(key, seq);
        }
      }
      for (let i = 0; i < values.length; i += 200) {
        await trx
          .insertInto('ops')
          .values(values.slice(i, i + 200))
          .execute();
      }
      await trx.updateTable('org_seq').set({ seq }).where('org', '=', org).execute();
      await this.saveStates(trx, org, states, touched);
      await this.advanceContiguous(trx, org, new Set(all.map((o) => o.dev)));
      return { stored: fresh.length, lastSeq: seq };
    });
  }

  /** Takes the organisation's counter row lock (until commit); returns the counter. */
  private async lockOrg(trx: Transaction<Tables>, org: string): Promise<number> {
    await trx
      .insertInto('org_seq')
      .values({ org, seq: 0 })
      .onConflict((oc) => oc.column('org').doNothing())
      .execute();
    const locked = await trx
      .updateTable('org_seq')
      .set({ seq: sql`seq` })
      .where('org', '=', org)
      .returning('seq')
      .executeTakeFirstOrThrow();
    return num(locked.seq);
  }

  private async withoutKnown(trx: Transaction<Tables>, org: string, ops: readonly Op[]) {
    const known = new Set<string>();
    const byDev = new Map<string, number[]>();
    for (const op of ops) byDev.set(op.dev, [...(byDev.get(op.dev) ?? []), op.seq]);
    for (const [dev, seqs] of byDev) {
      for (let i = 0; i < seqs.length; i += 500) {
        const found = await trx
          .selectFrom('ops')
          .select('dseq')
          .where('org', '=', org)
          .where('dev', '=', dev)
          .where('dseq', 'in', seqs.slice(i, i + 500))
          .execute();
        for (const r of found) known.add(`${dev}#${num(r.dseq)}`);
        const aside = await trx
          .selectFrom('quarantine')
          .select('dseq')
          .where('org', '=', org)
          .where('dev', '=', dev)
          .where('dseq', 'in', seqs.slice(i, i + 500))
          .execute();
        for (const r of aside) known.add(`${dev}#${num(r.dseq)}`);
        // Archived and destroyed ops are held too: a resend never brings them back.
        for (const table of ['archive_ops', 'destroyed_ops'] as const) {
          const gone = await trx
            .selectFrom(table)
            .select('dseq')
            .where('org', '=', org)
            .where('dev', '=', dev)
            .where('dseq', 'in', seqs.slice(i, i + 500))
            .execute();
          for (const r of gone) known.add(`${dev}#${num(r.dseq)}`);
        }
      }
    }
    const seen = new Set<string>();
    return ops.filter((op) => {
      const key = `${op.dev}#${op.seq}`;
      if (known.has(key) || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  private async loadStates(trx: Transaction<Tables>, org: string, ops: readonly Op[]) {
    const states = new Map<string, RowState>();
    const byEntity = new Map<string, Set<string>>();
    for (const op of ops) byEntity.set(op.e, (byEntity.get(op.e) ?? new Set()).add(op.id));
    for (const [e, ids] of byEntity) {
      const list = [...ids];
      for (let i = 0; i < list.length; i += 500) {
        const found = await trx
          .selectFrom('rows')
          .select(['id', 'state'])
          .where('org', '=', org)
          .where('e', '=', e)
          .where('id', 'in', list.slice(i, i + 500))
          .execute();
        for (const r of found) states.set(`${e}\u0000${r.id}`, JSON.parse(r.state) as RowState);
      }
    }
    return states;
  }

  private async saveStates(
    trx: Transaction<Tables>,
    org: string,
    states: Map<string, RowState>,
    touched: Map<string, number>,
  ) {
    const values: Tables['rows'][] = [];
    for (const [key, s] of touched) {
      const state = states.get(key)!;
      values.push({
        org,
        e: state.e,
        id: state.id,
        state: JSON.stringify(state),
        value: JSON.stringify(materialise(state, entitySpec)),
        updated_s: s,
      });
    }
    for (let i = 0; i < values.length; i += 200) {
      await trx
        .insertInto('rows')
        .values(values.slice(i, i + 200))
        .onConflict((oc) =>
          oc.columns(['org', 'e', 'id']).doUpdateSet({
            state: (eb) => eb.ref('excluded.state'),
            value: (eb) => eb.ref('excluded.value'),
            updated_s: (eb) => eb.ref('excluded.updated_s'),
          }),
        )
        .execute();
    }
  }

  /** The end of the run of this device's ops held here that starts right after `from`. */
  private async runFrom(trx: Transaction<Tables>, org: string, dev: string, from: number) {
    let end = from;
    // Quarantined ops count as held: a refused op never holds back the device's others.
    // So do archived and destroyed ones (retention).
    const aside = new Set<number>();
    for (const table of ['quarantine', 'archive_ops', 'destroyed_ops'] as const) {
      const found = await trx
        .selectFrom(table)
        .select('dseq')
        .where('org', '=', org)
        .where('dev', '=', dev)
        .where('dseq', '>', from)
        .execute();
      for (const r of found) aside.add(num(r.dseq));
    }
    for (;;) {
      while (aside.has(end + 1)) end += 1;
      const next = await trx
        .selectFrom('ops')
        .select('dseq')
        .where('org', '=', org)
        .where('dev', '=', dev)
        .where('dseq', '>', end)
        .orderBy('dseq')
        .limit(1000)
        .execute();
      let advanced = false;
      for (const r of next) {
        while (aside.has(end + 1)) end += 1;
        if (num(r.dseq) !== end + 1) break;
        end += 1;
        advanced = true;
      }
      while (aside.has(end + 1)) end += 1;
      if (!advanced || next.length < 1000) return end;
    }
  }

  private async advanceContiguous(
    trx: Transaction<Tables>,
    org: string,
    devs: Set<string>,
    floors: ReadonlyMap<string, number> = new Map(),
  ) {
    for (const dev of devs) {
      const row = await trx
        .selectFrom('device_seq')
        .select(['contig', 'own', 'floor'])
        .where('org', '=', org)
        .where('dev', '=', dev)
        .executeTakeFirst();
      const floor = Math.max(row ? num(row.floor) : 0, floors.get(dev) ?? 0);
      const own = await this.runFrom(trx, org, dev, row ? num(row.own) : 0);
      const contig = await this.runFrom(
        trx,
        org,
        dev,
        Math.max(own, floor, row ? num(row.contig) : 0),
      );
      await trx
        .insertInto('device_seq')
        .values({ org, dev, contig, own, floor })
        .onConflict((oc) => oc.columns(['org', 'dev']).doUpdateSet({ contig, own, floor }))
        .execute();
    }
  }

  async declareFloor(org: string, dev: string, floor: number): Promise<DeviceGap | null> {
    // Sent with every sync: most of the time it is the floor already known, take no lock then.
    const known = await this.db
      .selectFrom('device_seq')
      .select('floor')
      .where('org', '=', org)
      .where('dev', '=', dev)
      .executeTakeFirst();
    if (known && num(known.floor) >= floor) return null;
    await this.db.transaction().execute(async (trx) => {
      await this.lockOrg(trx, org);
      await this.advanceContiguous(trx, org, new Set([dev]), new Map([[dev, floor]]));
    });
    return (await this.gaps(org)).find((g) => g.dev === dev) ?? null;
  }

  async floors(org: string): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('device_seq')
      .select(['dev', 'floor'])
      .where('org', '=', org)
      .where('floor', '>', 0)
      .execute();
    return new Map(rows.map((r) => [r.dev, num(r.floor)]));
  }

  async gaps(org: string): Promise<DeviceGap[]> {
    const rows = await this.db
      .selectFrom('device_seq')
      .select(['dev', 'own', 'floor'])
      .where('org', '=', org)
      .whereRef('own', '<', 'floor')
      .orderBy('dev')
      .execute();
    return rows.map((r) => ({ dev: r.dev, from: num(r.own) + 1, to: num(r.floor) }));
  }

  async upstreamHeld(org: string): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('upstream_held')
      .select(['dev', 'held'])
      .where('org', '=', org)
      .execute();
    return new Map(rows.map((r) => [r.dev, num(r.held)]));
  }

  async setUpstreamHeld(org: string, held: Readonly<Record<string, number>>): Promise<void> {
    const values = Object.entries(held).map(([dev, n]) => ({ org, dev, held: n }));
    for (let i = 0; i < values.length; i += 200) {
      await this.db
        .insertInto('upstream_held')
        .values(values.slice(i, i + 200))
        .onConflict((oc) =>
          oc.columns(['org', 'dev']).doUpdateSet({ held: (eb) => eb.ref('excluded.held') }),
        )
        .execute();
    }
  }

  async epoch(): Promise<string> {
    const held = await this.getMeta(EPOCH_KEY);
    if (held) return held;
    await this.db
      .insertInto('meta')
      .values({ key: EPOCH_KEY, value: randomUUID() })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    return (await this.getMeta(EPOCH_KEY))!;
  }

  async newEpoch(): Promise<string> {
    const epoch = randomUUID();
    await this.setMeta(EPOCH_KEY, epoch);
    return epoch;
  }

  async pull(org: string, since: number, maxBytes: number, excludeDev?: string): Promise<PullPage> {
    const ops: SeqOp[] = [];
    let bytes = 0;
    let last = since;
    const end = await this.lastSeq(org);
    outer: while (last < end) {
      const batch = await this.db
        .selectFrom('ops')
        .select(['s', 'dev', 'payload', 'bytes', 'via'])
        .where('org', '=', org)
        .where('s', '>', last)
        .orderBy('s')
        .limit(500)
        .execute();
      if (batch.length === 0) {
        // Nothing is left up to `end` (archived or destroyed ops leave holes, possibly at the
        // log's end): the page reaches it, so a client never asks again for the same empty span.
        last = end;
        break;
      }
      for (const r of batch) {
        if (bytes > 0 && bytes + num(r.bytes) > maxBytes) break outer;
        bytes += num(r.bytes);
        last = num(r.s);
        if (r.dev !== excludeDev && (excludeDev === undefined || r.via !== excludeDev))
          ops.push({ s: last, op: JSON.parse(r.payload) as Op });
      }
    }
    return { ops, lastSeq: last, hasMore: last < end };
  }

  async toForward(
    org: string,
    after: number,
    maxBytes: number,
    upstreamUpTo = 0,
  ): Promise<{ ops: Op[]; upTo: number }> {
    const ops: Op[] = [];
    let bytes = 0;
    let upTo = after;
    const batch = await this.db
      .selectFrom('ops')
      .select(['s', 'payload', 'bytes', 'upstream'])
      .where('org', '=', org)
      .where('s', '>', after)
      .orderBy('s')
      .limit(2000)
      .execute();
    for (const r of batch) {
      if (bytes > 0 && bytes + num(r.bytes) > maxBytes) break;
      upTo = num(r.s);
      if (num(r.upstream) === 1 && upTo > upstreamUpTo) continue;
      bytes += num(r.bytes);
      ops.push(JSON.parse(r.payload) as Op);
    }
    return { ops, upTo };
  }

  async contiguous(org: string, dev: string): Promise<number> {
    const row = await this.db
      .selectFrom('device_seq')
      .select('contig')
      .where('org', '=', org)
      .where('dev', '=', dev)
      .executeTakeFirst();
    return row ? num(row.contig) : 0;
  }

  async devices(org: string): Promise<{ dev: string; seq: number }[]> {
    const rows = await this.db
      .selectFrom('device_seq')
      .select(['dev', 'contig'])
      .where('org', '=', org)
      .orderBy('dev')
      .execute();
    return rows.map((r) => ({ dev: r.dev, seq: num(r.contig) }));
  }

  async metaWithPrefix(prefix: string): Promise<{ key: string; value: string }[]> {
    return this.db
      .selectFrom('meta')
      .select(['key', 'value'])
      .where(keyStartsWith(prefix))
      .orderBy('key')
      .execute();
  }

  async lastSeq(org: string): Promise<number> {
    const row = await this.db
      .selectFrom('org_seq')
      .select('seq')
      .where('org', '=', org)
      .executeTakeFirst();
    return row ? num(row.seq) : 0;
  }

  async rowOps(
    org: string,
    entity: string,
    ids: readonly string[],
    upTo: number,
    excludeDev?: string,
  ): Promise<SeqOp[]> {
    const out: SeqOp[] = [];
    const list = [...new Set(ids)];
    // The ops_row index (org, e, rid) finds a row's ops without reading the log.
    for (let i = 0; i < list.length; i += 500) {
      const found = await this.db
        .selectFrom('ops')
        .select(['s', 'dev', 'payload', 'via'])
        .where('org', '=', org)
        .where('e', '=', entity)
        .where('rid', 'in', list.slice(i, i + 500))
        .where('s', '<=', upTo)
        .execute();
      for (const r of found) {
        if (excludeDev !== undefined && (r.dev === excludeDev || r.via === excludeDev)) continue;
        out.push({ s: num(r.s), op: JSON.parse(r.payload) as Op });
      }
    }
    return out.sort((a, b) => a.s - b.s);
  }

  async rowStates(org: string, entity?: string): Promise<RowState[]> {
    let q = this.db.selectFrom('rows').select('state').where('org', '=', org);
    if (entity) q = q.where('e', '=', entity);
    return (await q.execute()).map((r) => JSON.parse(r.state) as RowState);
  }

  async rows(org: string, entity: string): Promise<Record<string, unknown>[]> {
    const found = await this.db
      .selectFrom('rows')
      .select('value')
      .where('org', '=', org)
      .where('e', '=', entity)
      .orderBy('id')
      .execute();
    return found.map((r) => JSON.parse(r.value) as Record<string, unknown>);
  }

  async digest(org: string): Promise<string> {
    return digestRows(await this.rowStates(org));
  }

  async orgs(): Promise<string[]> {
    return (await this.db.selectFrom('org_seq').select('org').orderBy('org').execute()).map(
      (r) => r.org,
    );
  }

  async getMeta(key: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('meta')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst();
    return row?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.db
      .insertInto('meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }

  async claimMeta(key: string, value: string): Promise<boolean> {
    const result = await this.db
      .insertInto('meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async deleteMeta(key: string): Promise<boolean> {
    const result = await this.db.deleteFrom('meta').where('key', '=', key).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async rowsByIds(org: string, entity: string, ids: readonly string[]) {
    const out: Record<string, unknown>[] = [];
    const list = [...new Set(ids)];
    for (let i = 0; i < list.length; i += 500) {
      const found = await this.db
        .selectFrom('rows')
        .select('value')
        .where('org', '=', org)
        .where('e', '=', entity)
        .where('id', 'in', list.slice(i, i + 500))
        .execute();
      for (const r of found) out.push(JSON.parse(r.value) as Record<string, unknown>);
    }
    return out;
  }

  async rowStatesByIds(org: string, entity: string, ids: readonly string[]) {
    const out: RowState[] = [];
    const list = [...new Set(ids)];
    for (let i = 0; i < list.length; i += 500) {
      const found = await this.db
        .selectFrom('rows')
        .select('state')
        .where('org', '=', org)
        .where('e', '=', entity)
        .where('id', 'in', list.slice(i, i + 500))
        .execute();
      for (const r of found) out.push(JSON.parse(r.state) as RowState);
    }
    return out;
  }

  async replayParked(): Promise<number> {
    const parked = await this.db
      .selectFrom('ops')
      .select(['org', 's', 'payload'])
      .where('applied', '=', 0)
      .orderBy('org')
      .orderBy('s')
      .execute();
    let replayed = 0;
    for (const r of parked) {
      const op = JSON.parse(r.payload) as Op;
      if (op.v > SCHEMA_VERSION) continue;
      validateOp(op, entitySpec);
      await this.db.transaction().execute(async (trx) => {
        const states = await this.loadStates(trx, r.org, [op]);
        const key = `${op.e}\u0000${op.id}`;
        states.set(key, applyOp(states.get(key), op, entitySpec));
        await this.saveStates(trx, r.org, states, new Map([[key, num(r.s)]]));
        await trx
          .updateTable('ops')
          .set({ applied: 1 })
          .where('org', '=', r.org)
          .where('s', '=', r.s)
          .execute();
      });
      replayed++;
    }
    return replayed;
  }

  async heldKeys(org: string, ops: readonly Op[]): Promise<Set<string>> {
    if (ops.length === 0) return new Set();
    return this.db.transaction().execute(async (trx) => {
      const fresh = new Set(await this.withoutKnown(trx, org, ops));
      return new Set(ops.filter((op) => !fresh.has(op)).map((op) => `${op.dev}#${op.seq}`));
    });
  }

  async quarantine(org: string, entries: readonly QuarantineEntry[]): Promise<number> {
    if (entries.length === 0) return 0;
    return this.db.transaction().execute(async (trx) => {
      // The organisation's lock, as a push takes it: contiguity moves under one writer.
      await trx
        .insertInto('org_seq')
        .values({ org, seq: 0 })
        .onConflict((oc) => oc.column('org').doNothing())
        .execute();
      await trx.updateTable('org_seq').set({ seq: sql`seq` }).where('org', '=', org).execute();
      const fresh = new Set(
        await this.withoutKnown(
          trx,
          org,
          entries.map((x) => x.op),
        ),
      );
      // An op naming a destroyed record is kept without its values, whatever refused it.
      const retired = await this.retiredIn(trx, org, [...fresh]);
      const values = entries
        .filter((x) => fresh.has(x.op))
        .map((x) => {
          const gone = retired.get(x.op)?.status === 'destroyed';
          return {
            org,
            dev: x.op.dev,
            dseq: x.op.seq,
            payload: JSON.stringify(gone ? strippedOp(x.op) : x.op),
            code: (gone ? DESTROYED_CODE : x.code).slice(0, 64),
            reason: gone ? DESTROYED_REASON : x.reason,
            via: x.via,
            at: new Date().toISOString(),
          };
        });
      for (let i = 0; i < values.length; i += 200) {
        await trx
          .insertInto('quarantine')
          .values(values.slice(i, i + 200))
          .execute();
      }
      await this.advanceContiguous(trx, org, new Set(values.map((v) => v.dev)));
      return values.length;
    });
  }

  async quarantined(org: string, limit = 500): Promise<QuarantinedOp[]> {
    const rows = await this.db
      .selectFrom('quarantine')
      .selectAll()
      .where('org', '=', org)
      .orderBy('at', 'desc')
      .orderBy('dev')
      .orderBy('dseq')
      .limit(limit)
      .execute();
    return rows.map(quarantinedOf);
  }

  async quarantinedAmong(
    org: string,
    ops: readonly { dev: string; seq: number }[],
  ): Promise<QuarantinedOp[]> {
    const byDev = new Map<string, number[]>();
    for (const op of ops) byDev.set(op.dev, [...(byDev.get(op.dev) ?? []), op.seq]);
    const out: QuarantinedOp[] = [];
    for (const [dev, seqs] of byDev) {
      for (let i = 0; i < seqs.length; i += 500) {
        const rows = await this.db
          .selectFrom('quarantine')
          .selectAll()
          .where('org', '=', org)
          .where('dev', '=', dev)
          .where('dseq', 'in', seqs.slice(i, i + 500))
          .execute();
        out.push(...rows.map(quarantinedOf));
      }
    }
    return out;
  }

  // ---- retractions (decision 0033) ----

  async retract(
    org: string,
    refused: readonly { dev: string; seq: number; code: string; reason: string; via: string }[],
  ): Promise<Retraction[]> {
    if (refused.length === 0) return [];
    return this.db.transaction().execute(async (trx) => {
      await this.lockOrg(trx, org);
      const taken: { entry: (typeof refused)[number]; row: Tables['ops'] }[] = [];
      for (const entry of refused) {
        const row = await trx
          .selectFrom('ops')
          .selectAll()
          .where('org', '=', org)
          .where('dev', '=', entry.dev)
          .where('dseq', '=', entry.seq)
          .executeTakeFirst();
        if (row && !taken.some((t) => t.row.s === row.s)) taken.push({ entry, row });
      }
      if (taken.length === 0) return [];
      const at = new Date().toISOString();
      for (const { entry, row } of taken) {
        await trx
          .insertInto('quarantine')
          .values({
            org,
            dev: row.dev,
            dseq: num(row.dseq),
            payload: row.payload,
            code: entry.code.slice(0, 64),
            reason: entry.reason,
            via: entry.via.slice(0, 64),
            at,
          })
          .onConflict((oc) => oc.columns(['org', 'dev', 'dseq']).doNothing())
          .execute();
        await trx.deleteFrom('ops').where('org', '=', org).where('s', '=', row.s).execute();
      }
      // The rows they wrote, folded again from the ops left (the merge is a join: their order
      // does not matter); a row none is left of goes.
      const refs = new Map<string, { e: string; id: string }>();
      for (const { row } of taken) refs.set(`${row.e}\u0000${row.rid}`, { e: row.e, id: row.rid });
      const left = await this.opsOfRows(trx, org, [...refs.values()]);
      const states = new Map<string, RowState>();
      const touched = new Map<string, number>();
      for (const o of [...left].sort((a, b) => num(a.s) - num(b.s))) {
        if (num(o.applied) !== 1) continue;
        const key = `${o.e}\u0000${o.rid}`;
        states.set(key, applyOp(states.get(key), JSON.parse(o.payload) as Op, entitySpec));
        touched.set(key, num(o.s));
      }
      for (const [key, ref] of refs) {
        if (states.has(key)) continue;
        await trx
          .deleteFrom('rows')
          .where('org', '=', org)
          .where('e', '=', ref.e)
          .where('id', '=', ref.id)
          .execute();
      }
      await this.saveStates(trx, org, states, touched);
      let n = num((await this.metaIn(trx, retractedKey(org))) ?? 0);
      const out: Retraction[] = [];
      for (const { entry, row } of taken) {
        n += 1;
        const r: Retraction = {
          n,
          dev: row.dev,
          seq: num(row.dseq),
          s: num(row.s),
          e: row.e,
          id: row.rid,
          code: entry.code.slice(0, 64),
          reason: entry.reason,
        };
        await this.putMetaIn(trx, retractionKey(org, n), JSON.stringify(r));
        out.push(r);
      }
      await this.putMetaIn(trx, retractedKey(org), String(n));
      await this.markRewritten(trx, org);
      return out;
    });
  }

  async retractions(org: string, after: number, limit = 500): Promise<Retraction[]> {
    // The organisation's by prefix (LIKE matches bytes; a range alone would follow PostgreSQL's
    // collation, which may skip the ':' between organisations), after `after` by the padded
    // number, which sorts alike under any collation.
    const prefix = retractionKey(org, 0).slice(0, -12);
    const rows = await this.db
      .selectFrom('meta')
      .select('value')
      .where(keyStartsWith(prefix))
      .where('key', '>', retractionKey(org, after))
      .orderBy('key')
      .limit(limit)
      .execute();
    return rows.map((r) => JSON.parse(r.value) as Retraction);
  }

  async retractionCount(org: string): Promise<number> {
    return num((await this.getMeta(retractedKey(org))) ?? 0);
  }

  async rewritten(org: string): Promise<string> {
    return (await this.getMeta(rewrittenKey(org))) ?? '';
  }

  private async metaIn(trx: Transaction<Tables>, key: string): Promise<string | undefined> {
    const row = await trx
      .selectFrom('meta')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst();
    return row?.value;
  }

  private async putMetaIn(trx: Transaction<Tables>, key: string, value: string): Promise<void> {
    await trx
      .insertInto('meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }

  /** Entries left the log: snapshots folded before are not served nor folded from after. */
  private async markRewritten(trx: Transaction<Tables>, org: string): Promise<void> {
    await this.putMetaIn(trx, rewrittenKey(org), randomUUID());
  }

  // ---- retention (migration 004_retention, docs/decisions/0019-retention.md) ----

  /** Of `ops`, those naming a row of a retired record, with its status. Within the batch, an op
   * retired with its record retires its own row for the ops after it. */
  private async retiredIn(
    db: Kysely<Tables>,
    org: string,
    ops: readonly Op[],
  ): Promise<Map<Op, Retired>> {
    const out = new Map<Op, Retired>();
    if (ops.length === 0) return out;
    const any = await db
      .selectFrom('retired_rows')
      .select('id')
      .where('org', '=', org)
      .limit(1)
      .executeTakeFirst();
    if (!any) return out;
    const byEntity = new Map<string, Set<string>>();
    for (const op of ops) {
      for (const r of opRowRefs(op)) byEntity.set(r.e, (byEntity.get(r.e) ?? new Set()).add(r.id));
    }
    const known = new Map<string, Retired>();
    for (const [e, ids] of byEntity) {
      const list = [...ids];
      for (let i = 0; i < list.length; i += 500) {
        const found = await db
          .selectFrom('retired_rows')
          .select(['id', 'patient', 'status'])
          .where('org', '=', org)
          .where('e', '=', e)
          .where('id', 'in', list.slice(i, i + 500))
          .execute();
        for (const r of found) {
          known.set(rowKey(e, r.id), {
            status: r.status === 'destroyed' ? 'destroyed' : 'archived',
            patient: r.patient,
          });
        }
      }
    }
    const hitOf = (op: Op) => {
      const refs = opRowRefs(op).flatMap((r) => known.get(rowKey(r.e, r.id)) ?? []);
      return refs.find((r) => r.status === 'destroyed') ?? refs[0];
    };
    // A row of the batch tied to a retired record by any of its ops (a visit's `patientId` set
    // after its `orgId`) is retired whole, to a fixpoint.
    for (let grown = true; grown; ) {
      grown = false;
      for (const op of ops) {
        const hit = hitOf(op);
        if (hit && !known.has(rowKey(op.e, op.id))) {
          known.set(rowKey(op.e, op.id), hit);
          grown = true;
        }
      }
    }
    for (const op of ops) {
      const hit = hitOf(op);
      if (hit) out.set(op, hit);
    }
    return out;
  }

  /** Stores ops naming retired records where their record is: the archive, or (destroyed) the
   * quarantine without their values. Their rows join the record's retired rows. */
  private async absorbRetired(
    trx: Transaction<Tables>,
    org: string,
    retired: Map<Op, Retired>,
    via?: string,
  ) {
    const at = new Date().toISOString();
    // A row the record now claims may have earlier ops in the log (fields sent before the one
    // naming the record): they follow it, to the archive or out of the log.
    const claimed = new Map<string, RowRef & Retired>();
    for (const [op, r] of retired) claimed.set(rowKey(op.e, op.id), { e: op.e, id: op.id, ...r });
    const earlier = await this.opsOfRows(trx, org, [...claimed.values()]);
    for (const o of earlier) {
      const r = claimed.get(rowKey(o.e, o.rid))!;
      if (r.status === 'archived') {
        await trx
          .insertInto('archive_ops')
          .values({
            org,
            dev: o.dev,
            dseq: num(o.dseq),
            e: o.e,
            rid: o.rid,
            payload: o.payload,
            bytes: num(o.bytes),
            patient: r.patient,
          })
          .onConflict((oc) => oc.columns(['org', 'dev', 'dseq']).doNothing())
          .execute();
      } else {
        await trx
          .insertInto('destroyed_ops')
          .values({ org, dev: o.dev, dseq: num(o.dseq) })
          .onConflict((oc) => oc.columns(['org', 'dev', 'dseq']).doNothing())
          .execute();
      }
    }
    if (earlier.length > 0) await this.deleteRowsAndOps(trx, org, [...claimed.values()], earlier);
    for (const [op, r] of retired) {
      if (r.status === 'archived') {
        const payload = JSON.stringify(op);
        await trx
          .insertInto('archive_ops')
          .values({
            org,
            dev: op.dev,
            dseq: op.seq,
            e: op.e,
            rid: op.id,
            payload,
            bytes: Buffer.byteLength(payload),
            patient: r.patient,
          })
          .onConflict((oc) => oc.columns(['org', 'dev', 'dseq']).doNothing())
          .execute();
      } else {
        await trx
          .insertInto('quarantine')
          .values({
            org,
            dev: op.dev,
            dseq: op.seq,
            payload: JSON.stringify(strippedOp(op)),
            code: DESTROYED_CODE,
            reason: DESTROYED_REASON,
            via: (via ?? op.dev).slice(0, 64),
            at,
          })
          .onConflict((oc) => oc.columns(['org', 'dev', 'dseq']).doNothing())
          .execute();
      }
      await trx
        .insertInto('retired_rows')
        .values({ org, e: op.e, id: op.id, patient: r.patient, status: r.status, at })
        .onConflict((oc) => oc.columns(['org', 'e', 'id']).doNothing())
        .execute();
    }
  }

  async retiredRecords(org: string): Promise<RetiredRecord[]> {
    const rows = await this.db
      .selectFrom('retired_rows')
      .select(['e', 'id', 'patient', 'status', 'at'])
      .where('org', '=', org)
      .execute();
    const records = new Map<string, RetiredRecord>();
    for (const r of rows) {
      const held = records.get(r.patient) ?? {
        patient: r.patient,
        status: r.status === 'destroyed' ? 'destroyed' : 'archived',
        at: r.at,
        rows: 0,
      };
      held.rows += 1;
      if (r.e === 'patient' && r.id === r.patient) {
        held.status = r.status === 'destroyed' ? 'destroyed' : 'archived';
        held.at = r.at;
      }
      records.set(r.patient, held);
    }
    return [...records.values()].sort((a, b) => (a.patient < b.patient ? -1 : 1));
  }

  async retiredOps(org: string, ops: readonly Op[]) {
    const found = await this.retiredIn(this.db, org, ops);
    return new Map([...found].map(([op, r]) => [`${op.dev}#${op.seq}`, r.status]));
  }

  async archivedRows(org: string) {
    const archived = await this.db
      .selectFrom('archive_ops')
      .select(['payload', 'patient'])
      .where('org', '=', org)
      .execute();
    const states = new Map<string, { state: RowState; patient: string }>();
    for (const a of archived) {
      const op = JSON.parse(a.payload) as Op;
      if (op.v > SCHEMA_VERSION) continue;
      const key = rowKey(op.e, op.id);
      const held = states.get(key);
      states.set(key, { state: applyOp(held?.state, op, entitySpec), patient: a.patient });
    }
    return [...states.values()].map(({ state, patient }) => ({
      e: state.e,
      id: state.id,
      patient,
      value: materialise(state, entitySpec) as Record<string, unknown>,
    }));
  }

  /** The log entries of these rows. */
  private async opsOfRows(trx: Transaction<Tables>, org: string, rows: readonly RowRef[]) {
    const byEntity = new Map<string, string[]>();
    for (const r of rows) byEntity.set(r.e, [...(byEntity.get(r.e) ?? []), r.id]);
    const out: Tables['ops'][] = [];
    for (const [e, ids] of byEntity) {
      for (let i = 0; i < ids.length; i += 500) {
        out.push(
          ...(await trx
            .selectFrom('ops')
            .selectAll()
            .where('org', '=', org)
            .where('e', '=', e)
            .where('rid', 'in', ids.slice(i, i + 500))
            .execute()),
        );
      }
    }
    return out;
  }

  private async deleteRowsAndOps(
    trx: Transaction<Tables>,
    org: string,
    rows: readonly RowRef[],
    ops: readonly { s: number }[],
  ) {
    const seqs = ops.map((o) => num(o.s));
    for (let i = 0; i < seqs.length; i += 500) {
      await trx
        .deleteFrom('ops')
        .where('org', '=', org)
        .where('s', 'in', seqs.slice(i, i + 500))
        .execute();
    }
    const byEntity = new Map<string, string[]>();
    for (const r of rows) byEntity.set(r.e, [...(byEntity.get(r.e) ?? []), r.id]);
    for (const [e, ids] of byEntity) {
      for (let i = 0; i < ids.length; i += 500) {
        await trx
          .deleteFrom('rows')
          .where('org', '=', org)
          .where('e', '=', e)
          .where('id', 'in', ids.slice(i, i + 500))
          .execute();
      }
    }
  }

  async archiveRecord(
    org: string,
    patient: string,
    rows: readonly RowRef[],
  ): Promise<RetentionCount> {
    return this.db.transaction().execute(async (trx) => {
      await this.lockOrg(trx, org);
      const ops = await this.opsOfRows(trx, org, rows);
      for (let i = 0; i < ops.length; i += 200) {
        await trx
          .insertInto('archive_ops')
          .values(
            ops.slice(i, i + 200).map((o) => ({
              org,
              dev: o.dev,
              dseq: num(o.dseq),
              e: o.e,
              rid: o.rid,
              payload: o.payload,
              bytes: num(o.bytes),
              patient,
            })),
          )
          .onConflict((oc) => oc.columns(['org', 'dev', 'dseq']).doNothing())
          .execute();
      }
      await this.deleteRowsAndOps(trx, org, rows, ops);
      await this.markRewritten(trx, org);
      const at = new Date().toISOString();
      for (let i = 0; i < rows.length; i += 200) {
        await trx
          .insertInto('retired_rows')
          .values(
            rows
              .slice(i, i + 200)
              .map((r) => ({ org, e: r.e, id: r.id, patient, status: 'archived', at })),
          )
          .onConflict((oc) => oc.columns(['org', 'e', 'id']).doNothing())
          .execute();
      }
      return { rows: rows.length, ops: ops.length };
    });
  }

  private async recordStatus(trx: Transaction<Tables>, org: string, patient: string) {
    const rows = await trx
      .selectFrom('retired_rows')
      .select(['e', 'id', 'status'])
      .where('org', '=', org)
      .where('patient', '=', patient)
      .execute();
    if (rows.length === 0) {
      throw Object.assign(new Error('Ce dossier n’est pas archivé.'), { code: 'not_archived' });
    }
    if (rows.some((r) => r.status === 'destroyed')) {
      throw Object.assign(new Error('Ce dossier a déjà été détruit.'), { code: 'destroyed' });
    }
    return rows.map((r) => ({ e: r.e, id: r.id }));
  }

  async restoreRecord(org: string, patient: string): Promise<RetentionCount> {
    return this.db.transaction().execute(async (trx) => {
      let seq = await this.lockOrg(trx, org);
      const rows = await this.recordStatus(trx, org, patient);
      const archived = await trx
        .selectFrom('archive_ops')
        .selectAll()
        .where('org', '=', org)
        .where('patient', '=', patient)
        .execute();
      const ops = archived
        .map((a) => JSON.parse(a.payload) as Op)
        .sort((a, b) => (a.hlc < b.hlc ? -1 : a.hlc > b.hlc ? 1 : 0));
      const states = await this.loadStates(trx, org, ops);
      const touched = new Map<string, number>();
      const values: Tables['ops'][] = [];
      for (const op of ops) {
        seq += 1;
        const payload = JSON.stringify(op);
        const applied = op.v <= SCHEMA_VERSION;
        values.push({
          org,
          s: seq,
          dev: op.dev,
          dseq: op.seq,
          e: op.e,
          rid: op.id,
          payload,
          bytes: Buffer.byteLength(payload),
          upstream: 0,
          applied: applied ? 1 : 0,
          via: null,
        });
        if (applied) {
          const key = rowKey(op.e, op.id);
          states.set(key, applyOp(states.get(key), op, entitySpec));
          touched.set(key, seq);
        }
      }
      await trx
        .deleteFrom('archive_ops')
        .where('org', '=', org)
        .where('patient', '=', patient)
        .execute();
      for (let i = 0; i < values.length; i += 200) {
        await trx
          .insertInto('ops')
          .values(values.slice(i, i + 200))
          .execute();
      }
      await trx.updateTable('org_seq').set({ seq }).where('org', '=', org).execute();
      await this.saveStates(trx, org, states, touched);
      await trx
        .deleteFrom('retired_rows')
        .where('org', '=', org)
        .where('patient', '=', patient)
        .execute();
      return { rows: rows.length, ops: ops.length };
    });
  }

  async destroyRecord(org: string, patient: string): Promise<RetentionCount> {
    return this.db.transaction().execute(async (trx) => {
      await this.lockOrg(trx, org);
      const rows = await this.recordStatus(trx, org, patient);
      const owned = new Set(rows.map((r) => rowKey(r.e, r.id)));
      const archived = await trx
        .selectFrom('archive_ops')
        .select(['dev', 'dseq'])
        .where('org', '=', org)
        .where('patient', '=', patient)
        .execute();
      // Ops of the record set apart earlier (refused while it was live or archived) go too.
      const aside = (
        await trx
          .selectFrom('quarantine')
          .select(['dev', 'dseq', 'payload'])
          .where('org', '=', org)
          .execute()
      ).filter((q) =>
        opRowRefs(JSON.parse(q.payload) as Op).some((r) => owned.has(rowKey(r.e, r.id))),
      );
      const keys = [...archived, ...aside].map((k) => ({ org, dev: k.dev, dseq: num(k.dseq) }));
      for (let i = 0; i < keys.length; i += 200) {
        await trx
          .insertInto('destroyed_ops')
          .values(keys.slice(i, i + 200))
          .onConflict((oc) => oc.columns(['org', 'dev', 'dseq']).doNothing())
          .execute();
      }
      await trx
        .deleteFrom('archive_ops')
        .where('org', '=', org)
        .where('patient', '=', patient)
        .execute();
      for (const q of aside) {
        await trx
          .deleteFrom('quarantine')
          .where('org', '=', org)
          .where('dev', '=', q.dev)
          .where('dseq', '=', q.dseq)
          .execute();
      }
      await trx
        .updateTable('retired_rows')
        .set({ status: 'destroyed', at: new Date().toISOString() })
        .where('org', '=', org)
        .where('patient', '=', patient)
        .execute();
      return { rows: rows.length, ops: keys.length };
    });
  }

  async destroyRows(org: string, rows: readonly RowRef[]): Promise<RetentionCount> {
    if (rows.length === 0) return { rows: 0, ops: 0 };
    return this.db.transaction().execute(async (trx) => {
      await this.lockOrg(trx, org);
      const ops = await this.opsOfRows(trx, org, rows);
      const keys = ops.map((o) => ({ org, dev: o.dev, dseq: num(o.dseq) }));
      for (let i = 0; i < keys.length; i += 200) {
        await trx
          .insertInto('destroyed_ops')
          .values(keys.slice(i, i + 200))
          .onConflict((oc) => oc.columns(['org', 'dev', 'dseq']).doNothing())
          .execute();
      }
      await this.deleteRowsAndOps(trx, org, rows, ops);
      await this.markRewritten(trx, org);
      return { rows: rows.length, ops: ops.length };
    });
  }

  async close(): Promise<void> {
    await this.db.destroy();
    await this.onClose();
  }
}
