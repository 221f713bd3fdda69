// `npm start` ends in `tsx src/server/main.ts`: it seeds the demo organisation once, prints the
// URL and the demo accounts, answers health, and stops cleanly on SIGTERM and SIGINT.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dataDir = mkdtempSync(join(tmpdir(), 'escale-main-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

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
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
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
  const deadline = Date.now() + 30_000;
  while (!text.includes('Comptes de démonstration') && Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(text);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, out: () => text, port };
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('the server started by npm start', () => {
  it('seeds the demo organisation, prints the URL and the accounts, and stops on SIGTERM', async () => {
    const { child, out, port } = await start();
    expect(out()).toContain(`http://127.0.0.1:${port}`);
    for (const name of ['Sophie Leroy', 'Hélène Morvan', 'Thomas Garnier', 'Inès Benali']) {
      expect(out()).toContain(name);
    }
    const health = await (await fetch(`http://127.0.0.1:${port}/api/health`)).json();
    expect(health).toMatchObject({ status: 'ok', store: 'sqlite', role: 'central' });
    const orgs = await (await fetch(`http://127.0.0.1:${port}/api/orgs`)).json();
    expect(orgs.orgs).toEqual([expect.objectContaining({ name: 'Médicobus Perche Émeraude' })]);
    const exited = exitCode(child);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('keeps its data across a restart without seeding twice, and stops on SIGINT', async () => {
    const { child, port } = await start();
    const orgs = await (await fetch(`http://127.0.0.1:${port}/api/orgs`)).json();
    expect(orgs.orgs).toHaveLength(1);
    const exited = exitCode(child);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
