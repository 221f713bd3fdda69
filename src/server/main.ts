// `npm start` / `npm run serve`: the Escale server. Central by default; a relay when given an
// upstream (`--upstream URL` or UPSTREAM_URL) and, at its first start, a relay enrolment code
// (`--code` or ENROL_CODE). On first start of a central with no data it seeds the demo
// organisation (SEED_DEMO=0 to skip); at a later start that no stop of the day covers, a new
// stop around the moment, with a waiting room in motion (seed/demo-start.ts); and at each start
// it prints demo enrolment codes.
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { buildApp, trustProxyFrom } from './app';
import { Accounts } from './auth';
import { envNumber } from './env-number';
import { Pokes } from './live';
import { enrolRelay, RELAY_COALESCE_MS, Relay, type RelayCredential } from './relay';
import type { DemoAccount } from './seed/demo';
import { DEMO_PASSWORD, demoCodes, setDemoPasswords } from './seed/demo-access';
import { startDemo } from './seed/demo-start';
import { openStore, storeConfig } from './store/open';
import { type Fanout, startPgFanout } from './store/pg-fanout';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
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
  const env = process.env;
  const port = envNumber(env, 'PORT', { min: 0, max: 65_535 }) ?? 8080;
  const host = process.env.HOST ?? '0.0.0.0';
  const upstream = flag('upstream') ?? process.env.UPSTREAM_URL;
  const { databaseUrl, dataDir } = storeConfig(process.env, upstream ? 'relay' : 'central');
  const store = await openStore({ databaseUrl, dataDir });
  await store.replayParked();

  let demoAccounts: DemoAccount[] | null = null;
  if (!upstream && process.env.SEED_DEMO !== '0') {
    const demo = await startDemo(store, new Date().toISOString());
    if (demo.kind === 'created') demoAccounts = demo.accounts;
    if (demo.kind === 'created' || demo.kind === 'new_day') {
      const [stop] = await store.rowsByIds(demo.org, 'stop', [demo.stopId]);
      if (stop) {
        console.log(
          `Démonstration : escale du jour ouverte de ${String(stop.opensAt)} à ${String(stop.closesAt)} (heure de Paris), salle d’attente déjà animée.`,
        );
      }
    }
  }

  const pokes = new Pokes();
  const fanout: Fanout | undefined = databaseUrl
    ? await startPgFanout(databaseUrl, (org, seq) => pokes.poke(org, seq))
    : undefined;
  const accounts = new Accounts(store);
  const credential = upstream ? await relayCredential(store, upstream) : null;
  const relay =
    upstream && credential
      ? new Relay({
          store,
          upstream,
          relayId: credential.relayId,
          org: credential.org,
          token: credential.token,
          accounts,
          onPulled: (org, lastSeq) => pokes.poke(org, lastSeq),
          // Devices delete their ops once central holds them: tell them it does.
          onDurable: (org) => void store.lastSeq(org).then((seq) => pokes.poke(org, seq)),
          coalesceMs:
            envNumber(env, 'RELAY_COALESCE_MS', { min: 0, max: 600_000 }) ?? RELAY_COALESCE_MS,
        })
      : null;
  const app = await buildApp({
    store,
    accounts,
    role: upstream ? 'relay' : 'central',
    staticDir: process.env.STATIC_DIR ?? (upstream ? undefined : resolve('dist')),
    allowedOrigins: (process.env.ALLOWED_ORIGINS ?? '').split(',').filter(Boolean),
    bodyLimit: envNumber(env, 'BODY_LIMIT', { min: 1024, max: 1 << 30 }),
    reloadOps: envNumber(env, 'RELOAD_OPS', { min: 1, max: 1e9 }),
    requestStreams: process.env.REQUEST_STREAMS !== 'off',
    pokes,
    fanout,
    onStored: () => void relay?.syncSoon(),
    relay: relay ?? undefined,
    extraHealth: () => (relay ? { upstream: relay.status } : {}),
    logger: process.env.LOG === '1',
    trustProxy: trustProxyFrom(process.env.TRUST_PROXY),
  });
  await app.listen({ port, host });
  relay?.start();

  const shown = host === '0.0.0.0' ? 'localhost' : host;
  console.log(
    `Escale ${upstream ? `relais (amont : ${upstream})` : 'central'} — http://${shown}:${port}`,
  );
  console.log(`Stockage : ${store.kind === 'sqlite' ? `SQLite dans ${dataDir}` : 'PostgreSQL'}`);
  const orgs = await store.orgs();
  if (!upstream && orgs.length && process.env.SEED_DEMO !== '0') {
    const org = orgs[0]!;
    await setDemoPasswords(store, accounts, org);
    const list = demoAccounts ?? (await listAccounts(store, org));
    console.log('Codes d’enrôlement de démonstration (valables 24 h, un appareil chacun) :');
    for (const c of await demoCodes(store, accounts, org)) {
      console.log(`  - ${c.label.padEnd(28)} ${c.code}`);
    }
    console.log(`Comptes de démonstration (mot de passe : ${DEMO_PASSWORD}) :`);
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

/** The relay's credential at central: kept in its store, or obtained once with a code. */
async function relayCredential(
  store: Awaited<ReturnType<typeof openStore>>,
  upstream: string,
): Promise<RelayCredential> {
  const kept = await store.getMeta('relayCredential');
  if (kept) return JSON.parse(kept) as RelayCredential;
  const code = flag('code') ?? process.env.ENROL_CODE;
  if (!code) {
    throw new Error(
      'Relais non enrôlé : démarrez-le une première fois avec ENROL_CODE=<code> (code « Relais du camion » créé par la coordination).',
    );
  }
  const relayId = (await store.getMeta('relayId')) ?? `relay-${randomUUID()}`;
  const credential = await enrolRelay(upstream, code, relayId);
  await store.setMeta('relayId', relayId);
  await store.setMeta('relayCredential', JSON.stringify(credential));
  return credential;
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
