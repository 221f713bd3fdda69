// `npm run admin -- <command>`: what the operator of a server does without a device, over the
// same store as the server (DATABASE_URL, or SQLite under DATA_DIR):
//   orgs                                            the organisations held
//   org create --name N --coordinator "Prénom Nom" [--truck T] [--registration R]
//              [--code-ttl 24h] [--force]           a new organisation (one truck, its four
//                                                   rooms, the usual services, its coordinating
//                                                   doctor) and its first coordination code;
//                                                   refuses a name already held unless --force
//   code --org ORG --profile P [--room ID] [--name N] [--hours H]
//                                                   a single-use enrolment code (e.g. the first
//                                                   coordination device of an organisation, or a
//                                                   relay: profile `relay`)
//   password --org ORG --staff ID                   sets a person's password, read on stdin
//   devices --org ORG                               the enrolled devices
//   forget --device ID                              deletes a device's credential (a lost relay
//                                                   box: its next request gets 401)
//   new-epoch                                       after restoring a backup: a new identity of
//                                                   the log, so every client pulls again from 0
//                                                   and sends again what it holds (docs/operations.md)
// Retention on central (docs/decisions/0019-retention.md); STAFF: an active coordinator's id:
//   retention-policy --org ORG [--record-years N] [--minor-until-age N] [--audit-years N]
//                    [--by STAFF]                   shows (or, with --by, sets) the policy
//   retention-report --org ORG                      what is due, counted; changes nothing
//   archive --org ORG --by STAFF                    archives every record past its period
//   restore --org ORG --patient ID --by STAFF       puts an archived record back
//   destroy --org ORG --by STAFF --confirm [--patient ID]
//                                                   destroys archived records past their period,
//                                                   refusing any with a day without a receipt
//   audit-purge --org ORG --by STAFF                deletes audit entries past the audit period
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { deviceProfileSchema, type PartnerService, partnerServiceSchema } from '../domain/entities';
import { formatBirthDate, formatDate, formatDateTime } from '../domain/french-dates';
import { destroyRefusal, type RetentionEntry } from '../domain/retention';
import { foldName } from '../domain/text';
import { Accounts, CODE_TTL_MS, MIN_PASSWORD } from './auth';
import {
  archiveDue,
  destroyDue,
  purgeAudit,
  restoreArchived,
  retentionPolicy,
  retentionReport,
  setRetentionPolicy,
} from './retention';
import { rowsToOps } from './seed/ops';
import { newOrganisation } from './seed/organisation';
import { openStore } from './store/open';
import type { SyncStore } from './store/types';

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** The organisation's first code lives a day unless told otherwise (`--code-ttl`). */
export const FIRST_CODE_TTL_MS = 24 * 3_600_000;
const MAX_CODE_TTL_MS = 7 * 24 * 3_600_000;

/**
 * A code's validity as the operator writes it: `90min`, `24h`, `7j` (or a bare number of hours).
 * At most 7 days: a code is read out once, it should not lie around.
 */
export function parseCodeTtl(text: string): number {
  const m = /^(\d+(?:[.,]\d+)?)\s*(min|h|j)?$/u.exec(text.trim());
  const unit = { min: 60_000, h: 3_600_000, j: 86_400_000 }[m?.[2] ?? 'h'] ?? 3_600_000;
  const ms = m ? Number(m[1]!.replace(',', '.')) * unit : Number.NaN;
  if (!Number.isFinite(ms) || ms < 60_000 || ms > MAX_CODE_TTL_MS) {
    throw new Error(
      `--code-ttl attend une durée entre 1 minute et 7 jours, par exemple 30min, 24h ou 7j (reçu « ${text} »).`,
    );
  }
  return Math.round(ms);
}

function required(args: string[], name: string): string {
  const value = flag(args, name);
  if (!value) throw new Error(`Option --${name} manquante.`);
  return value;
}

async function readLine(): Promise<string> {
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  return '';
}

