// `npm start` / `npm run serve`: the Escale server. Central by default; a relay when given an
// upstream (`--upstream URL` or UPSTREAM_URL). On first start of a central with no data it seeds
// the demo organisation (SEED_DEMO=0 to skip).
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { buildApp } from './app';
import { Pokes } from './live';
import { Relay } from './relay';
import { buildDemoDataset } from './seed/demo';
import { rowsToOps } from './seed/ops';
import { openStore } from './store/open';
import { type Fanout, startPgFanout } from './store/pg-fanout';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function todayInParis(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
}

const PROFESSION_LABEL: Record<string, string> = {
  accueil: 'accueil',
  interne: 'interne',
  medecin: 'médecin coordinateur',
  sage_femme: 'sage-femme',
  dentiste: 'dentiste',
  assistante_sociale: 'assistante sociale',
};

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 8080);
  const host = process.env.HOST ?? '0.0.0.0';
  const dataDir = resolve(process.env.DATA_DIR ?? './data');
  const upstream = flag('upstream') ?? process.env.UPSTREAM_URL;
  const store = await openStore({ databaseUrl: process.env.DATABASE_URL, dataDir });
  await store.replayParked();

  let accounts: ReturnType<typeof buildDemoDataset>['accounts'] | null = null;
  if (!upstream && process.env.SEED_DEMO !== '0' && (await store.orgs()).length === 0) {
    const demo = buildDemoDataset({ today: todayInParis() });
    const org = demo.data.organisation[0]!.id;
    await store.push(org, rowsToOps(org, 'seed', demo.data));
    accounts = demo.accounts;
  }

  const pokes = new Pokes();
  const fanout: Fanout | undefined = process.env.DATABASE_URL
    ? await startPgFanout(process.env.DATABASE_URL, (org, seq) => pokes.poke(org, seq))
    : undefined;
  let relayId = await store.getMeta('relayId');
  if (upstream && !relayId) {
    relayId = `relay-${randomUUID()}`;
    await store.setMeta('relayId', relayId);
  }
  const relay = upstream
    ? new Relay({
        store,
        upstream,
        relayId: relayId!,
        orgs: (process.env.RELAY_ORGS ?? flag('org') ?? '').split(',').filter(Boolean),
        onPulled: (org, lastSeq) => pokes.poke(org, lastSeq),
      })
    : null;
  const app = await buildApp({
    store,
    role: upstream ? 'relay' : 'central',
    staticDir: process.env.STATIC_DIR ?? (upstream ? undefined : resolve('dist')),
    allowedOrigins: (process.env.ALLOWED_ORIGINS ?? '').split(',').filter(Boolean),
    bodyLimit: process.env.BODY_LIMIT ? Number(process.env.BODY_LIMIT) : undefined,
    pokes,
    fanout,
    onStored: () => void relay?.syncNow(),
    relay: relay ?? undefined,
    extraHealth: () => (relay ? { upstream: relay.status } : {}),
    logger: process.env.LOG === '1',
  });
  await app.listen({ port, host });
  relay?.start();

  const shown = host === '0.0.0.0' ? 'localhost' : host;
  console.log(
    `Escale ${upstream ? `relais (amont : ${upstream})` : 'central'} — http://${shown}:${port}`,
  );
  console.log(`Stockage : ${store.kind === 'sqlite' ? `SQLite dans ${dataDir}` : 'PostgreSQL'}`);
  const orgs = await store.orgs();
  if (!upstream && orgs.length) {
    const list = accounts ?? (await listAccounts(store, orgs[0]!));
    console.log(
      'Comptes de démonstration (choisissez le profil de l’appareil, puis la personne) :',
    );
    for (const a of list)
      console.log(`  - ${a.name} (${PROFESSION_LABEL[a.profession] ?? a.profession})`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} reçu : arrêt propre…`);
    await relay?.stop();
    await app.close();
    await fanout?.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

async function listAccounts(store: Awaited<ReturnType<typeof openStore>>, org: string) {
  const staff = await store.rows(org, 'staff');
  return staff.map((s) => ({
    name: `${String(s.firstName)} ${String(s.lastName)}`,
    profession: String(s.profession),
  }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
