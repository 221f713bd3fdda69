// The relay's long-lived channel to central (docs/protocol.md, The relay's link): a long poll.
// `GET /api/relay/wait?after=N&credentials=V&holdMs=T` answers at once when central's log of the
// organisation goes past N or its credentials' version is no longer V, otherwise when an op is
// stored (a poke) or after T ms (at most MAX_HOLD_MS) — `{ lastSeq, credentials }` either way.
// One request a minute when nothing happens, instead of a sync every 5 s and credentials every
// 30 s (docs/decisions/0016-the-wire.md).
import { createHash } from 'node:crypto';
import type { Accounts } from '../auth';
import type { ServerPlugin } from '../context';

/** The longest a wait is held (under the usual 60 s idle timeout of proxies). */
export const MAX_HOLD_MS = 55_000;

/**
 * The version of what a relay brings home (device credentials, password hashes, person
 * sessions): a hash of them, so it changes exactly when one of them does.
 */
export async function credentialsVersion(accounts: Accounts, org: string): Promise<string> {
  const [credentials, passwords, sessions] = await Promise.all([
    accounts.credentials(org),
    accounts.passwords(org),
    accounts.sessions(org),
  ]);
  return createHash('sha256')
    .update(JSON.stringify([credentials, passwords, sessions]))
    .digest('base64url')
    .slice(0, 22);
}

export const relayWaitRoutes: ServerPlugin = async (app, { ctx }) => {
  const { store, accounts, pokes, allowOnly } = ctx;
  const pending = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of pending) end();
  });

  app.get('/api/relay/wait', async (req, reply) => {
    if (!allowOnly(req, reply, ['relay'])) return reply;
    const org = req.device!.org;
    const q = req.query as Record<string, string | undefined>;
    const after = Number(q.after ?? 0);
    const known = q.credentials ?? '';
    const hold = Math.min(Math.max(Number(q.holdMs ?? MAX_HOLD_MS) || 0, 0), MAX_HOLD_MS);
    const answer = async () => ({
      lastSeq: await store.lastSeq(org),
      credentials: await credentialsVersion(accounts, org),
    });
    // Listening before reading: a push that commits while the state is read still wakes it.
    let poked = false;
    let wake: () => void = () => {};
    const stop = pokes.listen(org, (seq) => {
      if (seq <= after) return;
      poked = true;
      wake();
    });
    try {
      const now = await answer();
      if (now.lastSeq > after || now.credentials !== known || hold === 0) return now;
      if (!poked) {
        await new Promise<void>((resolve) => {
          const end = () => {
            clearTimeout(timer);
            pending.delete(end);
            req.raw.off('close', end);
            resolve();
          };
          const timer = setTimeout(end, hold);
          wake = end;
          pending.add(end);
          req.raw.on('close', end);
        });
      }
    } finally {
      stop();
    }
    return answer();
  });
};
