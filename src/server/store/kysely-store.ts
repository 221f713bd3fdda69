// One implementation of SyncStore over Kysely, for SQLite and PostgreSQL alike. The merge is the
// shared pure core (src/sync): the server never re-implements it.
import { randomUUID } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import { entitySpec, SCHEMA_VERSION } from '../../domain/entities';
import { digestRows } from '../../sync/digest';
import { applyOp, materialise, type RowState, validateOp } from '../../sync/merge';
import type { Op } from '../../sync/op';
import type { SeqOp } from '../../sync/protocol';
import type {
  DeviceGap,
  PullPage,
  PushOptions,
  QuarantinedOp,
  QuarantineEntry,
  StoreKind,
  SyncStore,
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
}

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

/** Meta key of the log's identity (docs/protocol.md, Epoch). */
export const EPOCH_KEY = 'epoch';

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
      const fresh = await this.withoutKnown(trx, org, ops);
      if (fresh.length === 0) return { stored: 0, lastSeq: seq };
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
      await this.advanceContiguous(trx, org, new Set(fresh.map((o) => o.dev)));
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
    const aside = new Set(
      (
        await trx
          .selectFrom('quarantine')
          .select('dseq')
          .where('org', '=', org)
          .where('dev', '=', dev)
          .where('dseq', '>', from)
          .execute()
      ).map((r) => num(r.dseq)),
    );
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
      if (batch.length === 0) break;
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
    // Prefixes are our own constants; escape LIKE's wildcards all the same.
    const pattern = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return this.db
      .selectFrom('meta')
      .select(['key', 'value'])
      .where(sql<boolean>`key like ${pattern} escape '\\'`)
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
      const values = entries
        .filter((x) => fresh.has(x.op))
        .map((x) => ({
          org,
          dev: x.op.dev,
          dseq: x.op.seq,
          payload: JSON.stringify(x.op),
          code: x.code.slice(0, 64),
          reason: x.reason,
          via: x.via,
          at: new Date().toISOString(),
        }));
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
    return rows.map((r) => ({
      dev: r.dev,
      seq: num(r.dseq),
      op: JSON.parse(r.payload) as Op,
      code: r.code,
      reason: r.reason,
      via: r.via,
      at: r.at,
    }));
  }

  async close(): Promise<void> {
    await this.db.destroy();
    await this.onClose();
  }
}