export async function runAdmin(args: string[], out: (line: string) => void): Promise<void> {
  const [command, ...rest] = args;
  const store = await openStore({
    databaseUrl: process.env.DATABASE_URL,
    dataDir: resolve(process.env.DATA_DIR ?? './data'),
  });
  const accounts = new Accounts(store);
  try {
    if (command === 'orgs') {
      for (const org of await store.orgs()) out(org);
    } else if (command === 'org' && rest[0] === 'create') {
      await createOrganisation(store, accounts, rest.slice(1), out);
    } else if (command === 'code') {
      const org = required(rest, 'org');
      const profile = required(rest, 'profile');
      if (
        profile !== 'relay' &&
        profile !== 'partner' &&
        !deviceProfileSchema.safeParse(profile).success
      ) {
        throw new Error(
          'Profil attendu : reception, room, coordination, display, relay ou partner.',
        );
      }
      // A partner component: the services it renders, e.g. --services insi,billing.
      const services = (flag(rest, 'services') ?? '').split(',').filter((x) => x !== '');
      if (profile === 'partner') {
        const bad = services.filter((x) => !partnerServiceSchema.safeParse(x).success);
        if (services.length === 0 || bad.length > 0) {
          throw new Error(
            'Un composant partenaire demande --services parmi insi, eprescription, dmp, mssante, billing (séparés par des virgules).',
          );
        }
      }
      const roomId = flag(rest, 'room') ?? null;
      if (profile === 'room' && !roomId) throw new Error('Un appareil de salle demande --room.');
      if (!(await store.orgs()).includes(org)) throw new Error(`Organisation inconnue : ${org}.`);
      const hours = Number(flag(rest, 'hours') ?? CODE_TTL_MS / 3_600_000);
      const { code, expiresAt } = await accounts.createCode(
        {
          org,
          profile: profile as 'relay',
          roomId,
          name: flag(rest, 'name') ?? profile,
          createdBy: null,
          ...(profile === 'partner' ? { services: services as PartnerService[] } : {}),
        },
        hours * 3_600_000,
      );
      out(`${code} (valable jusqu’à ${formatDateTime(expiresAt)})`);
    } else if (command === 'password') {
      const org = required(rest, 'org');
      const staffId = required(rest, 'staff');
      if ((await store.rowsByIds(org, 'staff', [staffId])).length === 0) {
        throw new Error('Personne inconnue dans cette organisation.');
      }
      const password = (await readLine()).trim();
      if (password.length < MIN_PASSWORD) {
        throw new Error(`Le mot de passe doit compter au moins ${MIN_PASSWORD} caractères.`);
      }
      await accounts.setPassword(org, staffId, password);
      out('Mot de passe enregistré.');
    } else if (command === 'devices') {
      for (const c of await accounts.credentials(required(rest, 'org'))) {
        out(
          `${c.deviceId}\t${c.profile}\t${c.roomId ?? '-'}\t${c.name}\t${formatDateTime(c.enrolledAt)}`,
        );
      }
    } else if (command === 'forget') {
      const deviceId = required(rest, 'device');
      if (!(await store.deleteMeta(`cred:${deviceId}`))) throw new Error('Appareil inconnu.');
      out('Identifiant supprimé : cet appareil doit être enrôlé à nouveau.');
    } else if (command === 'new-epoch') {
      const before = await store.epoch();
      const epoch = await store.newEpoch();
      out(
        `Nouvelle époque du journal : ${epoch} (était ${before}). Les appareils et relais reprendront la synchronisation depuis le début et renverront ce qu’ils détiennent.`,
      );
    } else if (RETENTION_COMMANDS.has(command ?? '')) {
      await retentionCommand(store, command!, rest, out);
    } else {
      throw new Error(
        'Commandes : orgs | org create | code | password | devices | forget | new-epoch | retention-policy | retention-report | archive | restore | destroy | audit-purge (voir docs/operations.md).',
      );
    }
  } finally {
    await store.close();
  }
}

const RETENTION_COMMANDS = new Set([
  'retention-policy',
  'retention-report',
  'archive',
  'restore',
  'destroy',
  'audit-purge',
]);

