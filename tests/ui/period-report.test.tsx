// The period report on the coordination screen (issue #17 item 3; docs/indicators.md): central's
// figures when central answers, said so with when and from which history; the device's own,
// labelled « partiel — calculé sur cet appareil (N jours conservés) », when it does not; a figure
// computed under another definitions version says « définition modifiée »; a period with no data,
// a reversed period and a too long one each get a French sentence.
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { joinOrganisation } from '../../src/device/connection';
import type { EscaleDb } from '../../src/device/db';
import { setPin } from '../../src/device/pin';
import { computeIndicators, type Indicators } from '../../src/domain/indicators';
import { INDICATORS_VERSION } from '../../src/domain/pathway-indicators';
import type { IndicatorsAnswer } from '../../src/sync/protocol';
import { useUiStore } from '../../src/ui/state/ui-store';
import { NOW } from './fixtures';
import { freshDb, renderAt, seedDemoDay } from './support';

let db: EscaleDb;
let demo: Awaited<ReturnType<typeof seedDemoDay>>;
let asked: string[];

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(NOW));
  db = freshDb();
  demo = await seedDemoDay(db);
  const org = demo.day.stop!.orgId;
  await joinOrganisation(db, {
    org,
    servers: ['https://relais.test', 'https://central.test'],
    credential: {
      token: 'coord.secret',
      profile: 'coordination',
      roomId: null,
      name: 'Coordination',
      orgName: 'Médicobus',
    },
  });
  // An enrolled device opens locked: Hélène Morvan unlocks it with her PIN (no server needed).
  const morvan = demo.day.staff.find((s) => s.lastName === 'Morvan')!.id;
  await setPin(db, morvan, '2580', 1000);
  useUiStore.setState({ profile: 'coordination', staffId: morvan });
  asked = [];
});

async function openReport(user: ReturnType<typeof userEvent.setup>) {
  renderAt('/coordination/indicateurs', db);
  await user.type(await screen.findByLabelText('Code personnel'), '2580');
  await user.click(screen.getByRole('button', { name: 'Déverrouiller' }));
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/** Central's answer: the same definitions over a history where 7 patients were without MT at
 * their first visit and 3 have a médecin traitant since (numbers no device could hold). */
function centralAnswer(
  url: string,
  version = INDICATORS_VERSION,
  empty = false,
): IndicatorsAnswer<Indicators> {
  const query = new URL(url).searchParams;
  const base = computeIndicators({
    stops: [],
    visits: [],
    queueEntries: [],
    consultations: [],
    appointments: [],
    patients: [],
    rosterSlots: [],
    rooms: [],
    services: [],
  });
  return {
    source: 'central',
    computedAt: '2026-11-23T09:15:00.000Z',
    version,
    empty,
    message: empty ? 'Aucune donnée pour cette période : rien.' : null,
    history: { firstStop: '2023-01-10', archivedRecords: 2 },
    indicators: {
      ...base,
      version,
      empty,
      period: { from: query.get('from'), to: query.get('to') },
      reattachment: {
        ...base.reattachment,
        cohort: 12,
        baseline: { none: 7, declared: 3, unknown: 2 },
        noMt: { patients: 7, reattached: 3, share: 0.4286 },
      },
    },
  };
}

/** The relay refuses (central_only); central answers as given, or is out of reach. */
function stubServers(central: ((url: string) => unknown) | null) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL) => {
      const url = String(input);
      asked.push(url);
      const json = (body: unknown, status = 200) =>
        new Response(JSON.stringify(body), {
          status,
          headers: { 'content-type': 'application/json' },
        });
      if (url.startsWith('https://relais.test/api/indicators')) {
        return json({ error: 'central_only', message: 'Au central.' }, 421);
      }
      if (url.startsWith('https://central.test/api/indicators')) {
        if (!central) throw new TypeError('offline');
        const body = central(url);
        return json(body, (body as { error?: string }).error ? 400 : 200);
      }
      throw new TypeError('offline');
    }),
  );
}

