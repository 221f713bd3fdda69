// The lock of a shared device (docs/design.md §2, §6): locked, no patient data is on screen; a person
// unlocks with their own PIN (quick user switch); failures lead to a lockout; an idle device
// locks itself; a new PIN is refused when too simple. On an enrolled device (issue 8) someone
// must be signed in: a person without a PIN there signs in online with their password first.
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { joinOrganisation } from '../../src/device/connection';
import { type EscaleDb, getMeta, META, setMeta } from '../../src/device/db';
import { setPin, staffWithPin } from '../../src/device/pin';
import { patientName } from '../../src/ui/day/day-data';
import { setLockCheckPeriod } from '../../src/ui/shell/LockGate';
import { useUiStore } from '../../src/ui/state/ui-store';
import { NOW } from './fixtures';
import { freshDb, renderAt, seedDemoDay } from './support';

let db: EscaleDb;
let demo: Awaited<ReturnType<typeof seedDemoDay>>;
const staffId = (last: string) => demo.day.staff.find((s) => s.lastName === last)!.id;
const FAST = 1000;

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(NOW));
  db = freshDb();
  demo = await seedDemoDay(db);
  await setPin(db, staffId('Leroy'), '2580', FAST);
  await setPin(db, staffId('Garnier'), '7391', FAST);
  useUiStore.setState({ lock: 'open', staffId: staffId('Leroy') });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  useUiStore.setState({ lock: 'open', staffId: null });
  setLockCheckPeriod(15_000);
});

describe('the lock screen', () => {
  it('opens locked when the person at work has a PIN, with no patient on screen', async () => {
    renderAt('/accueil', db);
    expect(await screen.findByRole('heading', { name: 'Appareil verrouillé' })).toBeInTheDocument();
    for (const p of demo.arrived) {
      expect(screen.queryByText(patientName(p))).not.toBeInTheDocument();
    }
    expect(screen.queryAllByText(/MG-002/)).toHaveLength(0);
  });

  it('unlocks with the right PIN and shows the board again', async () => {
    const user = userEvent.setup();
    renderAt('/accueil', db);
    await user.type(await screen.findByLabelText('Code personnel'), '2580');
    await user.click(screen.getByRole('button', { name: 'Déverrouiller' }));
    expect((await screen.findAllByText(/MG-002/)).length).toBeGreaterThan(0);
  });

  it('lets another person take over with their own PIN (quick switch), who then stamps the work', async () => {
    const user = userEvent.setup();
    renderAt('/accueil', db);
    await user.selectOptions(await screen.findByLabelText('Qui êtes-vous ?'), staffId('Garnier'));
    await user.type(screen.getByLabelText('Code personnel'), '7391');
    await user.click(screen.getByRole('button', { name: 'Déverrouiller' }));
    await screen.findAllByText(/MG-002/);
    expect(useUiStore.getState().staffId).toBe(staffId('Garnier'));
  });

  it('counts wrong PINs and then refuses every PIN for a while', async () => {
    const user = userEvent.setup();
    renderAt('/accueil', db);
    await screen.findByLabelText('Code personnel');
    /** One attempt, waited for: the field is emptied once the check is done. */
    const attempt = async (pin: string) => {
      await user.type(screen.getByLabelText('Code personnel'), pin);
      await user.click(screen.getByRole('button', { name: 'Déverrouiller' }));
      await waitFor(() => expect(screen.getByLabelText('Code personnel')).toHaveValue(''));
      await waitFor(() =>
        expect(screen.getByRole('button', { name: 'Déverrouiller' })).toBeEnabled(),
      );
    };
    await attempt('1111');
    expect(screen.getByRole('alert')).toHaveTextContent(
      'Code incorrect : encore 4 essais avant un blocage temporaire.',
    );
    for (let i = 0; i < 3; i++) await attempt('1111');
    expect(screen.getByRole('alert')).toHaveTextContent('encore 1 essai avant');
    await attempt('1111');
    expect(screen.getByRole('alert')).toHaveTextContent(
      /^Trop d’essais : les codes sont refusés jusqu’à/,
    );
    // During the lockout even the right PIN is refused.
    await attempt('2580');
    expect(screen.getByRole('alert')).toHaveTextContent(/^Trop d’essais/);
    expect(screen.getByRole('heading', { name: 'Appareil verrouillé' })).toBeInTheDocument();
    expect(screen.queryAllByText(/MG-002/)).toHaveLength(0);
  });

  it('locks by itself once the device is left idle', async () => {
    setLockCheckPeriod(50);
    const user = userEvent.setup();
    renderAt('/accueil', db);
    await user.type(await screen.findByLabelText('Code personnel'), '2580');
    await user.click(screen.getByRole('button', { name: 'Déverrouiller' }));
    await screen.findAllByText(/MG-002/);
    // Each idle check reads the device's idle setting, then compares the idle time with it.
    const reads = vi.spyOn(db.meta, 'get');
    const checksDone = () =>
      reads.mock.settledResults.filter(
        (r, i) =>
          r.type === 'fulfilled' && (reads.mock.calls[i]?.[0] as unknown) === META.idleMinutes,
      ).length;
    // Still there two minutes later; reception locks after three idle minutes.
    vi.setSystemTime(new Date(Date.parse(NOW) + 2 * 60_000));
    const before = checksDone();
    // Two checks done: the first one's comparison, made once its read settled, is over.
    await waitFor(() => expect(checksDone()).toBeGreaterThanOrEqual(before + 2));
    expect(useUiStore.getState().lock).toBe('open');
    expect(screen.queryByRole('heading', { name: 'Appareil verrouillé' })).not.toBeInTheDocument();
    vi.setSystemTime(new Date(Date.parse(NOW) + 3 * 60_000));
    expect(await screen.findByRole('heading', { name: 'Appareil verrouillé' })).toBeInTheDocument();
  });
});

