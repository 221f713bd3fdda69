// The server schema's history, applied in order by Kysely's Migrator (its table
// `kysely_migration` records what ran). 001 is the schema every store had before the history
// existed: it creates only what is missing, so a database made then is adopted as it is.
// 002 is durable acknowledgement (docs/decisions/0005-durable-acknowledgement.md); 003 records
// which relay brought an op (docs/decisions/0016-the-wire.md); 004 is retention on central: the
// archive tier and what destruction leaves behind (docs/decisions/0019-retention.md).
import { randomUUID } from 'node:crypto';
import { type Kysely, type Migration, Migrator, sql } from 'kysely';

// Migrations see the database as it was when they were written, not as Tables is today.
// biome-ignore lint/suspicious/noExplicitAny: a migration's schema is its own
type AnyDb = Kysely<any>;

export const migrations: Record<string, Migration> = {
  '001_initial': {
    async up(db: AnyDb) {
      await db.schema
        .createTable('ops')
        .ifNotExists()
        .addColumn('org', 'varchar(64)', (c) => c.notNull())
        .addColumn('s', 'integer', (c) => c.notNull())
        .addColumn('dev', 'varchar(64)', (c) => c.notNull())
        .addColumn('dseq', 'integer', (c) => c.notNull())
        .addColumn('e', 'varchar(64)', (c) => c.notNull())
        .addColumn('rid', 'varchar(64)', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('bytes', 'integer', (c) => c.notNull())
        .addColumn('upstream', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('applied', 'integer', (c) => c.notNull().defaultTo(1))
        .addPrimaryKeyConstraint('ops_pk', ['org', 's'])
        .addUniqueConstraint('ops_origin', ['org', 'dev', 'dseq'])
        .execute();
      await db.schema
        .createTable('rows')
        .ifNotExists()
        .addColumn('org', 'varchar(64)', (c) => c.notNull())
        .addColumn('e', 'varchar(64)', (c) => c.notNull())
        .addColumn('id', 'varchar(64)', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_s', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('rows_pk', ['org', 'e', 'id'])
        .execute();
      await db.schema
        .createTable('org_seq')
        .ifNotExists()
        .addColumn('org', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('device_seq')
        .ifNotExists()
        .addColumn('org', 'varchar(64)', (c) => c.notNull())
        .addColumn('dev', 'varchar(64)', (c) => c.notNull())
        .addColumn('contig', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('device_seq_pk', ['org', 'dev'])
        .execute();
      await db.schema
        .createTable('meta')
        .ifNotExists()
        .addColumn('key', 'varchar(200)', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '002_durable_acknowledgement': {
    async up(db: AnyDb) {
      // `floor`: ops 1..floor of the device that it declared it no longer holds (they were
      // acknowledged as durable at central); `own`: ops 1..own actually held here. `contig`
      // (what the server acknowledges) is the contiguous run from max(own, floor).
      await db.schema
        .alterTable('device_seq')
        .addColumn('floor', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable('device_seq')
        .addColumn('own', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.updateTable('device_seq').set({ own: sql`contig` }).execute();
      // A relay: how far central holds each device's ops, 1..held contiguous, as central said.
      await db.schema
        .createTable('upstream_held')
        .addColumn('org', 'varchar(64)', (c) => c.notNull())
        .addColumn('dev', 'varchar(64)', (c) => c.notNull())
        .addColumn('held', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('upstream_held_pk', ['org', 'dev'])
        .execute();
      // The log's identity: a new one whenever the log may have lost its end (admin new-epoch).
      await db
        .insertInto('meta')
        .values({ key: 'epoch', value: randomUUID() })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
    },
  },
  '003_wire_via': {
    async up(db: AnyDb) {
      // The device whose request brought an op, when it is not the op's writer: a relay
      // forwarding its devices' ops. Its pulls leave them out (docs/decisions/0016-the-wire.md).
      await db.schema.alterTable('ops').addColumn('via', 'varchar(64)').execute();
    },
  },
  '004_retention': {
    async up(db: AnyDb) {
      // The rows of archived or destroyed records, by id only (no content): an op naming one is
      // archived with it, or refused (destroyed), so nothing comes back through a resend.
      await db.schema
        .createTable('retired_rows')
        .addColumn('org', 'varchar(64)', (c) => c.notNull())
        .addColumn('e', 'varchar(64)', (c) => c.notNull())
        .addColumn('id', 'varchar(64)', (c) => c.notNull())
        .addColumn('patient', 'varchar(64)', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('at', 'varchar(32)', (c) => c.notNull())
        .addPrimaryKeyConstraint('retired_rows_pk', ['org', 'e', 'id'])
        .execute();
      await db.schema
        .createIndex('retired_rows_patient')
        .on('retired_rows')
        .columns(['org', 'patient'])
        .execute();
      // The archive tier: an archived record's ops, out of the log (never pulled, never in the
      // rows), put back in the log as new entries when the coordination restores it.
      await db.schema
        .createTable('archive_ops')
        .addColumn('org', 'varchar(64)', (c) => c.notNull())
        .addColumn('dev', 'varchar(64)', (c) => c.notNull())
        .addColumn('dseq', 'integer', (c) => c.notNull())
        .addColumn('e', 'varchar(64)', (c) => c.notNull())
        .addColumn('rid', 'varchar(64)', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('bytes', 'integer', (c) => c.notNull())
        .addColumn('patient', 'varchar(64)', (c) => c.notNull())
        .addPrimaryKeyConstraint('archive_ops_pk', ['org', 'dev', 'dseq'])
        .execute();
      await db.schema
        .createIndex('archive_ops_patient')
        .on('archive_ops')
        .columns(['org', 'patient'])
        .execute();
      // What destruction leaves: the keys of the ops it removed, held for contiguity and so a
      // device or a relay sending one again is answered « already held », never stored again.
      await db.schema
        .createTable('destroyed_ops')
        .addColumn('org', 'varchar(64)', (c) => c.notNull())
        .addColumn('dev', 'varchar(64)', (c) => c.notNull())
        .addColumn('dseq', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('destroyed_ops_pk', ['org', 'dev', 'dseq'])
        .execute();
      // A record's ops are found by their row.
      await db.schema.createIndex('ops_row').on('ops').columns(['org', 'e', 'rid']).execute();
    },
  },
};

/** Brings the schema up to date; throws with the failing migration's name. */
export async function migrateToLatest(db: AnyDb): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? '?';
    throw new Error(`Migration du schéma du serveur impossible (${failed}) : ${String(error)}`);
  }
}