const policyLine = (p: { recordYears: number; minorUntilAge: number; auditYears: number }) =>
  `Politique de conservation : dossiers ${p.recordYears} ans après la dernière consultation ; patients mineurs à cette consultation au moins jusqu’à leurs ${p.minorUntilAge} ans ; journal d’audit ${p.auditYears} an${p.auditYears > 1 ? 's' : ''}.`;

function years(args: string[], name: string): number | undefined {
  const text = flag(args, name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n)) throw new Error(`--${name} attend un nombre entier d’années.`);
  return n;
}

async function retentionCommand(
  store: SyncStore,
  command: string,
  args: string[],
  out: (line: string) => void,
): Promise<void> {
  const org = required(args, 'org');
  if (!(await store.orgs()).includes(org)) throw new Error(`Organisation inconnue : ${org}.`);
  const now = Date.now();
  if (command === 'retention-policy') {
    const change = {
      ...(years(args, 'record-years') !== undefined
        ? { recordYears: years(args, 'record-years') }
        : {}),
      ...(years(args, 'minor-until-age') !== undefined
        ? { minorUntilAge: years(args, 'minor-until-age') }
        : {}),
      ...(years(args, 'audit-years') !== undefined
        ? { auditYears: years(args, 'audit-years') }
        : {}),
    };
    if (Object.keys(change).length === 0) {
      out(policyLine(await retentionPolicy(store, org)));
      return;
    }
    try {
      out(
        policyLine(await setRetentionPolicy(store, org, change, { by: required(args, 'by'), now })),
      );
    } catch (error) {
      const issues = (error as { issues?: { message: string }[] }).issues;
      throw issues ? new Error(issues.map((i) => i.message).join(' ')) : error;
    }
  } else if (command === 'retention-report') {
    const today = new Date(now).toISOString().slice(0, 10);
    const report = await retentionReport(store, org, today);
    const live = report.entries.filter((e) => !e.archived);
    const archived = report.entries.filter((e) => e.archived);
    const toArchive = live.filter((e) => e.action === 'archive');
    const toDestroy = archived.filter((e) => e.action === 'destroy');
    const blocked = toDestroy.filter((e) => destroyRefusal(e) !== null);
    const destroyed = report.retired.filter((r) => r.status === 'destroyed').length;
    out(policyLine(report.policy));
    out(
      `Au ${formatDate(today)} : ${live.length} dossier(s) actif(s), dont ${toArchive.length} à archiver ; ${archived.length} archivé(s), dont ${toDestroy.length} à détruire (${blocked.length} refusé(s) pour l’instant) ; ${destroyed} détruit(s).`,
    );
    out(
      `Journal d’audit : ${report.auditDue.length} entrée(s) au-delà de la durée de conservation, à purger.`,
    );
    const why = (e: RetentionEntry) =>
      e.rule === 'minor_until_age'
        ? `mineur à la dernière consultation : jusqu’à ses ${report.policy.minorUntilAge} ans`
        : e.lastConsultation
          ? `${report.policy.recordYears} ans après la dernière consultation`
          : `${report.policy.recordYears} ans après le dernier passage (aucune consultation)`;
    const line = (e: RetentionEntry) =>
      `  ${e.patientId}\tdepuis le ${formatBirthDate(e.from)}\tconservé jusqu’au ${formatBirthDate(e.keepUntil)} (${why(e)})`;
    if (toArchive.length > 0) out('À archiver :');
    for (const e of toArchive) out(line(e));
    if (toDestroy.length > 0) out('À détruire :');
    for (const e of toDestroy) out(`${line(e)}\t${destroyRefusal(e) ?? 'prêt'}`);
  } else if (command === 'archive') {
    const done = await archiveDue(store, org, { by: required(args, 'by'), now });
    out(
      `${done.records.length} dossier(s) archivé(s) (${done.count.rows} lignes, ${done.count.ops} opérations) : ils ne sont plus envoyés aux appareils ni trouvés par la recherche ; restore les rétablit.`,
    );
  } else if (command === 'restore') {
    const count = await restoreArchived(store, org, required(args, 'patient'), {
      by: required(args, 'by'),
      now,
    });
    out(
      `Dossier restauré (${count.rows} lignes, ${count.ops} opérations) : les appareils le reçoivent à leur prochaine synchronisation.`,
    );
  } else if (command === 'destroy') {
    const patient = flag(args, 'patient');
    const done = await destroyDue(store, org, {
      by: required(args, 'by'),
      now,
      confirm: args.includes('--confirm'),
      ...(patient ? { patient } : {}),
    });
    out(
      `${done.destroyed.length} dossier(s) détruit(s) (${done.count.rows} lignes, ${done.count.ops} opérations).`,
    );
    for (const r of done.refused) out(`Refusé : ${r.patient} — ${r.why}`);
    if (patient && done.refused.length > 0) throw new Error('Destruction refusée.');
  } else if (command === 'audit-purge') {
    const count = await purgeAudit(store, org, { by: required(args, 'by'), now });
    out(`${count.rows} entrée(s) du journal d’audit purgée(s) (${count.ops} opérations).`);
  }
}

