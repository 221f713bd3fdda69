// `npm start` ends in `node build/server/main.js` (the server as built for production, plain
// JavaScript run by node): it seeds the demo organisation once, prints the URL, demo enrolment
// codes and accounts, answers health, and stops cleanly on SIGTERM and SIGINT.
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const dataDir = mkdtempSync(join(tmpdir(), 'escale-main-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
// Built here from the current sources (esbuild, about a second), as `npm run build` does.
execSync('npm run build:server', { stdio: 'ignore' });

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function start(): Promise<{ child: ChildProcess; out: () => string; port: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--enable-source-maps', 'build/server/main.js'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      STATIC_DIR: dataDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (d) => (text += d));
  child.stderr!.on('data', (d) => (text += d));
  // Up once it has printed its accounts; a server that exits first fails with what it printed.
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', () => reject(new Error(`the server exited:\n${text}`))),
  );
  exited.catch(() => {}); // it exits at the end of every test
  await Promise.race([
    vi.waitFor(() => expect(text).toContain('Comptes de démonstration'), {
      timeout: 30_000,
      interval: 100,
    }),
    exited,
  ]);
  return { child, out: () => text, port };
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('the server started by npm start', () => {
  it('seeds the demo organisation, prints the URL, enrolment codes and accounts, and stops on SIGTERM', async () => {
    const { child, out, port } = await start();
    expect(out()).toContain(`http://127.0.0.1:${port}`);
    for (const name of ['Sophie Leroy', 'Hélène Morvan', 'Thomas Garnier', 'Inès Benali']) {
      expect(out()).toContain(name);
    }
    expect(out()).toContain('mot de passe : escale-demo');
    const health = await (await fetch(`http://127.0.0.1:${port}/api/health`)).json();
    expect(health).toMatchObject({ status: 'ok', store: 'sqlite', role: 'central' });
    // The printed reception code enrols a device of the demo organisation.
    const code = /Accueil\s+([A-Z0-9]{8})/.exec(out())?.[1];
    expect(code).toBeDefined();
    const enrolled = await fetch(`http://127.0.0.1:${port}/api/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, deviceId: 'tablette-demo' }),
    });
    expect(enrolled.status).toBe(200);
    expect(await enrolled.json()).toMatchObject({
      orgName: 'Médicobus Perche Émeraude',
      profile: 'reception',
      deviceId: 'tablette-demo',
    });
    const exited = exitCode(child);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('keeps its data across a restart without seeding twice, and stops on SIGINT', async () => {
    const { child, out, port } = await start();
    // A coordination device enrolled now sees the tablet enrolled before the restart.
    const code = /Coordination\s+([A-Z0-9]{8})/.exec(out())?.[1];
    const enrolled = await fetch(`http://127.0.0.1:${port}/api/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, deviceId: 'poste-coordination' }),
    });
    const { token } = (await enrolled.json()) as { token: string };
    const devices = (await (
      await fetch(`http://127.0.0.1:${port}/api/devices`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as { enrolled: { deviceId: string }[] };
    expect(devices.enrolled.map((d) => d.deviceId)).toEqual([
      'tablette-demo',
      'poste-coordination',
    ]);
    const exited = exitCode(child);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('refuses to start with a setting that is not a whole number, naming it', async () => {
    const child = spawn(process.execPath, ['build/server/main.js'], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, BODY_LIMIT: '4 Mo' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stderr!.on('data', (d) => (text += d));
    expect(await exitCode(child)).toBe(1);
    expect(text).toContain('BODY_LIMIT="4 Mo" : un nombre entier entre 1024 et');
  });
});
