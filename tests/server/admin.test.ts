// `npm run admin`: the operator's commands over the server's own store (a SQLite file, or the
// PostgreSQL database of DATABASE_URL): a new organisation and its first coordination device's
// code, a person's password, the devices, a new epoch after a restore.
import { execSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/domain/entities';
import { buildApp } from '../../src/server/app';
import { buildDemoDataset } from '../../src/server/seed/demo';
import { rowsToOps } from '../../src/server/seed/ops';
import { openPostgresStore, openSqliteStore } from '../../src/server/store/open';
import { PROTOCOL_VERSION } from '../../src/sync/protocol';
import { enrol } from '../support/auth';
import { freshPostgresDatabase, startTestServer } from '../support/server';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const dataDir = mkdtempSync(join(tmpdir(), 'escale-admin-'));
const demo = buildDemoDataset({ today: '2026-11-30' });
const org = demo.data.organisation[0]!.id;
const intern = demo.data.staff.find((s) => s.profession === 'interne')!;

function admin(args: string[], input = '', databaseUrl = '') {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/server/admin.ts', ...args], {
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: databaseUrl },
    input,
    encoding: 'utf8',
  });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

beforeAll(async () => {
  const store = await openSqliteStore(join(dataDir, 'escale.sqlite'));
  await store.push(org, rowsToOps(org, 'seed', demo.data));
  await store.close();
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm run admin', () => {
  it('creates a code that enrols the first coordination device', async () => {
    const run = admin(['code', '--org', org, '--profile', 'coordination', '--name', 'Poste']);
    expect(run.code).toBe(0);
    const code = /^([A-Z2-9]{8}) /.exec(run.out)?.[1];
    expect(code).toBeDefined();
    const store = await openSqliteStore(join(dataDir, 'escale.sqlite'));
    const app = await buildApp({ store });
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/api/enrol',
        payload: { code, deviceId: 'poste-1' },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ profile: 'coordination', name: 'Poste', org });
    } finally {
      await app.close();
      await store.close();
    }
    expect(admin(['devices', '--org', org]).out).toMatch(/^poste-1\tcoordination\t-\tPoste\t/);
  });

  it('forgets a device’s credential (a lost relay box): the server no longer knows it', async () => {
    expect(admin(['forget', '--device', 'poste-1']).code).toBe(0);
    expect(admin(['devices', '--org', org]).out).not.toContain('poste-1');
    expect(admin(['forget', '--device', 'poste-1']).err).toMatch(/Appareil inconnu/);
  });

  it('sets a password read on stdin, and refuses a short one or an unknown person', async () => {
    expect(admin(['password', '--org', org, '--staff', intern.id], 'court\n').err).toMatch(
      /au moins 8 caractères/,
    );
    expect(admin(['password', '--org', org, '--staff', 'nobody'], 'assez-long\n').code).toBe(1);
    const ok = admin(['password', '--org', org, '--staff', intern.id], 'assez-long\n');
    expect(ok.code).toBe(0);
    const store = await openSqliteStore(join(dataDir, 'escale.sqlite'));
    expect(await store.getMeta(`pwd:${org}:${intern.id}`)).toMatch(/^scrypt\$/);
    await store.close();
  });

  it('gives the log a new epoch after a restore: a client’s checkpoint from before is reset', async () => {
    let store = await openSqliteStore(join(dataDir, 'escale.sqlite'));
    const before = await store.epoch();
    await store.close();
    const run = admin(['new-epoch']);
    expect(run.code).toBe(0);
    expect(run.out).toContain(`était ${before}`);
    store = await openSqliteStore(join(dataDir, 'escale.sqlite'));
    const after = await store.epoch();
    await store.close();
    expect(after).not.toBe(before);
    expect(run.out).toContain(after);
  });

  it('refuses an unknown organisation or profile with a French message', () => {
    expect(admin(['code', '--org', 'nulle', '--profile', 'reception']).err).toMatch(
      /Organisation inconnue/,
    );
    expect(admin(['code', '--org', org, '--profile', 'pilote']).err).toMatch(/Profil attendu/);
    expect(admin(['code', '--org', org, '--profile', 'room']).err).toMatch(/--room/);
  });

  it('creates an organisation, its truck and rooms, its coordinating doctor and a first code', async () => {
    const run = admin([
      'org',
      'create',
      '--name',
      'Médicobus du Val',
      '--coordinator',
      'Anne Le Clerc',
      '--truck',
      'Camion du Val',
    ]);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    const created = /Organisation créée : Médicobus du Val \((\S+)\)/.exec(run.out)?.[1];
    const staffId = /Médecin coordinateur : Anne Le Clerc \((\S+)\)/.exec(run.out)?.[1];
    const code = /premier poste de coordination : ([A-Z2-9]{8}) /.exec(run.out)?.[1];
    expect(created && staffId && code).toBeTruthy();
    // The first coordination device's person needs a password: the admin command sets it.
    expect(
      admin(['password', '--org', created!, '--staff', staffId!], 'mot-de-passe-val\n').code,
    ).toBe(0);

    const store = await openSqliteStore(join(dataDir, 'escale.sqlite'));
    const app = await buildApp({ store });
    try {
      expect(await store.orgs()).toContain(created);
      expect((await store.rows(created!, 'organisation'))[0]).toMatchObject({
        name: 'Médicobus du Val',
      });
      const [truck] = await store.rows(created!, 'unit');
      expect(truck).toMatchObject({ name: 'Camion du Val' });
      const rooms = await store.rows(created!, 'room');
      expect(rooms.map((r) => r.name).sort()).toEqual(['Box 1', 'Box 2', 'Salle 3', 'Salle 4']);
      expect(rooms.every((r) => r.unitId === truck!.id)).toBe(true);
      expect((await store.rows(created!, 'service')).map((s) => s.code)).toContain('MG');
      expect(await store.rows(created!, 'staff')).toEqual([
        expect.objectContaining({
          id: staffId,
          firstName: 'Anne',
          lastName: 'Le Clerc',
          roles: expect.arrayContaining(['coordinateur']),
          active: true,
        }),
      ]);
      const enrolled = await app.inject({
        method: 'POST',
        url: '/api/enrol',
        payload: { code, deviceId: 'val-poste-1' },
      });
      expect(enrolled.statusCode).toBe(200);
      expect(enrolled.json()).toMatchObject({
        org: created,
        orgName: 'Médicobus du Val',
        profile: 'coordination',
      });
      const login = await app.inject({
        method: 'POST',
        url: '/api/login',
        headers: { authorization: `Bearer ${enrolled.json().token}` },
        payload: { staffId, password: 'mot-de-passe-val' },
      });
      expect(login.statusCode).toBe(200);
    } finally {
      await app.close();
      await store.close();
    }
  });

  it('refuses a second organisation of the same name (case, accents, spaces aside) unless --force, or no coordinating doctor', async () => {
    const orgsBefore = admin(['orgs']).out.trim().split('\n');
    const again = admin([
      'org',
      'create',
      '--name',
      '  MEDICOBUS  du val ',
      '--coordinator',
      'Paul Durand',
    ]);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/Une organisation porte déjà ce nom : « Médicobus du Val »/);
    expect(again.err).toMatch(/Rien n’a été créé/);
    expect(again.err).toMatch(/--force/);
    expect(admin(['orgs']).out.trim().split('\n')).toEqual(orgsBefore);
    // Insisting makes a second one, with ids of its own.
    const forced = admin([
      'org',
      'create',
      '--name',
      'Médicobus du Val',
      '--coordinator',
      'Paul Durand',
      '--force',
    ]);
    expect(forced.err).toBe('');
    const second = /Organisation créée : Médicobus du Val \((\S+)\)/.exec(forced.out)?.[1];
    expect(second).toBeDefined();
    expect(orgsBefore).not.toContain(second);
    expect(admin(['orgs']).out.trim().split('\n')).toHaveLength(orgsBefore.length + 1);
    expect(admin(['org', 'create', '--name', 'Autre']).err).toMatch(/--coordinator/);
    expect(admin(['org', 'create', '--name', 'Autre', '--coordinator', 'Paul']).err).toMatch(
      /prénom et le nom/,
    );
    // Each admin command is a process of its own: several of them on a loaded machine.
  }, 120_000);
});