async function createOrganisation(
  store: SyncStore,
  accounts: Accounts,
  args: string[],
  out: (line: string) => void,
): Promise<void> {
  const name = required(args, 'name').trim();
  const [firstName, ...last] = required(args, 'coordinator').trim().split(/\s+/);
  if (!name) throw new Error('Option --name vide.');
  if (!firstName || last.length === 0) {
    throw new Error('--coordinator attend le prénom et le nom du médecin coordinateur.');
  }
  const ttlText = flag(args, 'code-ttl');
  const hours = flag(args, 'hours');
  const ttlMs = ttlText
    ? parseCodeTtl(ttlText)
    : hours
      ? parseCodeTtl(`${hours}h`)
      : FIRST_CODE_TTL_MS;
  // Running the command twice (a retry after a lost terminal) must not make two centres: the
  // same name, folded (case, accents, spaces), is refused unless the operator insists.
  if (!args.includes('--force')) {
    for (const org of await store.orgs()) {
      const [row] = await store.rowsByIds(org, 'organisation', [org]);
      if (row && foldName(String(row.name)) === foldName(name)) {
        throw new Error(
          `Une organisation porte déjà ce nom : « ${String(row.name)} » (${org}). Rien n’a été créé. Pour un nouveau code de coordination : npm run admin -- code --org ${org} --profile coordination. Pour créer quand même une seconde organisation de ce nom : ajouter --force.`,
        );
      }
    }
  }
  const rows = newOrganisation({
    name,
    coordinator: { firstName, lastName: last.join(' ') },
    truck: flag(args, 'truck'),
    registration: flag(args, 'registration') ?? null,
  });
  const org = rows.organisation[0]!.id;
  // The organisation's rows replicate like any data: ops of an `admin` writer.
  await store.push(org, rowsToOps(org, 'admin', rows));
  const coordinator = rows.staff[0]!;
  const { code, expiresAt } = await accounts.createCode(
    { org, profile: 'coordination', roomId: null, name: 'Poste coordination', createdBy: null },
    ttlMs,
  );
  out(`Organisation créée : ${name} (${org})`);
  out(`Camion : ${rows.unit[0]!.name} ; salles : ${rows.room.map((r) => r.name).join(', ')}`);
  out(
    `Médecin coordinateur : ${coordinator.firstName} ${coordinator.lastName} (${coordinator.id})`,
  );
  out(
    `Son mot de passe : echo '…' | npm run admin -- password --org ${org} --staff ${coordinator.id}`,
  );
  out(
    `Code du premier poste de coordination : ${code} (valable jusqu’à ${formatDateTime(expiresAt)})`,
  );
}

// Run as a command both from the sources (tsx src/server/admin.ts) and as built for `npm run
// admin` (build/server/admin.js); imported by the tests, it stays a library.
if (/[/\\]admin\.(ts|js)$/.test(process.argv[1] ?? '')) {
  runAdmin(process.argv.slice(2), (line) => console.log(line)).catch((error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  });
}
