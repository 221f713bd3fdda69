// Access to the demo organisation for `npm start`: a password for every demo person and one
// enrolment code per kind of device (valid a day), printed on the console.
import type { Accounts } from '../auth';
import type { SyncStore } from '../store/types';

export const DEMO_PASSWORD = 'escale-demo';
const DAY_MS = 24 * 3_600_000;

export interface DemoCode {
  label: string;
  code: string;
}

/** Gives every active person of `org` the demo password (only those without one yet). */
export async function setDemoPasswords(store: SyncStore, accounts: Accounts, org: string) {
  const held = new Set((await accounts.passwords(org)).map((p) => p.staffId));
  for (const s of await store.rows(org, 'staff')) {
    if (s.active === true && !held.has(String(s.id))) {
      await accounts.setPassword(org, String(s.id), DEMO_PASSWORD);
    }
  }
}

/** Fresh codes: reception, each room, coordination, the waiting-room screen and a relay. */
export async function demoCodes(
  store: SyncStore,
  accounts: Accounts,
  org: string,
): Promise<DemoCode[]> {
  const make = async (
    label: string,
    profile: Parameters<Accounts['createCode']>[0]['profile'],
    roomId: string | null = null,
  ) => {
    const { code } = await accounts.createCode(
      { org, profile, roomId, name: label, createdBy: null },
      DAY_MS,
    );
    return { label, code };
  };
  const rooms = (await store.rows(org, 'room')).sort((a, b) => Number(a.order) - Number(b.order));
  const codes = [await make('Accueil', 'reception')];
  for (const r of rooms) codes.push(await make(String(r.name), 'room', String(r.id)));
  codes.push(await make('Coordination', 'coordination'));
  codes.push(await make('Écran de la salle d’attente', 'display'));
  codes.push(await make('Relais du camion', 'relay'));
  return codes;
}
