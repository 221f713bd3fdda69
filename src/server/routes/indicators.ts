// The evaluation's indicators computed by central over its whole history (issue #17 item 3;
// docs/indicators.md, docs/protocol.md « Indicateurs »): a coordination device asks
// `GET /api/indicators?org&from&to`; central materialises every row it holds of the entities the
// definitions read — archived records included (retention keeps them for the evaluation) — and
// calls the same pure definitions as the device (computeIndicators). A relay refuses: it holds
// only what went through it, and central's figures are central's; the device asks central.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EntityName } from '../../domain/entities';
import { type EpciIndex, epciOf, loadEpci } from '../../domain/epci';
import { followMerges, survivorMap } from '../../domain/identity-lifecycle';
import { computeIndicators, type Indicators } from '../../domain/indicators';
import { INDICATORS_VERSION, NO_DATA, periodRefusal } from '../../domain/pathway-indicators';
import type { IndicatorsAnswer } from '../../sync/protocol';
import type { ServerContext, ServerPlugin } from '../context';

/** The entities the definitions read. */
const READ: readonly EntityName[] = [
  'stop',
  'visit',
  'queueEntry',
  'consultation',
  'appointment',
  'patient',
  'rosterSlot',
  'room',
  'service',
  'signature',
  'contradictionAck',
  'orientation',
  'staff',
  'vaccination',
];

type Rows = Record<string, Record<string, unknown>[]>;

/** Every row central holds of those entities, live and archived. */
async function history(ctx: ServerContext, org: string): Promise<{ rows: Rows; archived: number }> {
  const rows: Rows = {};
  for (const e of READ) rows[e] = await ctx.store.rows(org, e);
  const archived = await ctx.store.archivedRows(org);
  const records = new Set<string>();
  for (const a of archived) {
    if (!READ.includes(a.e as EntityName)) continue;
    rows[a.e]!.push({ ...a.value, id: a.id });
    records.add(a.patient);
  }
  return { rows, archived: records.size };
}

/** The commune → EPCI table, read once: from the built PWA, else from the sources. */
let epci: EpciIndex | null | undefined;
function epciIndex(staticDir: string | undefined): EpciIndex | null {
  if (epci !== undefined) return epci;
  epci = null;
  for (const dir of [staticDir, join(process.cwd(), 'public')]) {
    if (!dir) continue;
    try {
      epci = loadEpci(JSON.parse(readFileSync(join(dir, 'geo', 'epci.json'), 'utf8')));
      break;
    } catch {
      // not there: the next place, else no EPCI table (the figure says so)
    }
  }
  return epci;
}

export const indicatorRoutes: ServerPlugin = async (app, { ctx }) => {
  const { fail } = ctx;

  app.get('/api/indicators', async (req, reply) => {
    const q = (req.query ?? {}) as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const org = str(q.org);
    const from = str(q.from);
    const to = str(q.to);
    const caller = req.device!;
    if (caller.profile !== 'coordination') {
      return fail(
        reply,
        403,
        'forbidden',
        'Les indicateurs sont réservés aux appareils de la coordination.',
      );
    }
    if (!org || org !== caller.org) {
      return fail(reply, 403, 'wrong_org', 'Ces indicateurs sont ceux d’une autre organisation.');
    }
    const refusal = periodRefusal(from, to);
    if (refusal) return fail(reply, 400, 'invalid_period', refusal);
    if (ctx.relay) {
      // Not forwarded: the device reaches central itself, and shows its own partial figures
      // when it cannot (a relay's copy would pass for central's).
      return fail(
        reply,
        421,
        'central_only',
        'Les indicateurs se calculent au serveur central, sur tout l’historique : le relais du camion n’en détient qu’une partie.',
      );
    }
    const { rows, archived } = await history(ctx, org);
    const patients = rows.patient as never[];
    const survivors = survivorMap(patients as { id: string; mergedInto?: string | null }[]);
    const merged = <T extends { patientId: string }>(list: unknown[]) =>
      followMerges(list as T[], survivors);
    const index = epciIndex(ctx.options.staticDir);
    const indicators: Indicators = computeIndicators({
      stops: rows.stop as never[],
      visits: merged(rows.visit!),
      queueEntries: rows.queueEntry as never[],
      consultations: merged(rows.consultation!),
      appointments: merged(rows.appointment!),
      patients,
      rosterSlots: rows.rosterSlot as never[],
      rooms: rows.room as never[],
      services: rows.service as never[],
      signatures: rows.signature as never[],
      acknowledgements: rows.contradictionAck as never[],
      orientations: merged(rows.orientation!),
      staff: rows.staff as never[],
      vaccinations: merged(rows.vaccination!),
      ...(index
        ? {
            placeOf: (insee: string) => {
              const code = epciOf(index, insee);
              return code ? { code, name: index.names.get(code) ?? code } : null;
            },
          }
        : {}),
      period: { from: from!, to: to! },
    });
    const dates = (rows.stop as { date?: unknown; _deleted?: unknown }[])
      .filter((s) => !s._deleted && typeof s.date === 'string')
      .map((s) => s.date as string)
      .sort();
    return {
      source: 'central',
      computedAt: new Date(ctx.now()).toISOString(),
      version: INDICATORS_VERSION,
      empty: indicators.empty,
      message: indicators.empty ? NO_DATA : null,
      history: { firstStop: dates[0] ?? null, archivedRecords: archived },
      indicators,
    } satisfies IndicatorsAnswer<Indicators>;
  });
};