describe('org create: ids and the first code’s validity', () => {
  it('makes uuid v7 ids, a first code valid 24 h by default, or as long as --code-ttl says', async () => {
    const run = admin(['org', 'create', '--name', 'Centre Sept', '--coordinator', 'Iris Roy']);
    expect(run.code).toBe(0);
    const created = /Organisation créée : Centre Sept \((\S+)\)/.exec(run.out)![1]!;
    const staffId = /Médecin coordinateur : Iris Roy \((\S+)\)/.exec(run.out)![1]!;
    const uuidV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(created).toMatch(uuidV7);
    expect(staffId).toMatch(uuidV7);
    const store = await openSqliteStore(join(dataDir, 'escale.sqlite'));
    const expiry = async (out: string) => {
      const code = /premier poste de coordination : ([A-Z2-9]{8}) /.exec(out)![1]!;
      const spec = JSON.parse((await store.getMeta(`enrol:${sha256(code)}`))!) as {
        expiresAt: number;
      };
      return spec.expiresAt;
    };
    try {
      for (const row of [
        ...(await store.rows(created, 'unit')),
        ...(await store.rows(created, 'room')),
        ...(await store.rows(created, 'service')),
      ]) {
        expect(row.id).toMatch(uuidV7);
      }
      const before = Date.now();
      const day = await expiry(run.out);
      expect(day).toBeGreaterThan(before + 23.9 * 3_600_000);
      expect(day).toBeLessThanOrEqual(before + 24 * 3_600_000);
      const week = admin([
        'org',
        'create',
        '--name',
        'Centre Huit',
        '--coordinator',
        'Iris Roy',
        '--code-ttl',
        '7j',
      ]);
      expect(week.err).toBe('');
      expect(await expiry(week.out)).toBeGreaterThan(before + 6.9 * 86_400_000);
    } finally {
      await store.close();
    }
    // Each admin command is a process of its own: several of them on a loaded machine.
  }, 120_000);

  it('refuses a --code-ttl it cannot read, or longer than a week, before creating anything', () => {
    const orgs = admin(['orgs']).out;
    for (const ttl of ['demain', '8j', '0h']) {
      const run = admin([
        'org',
        'create',
        '--name',
        `Centre ${ttl}`,
        '--coordinator',
        'Iris Roy',
        '--code-ttl',
        ttl,
      ]);
      expect(run.code).toBe(1);
      expect(run.err).toMatch(/--code-ttl attend une durée entre 1 minute et 7 jours/);
    }
    expect(admin(['orgs']).out).toBe(orgs);
    // Each admin command is a process of its own: several of them on a loaded machine.
  }, 120_000);
});