describe('the period report', () => {
  it('shows central’s figures over the whole history, asked past the relay', async () => {
    stubServers((url) => centralAnswer(url));
    await openReport(userEvent.setup());
    expect(
      await screen.findByText(
        /^Chiffres du serveur central, calculés le 23\/11\/2026 à 10:15 sur tout l’historique \(depuis le 10\/01\/2023\)\.$/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Y compris 2 dossiers archivés par la durée de conservation.'),
    ).toBeInTheDocument();
    const table = screen
      .getByRole('region', { name: 'Retour vers un médecin traitant' })
      .querySelector('table')!;
    const row = within(table).getByRole('row', { name: /^Sans médecin traitant/ });
    expect(row).toHaveTextContent('Sans médecin traitant7342,9 %');
    expect(screen.queryByText(/partiel/)).toBeNull();
    expect(asked.some((u) => u.startsWith('https://relais.test/api/indicators'))).toBe(true);
    expect(asked.some((u) => u.startsWith('https://central.test/api/indicators'))).toBe(true);
    expect(screen.getByRole('button', { name: 'Imprimer le rapport' })).toBeInTheDocument();
  });

  it('shows the device’s own figures labelled partial when central is out of reach, and asks again', async () => {
    stubServers(null);
    const user = userEvent.setup();
    await openReport(user);
    expect(
      await screen.findByText('partiel — calculé sur cet appareil (365 jours conservés)'),
    ).toBeInTheDocument();
    expect(await screen.findByText(/Le serveur central est injoignable/)).toBeInTheDocument();
    stubServers((url) => centralAnswer(url));
    await user.click(screen.getByRole('button', { name: 'Redemander au serveur central' }));
    expect(await screen.findByText(/^Chiffres du serveur central/)).toBeInTheDocument();
    expect(screen.queryByText(/partiel/)).toBeNull();
  });

  it('says « définition modifiée » when central computed under another version, and what changed', async () => {
    stubServers((url) => centralAnswer(url, INDICATORS_VERSION - 1));
    await openReport(userEvent.setup());
    expect(
      await screen.findByText(
        `Définition modifiée : le serveur central calcule selon la version ${INDICATORS_VERSION - 1} des définitions, cet appareil selon la version ${INDICATORS_VERSION}. Ce qui a changé :`,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText(/depuis la première venue du patient/)).toBeInTheDocument();
  });

  it('says « aucune donnée » for a period with nothing, never zeros as facts', async () => {
    stubServers((url) => centralAnswer(url, INDICATORS_VERSION, true));
    await openReport(userEvent.setup());
    expect(
      await screen.findByRole('heading', { name: 'Aucune donnée pour cette période' }),
    ).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Retour vers un médecin traitant' })).toBeNull();
  });

  it('refuses a reversed period and a period over ten years in French, asking nothing', async () => {
    stubServers((url) => centralAnswer(url));
    const user = userEvent.setup();
    await openReport(user);
    await screen.findByText(/^Chiffres du serveur central/);
    const before = asked.length;
    const from = screen.getByLabelText(/^Du/);
    const to = screen.getByLabelText(/^Au/);
    await user.clear(from);
    await user.type(from, '2026-12-31');
    expect(
      await screen.findByText(
        'La période est inversée : le début (31/12/2026) est après la fin (23/11/2026).',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Retour vers un médecin traitant' })).toBeNull();
    await new Promise((r) => setTimeout(r, 400));
    expect(asked.length).toBe(before);
    await user.clear(from);
    await user.type(from, '2010-01-01');
    expect(await screen.findByText(/La période dépasse 10 ans/)).toBeInTheDocument();
    await user.clear(to);
    await user.type(to, '2019-12-31');
    expect(await screen.findByText(/^Chiffres du serveur central/)).toBeInTheDocument();
  });
});
