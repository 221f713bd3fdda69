// A real Relay for a test central: enrolled as a fresh relay, over the store the test gives it,
// with no long-poll hold unless the test asks (tests drive its passes themselves).
import { Accounts } from '../../src/server/auth';
import { Relay, type RelayOptions } from '../../src/server/relay';
import type { SyncStore } from '../../src/server/store/types';
import { relayCredential } from './auth';

export async function enrolledRelay(
  central: { url: string; store: SyncStore },
  store: SyncStore,
  options: Partial<RelayOptions> = {},
): Promise<Relay> {
  const credential = await relayCredential(central);
  return new Relay({
    store,
    upstream: central.url,
    relayId: credential.relayId,
    org: credential.org,
    token: credential.token,
    accounts: new Accounts(store),
    holdMs: 0,
    ...options,
  });
}