describe('npm run admin on a PostgreSQL central (DATABASE_URL)', () => {
  let url: string;
  beforeAll(async () => {
    url = await freshPostgresDatabase();
  });

  it('creates a second organisation whose first device enrols, signs in and syncs over HTTP', async () => {
    const first = admin(
      ['org', 'create', '--name', 'Médicobus Nord', '--coordinator', 'Iris Roy'],
      '',
      url,
    );
    expect(first.err).toBe('');
    const run = admin(
      ['org', 'create', '--name', 'Médicobus Sud', '--coordinator', 'Paul Durand'],
      '',
      url,
    );
    expect(run.code).toBe(0);
    // The same name again is refused on PostgreSQL too, and --force insists.
    const again = admin(
      ['org', 'create', '--name', 'médicobus nord', '--coordinator', 'Iris Roy'],
      '',
      url,
    );
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/Une organisation porte déjà ce nom/);
    const created = /Organisation créée : Médicobus Sud \((\S+)\)/.exec(run.out)?.[1];
    const staffId = /Médecin coordinateur : Paul Durand \((\S+)\)/.exec(run.out)?.[1];
    const code = /premier poste de coordination : ([A-Z2-9]{8}) /.exec(run.out)?.[1];
    expect(created && staffId && code).toBeTruthy();
    expect(
      admin(['password', '--org', created!, '--staff', staffId!], 'mot-de-passe-sud\n', url).code,
    ).toBe(0);
    const server = await startTestServer({ databaseUrl: url });
    try {
      expect((await server.store.orgs()).sort()).toHaveLength(2);
      const post = async (path: string, body: unknown, token?: string) => {
        const res = await fetch(`${server.url}${path}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      };
      const enrolled = await post('/api/enrol', { code, deviceId: 'sud-poste-1' });
      expect(enrolled.status).toBe(200);
      expect(enrolled.body).toMatchObject({ org: created, orgName: 'Médicobus Sud' });
      const token = String(enrolled.body.token);
      expect(
        (await post('/api/login', { staffId, password: 'mot-de-passe-sud' }, token)).status,
      ).toBe(200);
      const sync = await post(
        '/api/sync',
        {
          protocol: PROTOCOL_VERSION,
          schema: SCHEMA_VERSION,
          org: created,
          deviceId: 'sud-poste-1',
          since: 0,
          ops: [],
        },
        token,
      );
      expect(sync.status).toBe(200);
      // Only its own organisation: its rooms, none of the other's.
      const ops = (sync.body.ops as { op: { org: string } }[]).map((x) => x.op);
      expect(ops.length).toBeGreaterThan(0);
      expect(ops.every((op) => op.org === created)).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('gives the log a new epoch: a checkpoint from before the restore is answered with a reset', async () => {
    let store = await openPostgresStore(url, 5);
    const before = await store.epoch();
    await store.close();
    const run = admin(['new-epoch'], '', url);
    expect(run.code).toBe(0);
    expect(run.out).toContain(`était ${before}`);
    store = await openPostgresStore(url, 5);
    const after = await store.epoch();
    await store.close();
    expect(after).not.toBe(before);
    expect(run.out).toContain(after);
    const server = await startTestServer({ databaseUrl: url });
    try {
      const [someOrg] = await server.store.orgs();
      const device = await enrol(server, 'poste-avant-restauration', { org: someOrg });
      const res = await fetch(`${server.url}/api/sync`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...device.headers },
        body: JSON.stringify({
          protocol: PROTOCOL_VERSION,
          schema: SCHEMA_VERSION,
          org: someOrg,
          deviceId: device.deviceId,
          since: 3,
          epoch: before,
          ops: [],
        }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ epoch: after, reset: true });
    } finally {
      await server.close();
    }
  });
});

describe('npm run admin as built (node build/server/admin.js)', () => {
  it('runs the command: org create prints the organisation and its first code', () => {
    // `npm run admin` runs the bundle, not the sources: it must act, not just load and exit.
    execSync('npm run build:server', { stdio: 'ignore' });
    const builtDir = mkdtempSync(join(tmpdir(), 'escale-admin-built-'));
    try {
      const run = spawnSync(
        process.execPath,
        [
          'build/server/admin.js',
          'org',
          'create',
          '--name',
          'Centre du Saosnois',
          '--coordinator',
          'Anne Le Clerc',
        ],
        { env: { ...process.env, DATA_DIR: builtDir, DATABASE_URL: '' }, encoding: 'utf8' },
      );
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/^Organisation créée : Centre du Saosnois \(/);
      expect(run.stdout).toMatch(/Code du premier poste de coordination : [A-Z2-9]{8} /);
      const orgs = spawnSync(process.execPath, ['build/server/admin.js', 'orgs'], {
        env: { ...process.env, DATA_DIR: builtDir, DATABASE_URL: '' },
        encoding: 'utf8',
      });
      expect(orgs.stdout.trim().split('\n')).toHaveLength(1);
    } finally {
      rmSync(builtDir, { recursive: true, force: true });
    }
  });
});