describe('creating a PIN', () => {
  it('refuses a trivial or mistyped PIN, then keeps the new one', async () => {
    useUiStore.setState({ staffId: staffId('Benali') });
    const user = userEvent.setup();
    renderAt(`/salle/${demo.roomId('Box 1')}`, db);
    await user.click(await screen.findByRole('button', { name: 'Créer mon code' }));
    await user.type(await screen.findByLabelText('Nouveau code (4 à 8 chiffres)'), '1234');
    await user.type(screen.getByLabelText('Confirmez le code'), '1234');
    await user.click(screen.getByRole('button', { name: 'Enregistrer le code' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Code trop simple');
    await user.clear(screen.getByLabelText('Nouveau code (4 à 8 chiffres)'));
    await user.clear(screen.getByLabelText('Confirmez le code'));
    await user.type(screen.getByLabelText('Nouveau code (4 à 8 chiffres)'), '4826');
    await user.type(screen.getByLabelText('Confirmez le code'), '4862');
    await user.click(screen.getByRole('button', { name: 'Enregistrer le code' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('ne sont pas identiques');
    expect(await staffWithPin(db)).not.toContain(staffId('Benali'));
    await user.clear(screen.getByLabelText('Confirmez le code'));
    await user.type(screen.getByLabelText('Confirmez le code'), '4826');
    await user.click(screen.getByRole('button', { name: 'Enregistrer le code' }));
    await waitFor(async () => expect(await staffWithPin(db)).toContain(staffId('Benali')));
    expect(await screen.findByRole('button', { name: 'Verrouiller' })).toBeInTheDocument();
  });
});

describe('an enrolled device', () => {
  const TOKEN = 'tablette-accueil.secret';

  /** Enrols `target` as the reception tablet (its data is already there). */
  async function enrolReception(target: EscaleDb) {
    await joinOrganisation(target, {
      org: demo.day.stop!.orgId,
      servers: ['https://central.test'],
      credential: {
        token: TOKEN,
        profile: 'reception',
        roomId: null,
        name: 'Tablette accueil',
        orgName: 'Médicobus',
      },
    });
  }

  /** A fake central whose /api/login answers `answer` (and records what it received). */
  function serveLogin(answer: () => Response) {
    const fetchImpl = vi.fn(async (input: RequestInfo | URL, _init?: RequestInit) => {
      if (String(input).endsWith('/api/login')) return answer();
      throw new TypeError('Failed to fetch');
    });
    vi.stubGlobal('fetch', fetchImpl);
    return fetchImpl;
  }

  const loginCalls = (fetchImpl: ReturnType<typeof serveLogin>) =>
    fetchImpl.mock.calls.filter(([u]) => String(u).endsWith('/api/login'));

  describe('where nobody has a PIN yet', () => {
    beforeEach(async () => {
      db = freshDb();
      demo = await seedDemoDay(db);
      await enrolReception(db);
      useUiStore.setState({ lock: 'open', staffId: null });
    });

    it('requires a sign-in before anything: no patient on screen, no way around it', async () => {
      renderAt('/accueil', db);
      expect(
        await screen.findByRole('heading', { name: 'Connexion à cet appareil' }),
      ).toBeInTheDocument();
      expect(screen.getByLabelText(/^Mot de passe/)).toHaveAttribute('type', 'password');
      for (const p of demo.arrived) {
        expect(screen.queryByText(patientName(p))).not.toBeInTheDocument();
      }
      expect(screen.queryAllByText(/MG-002/)).toHaveLength(0);
      expect(screen.queryByRole('button', { name: 'Annuler' })).not.toBeInTheDocument();
    });

    it('shows the server’s message on a wrong password and creates no PIN', async () => {
      const fetchImpl = serveLogin(
        () =>
          new Response(
            JSON.stringify({
              error: 'bad_password',
              message: 'Mot de passe incorrect : encore 4 essais.',
            }),
            { status: 401 },
          ),
      );
      const user = userEvent.setup();
      renderAt('/accueil', db);
      await user.selectOptions(await screen.findByLabelText(/^Qui êtes-vous/), staffId('Benali'));
      await user.type(screen.getByLabelText(/^Mot de passe/), 'mauvais mot');
      await user.click(screen.getByRole('button', { name: 'Se connecter' }));
      expect(await screen.findByRole('alert')).toHaveTextContent(
        'Mot de passe incorrect : encore 4 essais.',
      );
      expect(loginCalls(fetchImpl)).toHaveLength(1);
      expect(screen.getByRole('heading', { name: 'Connexion à cet appareil' })).toBeInTheDocument();
      expect(screen.queryByLabelText('Nouveau code (4 à 8 chiffres)')).not.toBeInTheDocument();
      expect(await staffWithPin(db)).toEqual([]);
      expect(useUiStore.getState().staffId).toBeNull();
    });

    it('says so when the server cannot be reached', async () => {
      serveLogin(() => {
        throw new TypeError('Failed to fetch');
      });
      const user = userEvent.setup();
      renderAt('/accueil', db);
      await user.selectOptions(await screen.findByLabelText(/^Qui êtes-vous/), staffId('Benali'));
      await user.type(screen.getByLabelText(/^Mot de passe/), 'peu importe');
      await user.click(screen.getByRole('button', { name: 'Se connecter' }));
      expect(await screen.findByRole('alert')).toHaveTextContent(/^Serveur injoignable/);
    });

    it('after the password, creates the PIN and opens the screen as that person', async () => {
      const fetchImpl = serveLogin(
        () =>
          new Response(JSON.stringify({ staffId: staffId('Benali'), escrow: 'séquestre' }), {
            status: 200,
          }),
      );
      const user = userEvent.setup();
      renderAt('/accueil', db);
      await user.selectOptions(await screen.findByLabelText(/^Qui êtes-vous/), staffId('Benali'));
      await user.click(screen.getByRole('button', { name: 'Se connecter' }));
      expect(await screen.findByRole('alert')).toHaveTextContent('Saisissez votre mot de passe.');
      expect(loginCalls(fetchImpl)).toHaveLength(0);
      await user.type(screen.getByLabelText(/^Mot de passe/), 'mot de passe juste');
      await user.click(screen.getByRole('button', { name: 'Se connecter' }));

      expect(
        await screen.findByRole('heading', { name: 'Votre code de verrouillage' }),
      ).toBeInTheDocument();
      expect(screen.getByText(/^Bonjour Inès Benali/)).toBeInTheDocument();
      const [, init] = loginCalls(fetchImpl)[0]!;
      expect(JSON.parse(String(init?.body))).toEqual({
        staffId: staffId('Benali'),
        password: 'mot de passe juste',
      });
      expect(new Headers(init?.headers).get('authorization')).toBe(`Bearer ${TOKEN}`);
      // Still nothing of the board until the PIN exists.
      expect(screen.queryAllByText(/MG-002/)).toHaveLength(0);

      await user.type(screen.getByLabelText('Nouveau code (4 à 8 chiffres)'), '4826');
      await user.type(screen.getByLabelText('Confirmez le code'), '4826');
      await user.click(screen.getByRole('button', { name: 'Enregistrer le code' }));
      expect((await screen.findAllByText(/MG-002/)).length).toBeGreaterThan(0);
      expect(await staffWithPin(db)).toEqual([staffId('Benali')]);
      expect(useUiStore.getState().staffId).toBe(staffId('Benali'));
      expect(screen.getByRole('button', { name: 'Verrouiller' })).toBeInTheDocument();
    });
  });

  describe('where people already hold a PIN', () => {
    beforeEach(async () => {
      await enrolReception(db);
    });

    it('keeps the PIN unlock and quick switch', async () => {
      const user = userEvent.setup();
      renderAt('/accueil', db);
      await user.selectOptions(await screen.findByLabelText('Qui êtes-vous ?'), staffId('Garnier'));
      await user.type(screen.getByLabelText('Code personnel'), '7391');
      await user.click(screen.getByRole('button', { name: 'Déverrouiller' }));
      await screen.findAllByText(/MG-002/);
      expect(useUiStore.getState().staffId).toBe(staffId('Garnier'));
    });

    it('locks when another person is chosen at work, until that person unlocks', async () => {
      await joinOrganisation(db, {
        org: demo.day.stop!.orgId,
        servers: ['https://central.test'],
        credential: {
          token: TOKEN,
          profile: 'room',
          roomId: demo.roomId('Box 1'),
          name: 'Portable Box 1',
          orgName: 'Médicobus',
        },
      });
      const user = userEvent.setup();
      renderAt(`/salle/${demo.roomId('Box 1')}`, db);
      await user.type(await screen.findByLabelText('Code personnel'), '2580');
      await user.click(screen.getByRole('button', { name: 'Déverrouiller' }));
      const who = await screen.findByLabelText(/^Qui travaille ici/);
      await user.selectOptions(who, staffId('Garnier'));
      expect(
        await screen.findByRole('heading', { name: 'Appareil verrouillé' }),
      ).toBeInTheDocument();
      expect(screen.getByLabelText('Qui êtes-vous ?')).toHaveValue(staffId('Garnier'));
      await user.type(screen.getByLabelText('Code personnel'), '7391');
      await user.click(screen.getByRole('button', { name: 'Déverrouiller' }));
      expect(await screen.findByLabelText(/^Qui travaille ici/)).toHaveValue(staffId('Garnier'));
      expect(useUiStore.getState().staffId).toBe(staffId('Garnier'));
    });

    it('lets a newcomer sign in from the lock screen, or go back to it', async () => {
      serveLogin(
        () =>
          new Response(JSON.stringify({ staffId: staffId('Benali'), escrow: 'e' }), {
            status: 200,
          }),
      );
      const user = userEvent.setup();
      renderAt('/accueil', db);
      await user.click(
        await screen.findByRole('button', {
          name: 'Je n’ai pas encore de code PIN sur cet appareil',
        }),
      );
      expect(screen.getByRole('heading', { name: 'Connexion à cet appareil' })).toBeInTheDocument();
      await user.click(screen.getByRole('button', { name: 'Annuler' }));
      expect(screen.getByRole('heading', { name: 'Appareil verrouillé' })).toBeInTheDocument();

      await user.click(
        screen.getByRole('button', { name: 'Je n’ai pas encore de code PIN sur cet appareil' }),
      );
      await user.selectOptions(screen.getByLabelText(/^Qui êtes-vous/), staffId('Benali'));
      await user.type(screen.getByLabelText(/^Mot de passe/), 'mot de passe juste');
      await user.click(screen.getByRole('button', { name: 'Se connecter' }));
      await user.type(await screen.findByLabelText('Nouveau code (4 à 8 chiffres)'), '5937');
      await user.type(screen.getByLabelText('Confirmez le code'), '5937');
      await user.click(screen.getByRole('button', { name: 'Enregistrer le code' }));
      await screen.findAllByText(/MG-002/);
      expect(useUiStore.getState().staffId).toBe(staffId('Benali'));
      expect(await staffWithPin(db)).toContain(staffId('Benali'));
    });

    it('asks the person a server named to sign in again, with no new PIN, and keeps their work', async () => {
      // The sync was refused: Thomas Garnier holds no session here (403 session_required).
      await setMeta(db, META.sessionRequired, {
        staffId: staffId('Garnier'),
        message: 'Thomas Garnier doit se reconnecter (message du serveur).',
      });
      const fetchImpl = serveLogin(
        () =>
          new Response(
            JSON.stringify({
              staffId: staffId('Garnier'),
              escrow: 'e',
              session: { from: NOW, issuedAt: NOW, expiresAt: NOW + 14 * 86_400_000 },
            }),
            { status: 200 },
          ),
      );
      const user = userEvent.setup();
      renderAt('/accueil', db);
      // Locked: the notice says who, and offers no way around the lock.
      const notice = await screen.findByText(/^Thomas Garnier doit se reconnecter avec son mot/);
      expect(notice).toHaveTextContent(
        'Thomas Garnier doit se reconnecter avec son mot de passe sur cet appareil : les modifications faites à son nom y restent en attente jusque-là.',
      );
      const pin = await screen.findByLabelText('Code personnel');
      expect(screen.queryByRole('button', { name: 'Se reconnecter' })).not.toBeInTheDocument();
      await user.type(pin, '2580');
      await user.click(screen.getByRole('button', { name: 'Déverrouiller' }));
      await screen.findAllByText(/MG-002/);

      await user.click(screen.getByRole('button', { name: 'Se reconnecter' }));
      expect(
        await screen.findByRole('heading', { name: 'Connexion à cet appareil' }),
      ).toBeInTheDocument();
      expect(screen.getByLabelText(/^Qui êtes-vous/)).toHaveValue(staffId('Garnier'));
      await user.type(screen.getByLabelText(/^Mot de passe/), 'son mot de passe');
      await user.click(screen.getByRole('button', { name: 'Se connecter' }));
      // Straight back to work as him: he already holds a PIN here.
      await screen.findAllByText(/MG-002/);
      expect(screen.queryByLabelText('Nouveau code (4 à 8 chiffres)')).not.toBeInTheDocument();
      expect(useUiStore.getState().staffId).toBe(staffId('Garnier'));
      await waitFor(() =>
        expect(screen.queryByText(/doit se reconnecter/)).not.toBeInTheDocument(),
      );
      expect(loginCalls(fetchImpl)).toHaveLength(1);
      expect(await getMeta(db, META.sessionRequired)).toBeUndefined();
      // His sign-in is audited (and its op, stamped with him, restarts the sync).
      const audit = await db.rows('audit').toArray();
      expect(
        audit.some((a) => a.action === 'session.login' && a.actorId === staffId('Garnier')),
      ).toBe(true);
    });
  });
});
