// Person sessions between a relay and central (docs/decisions/0006-person-sessions.md): central
// gives its relays the organisation's sessions (so a person signed in at central is recognised on
// the truck), and a relay hands over those it recorded or changed with no coverage before it
// forwards the ops they cover.
import { z } from 'zod';
import { MAX_NAME } from '../../sync/op';
import type { ServerPlugin } from '../context';

const id = z.string().min(1).max(MAX_NAME);
const time = z.number().int().nonnegative();
const sessionSchema = z.object({
  id,
  org: id,
  deviceId: id,
  staffId: id,
  from: time,
  issuedAt: time,
  expiresAt: time,
  endedAt: time.nullable(),
});
const handOverSchema = z.object({ sessions: z.array(sessionSchema).max(10_000) });

export const sessionRoutes: ServerPlugin = async (app, { ctx }) => {
  const { accounts, allowOnly, fail } = ctx;

  app.get('/api/relay/sessions', async (req, reply) => {
    if (!allowOnly(req, reply, ['relay'])) return reply;
    const org = req.device!.org;
    return { org, sessions: await accounts.sessions(org) };
  });

  app.post('/api/relay/sessions', async (req, reply) => {
    if (!allowOnly(req, reply, ['relay'])) return reply;
    const parsed = handOverSchema.safeParse(req.body);
    if (!parsed.success) {
      return fail(reply, 400, 'invalid_request', 'Sessions attendues : { sessions: [...] }.');
    }
    const org = req.device!.org;
    if (parsed.data.sessions.some((s) => s.org !== org)) {
      return fail(
        reply,
        403,
        'wrong_org',
        'Une session remise par le relais appartient à une autre organisation.',
      );
    }
    await accounts.importSessions(org, parsed.data.sessions);
    return reply.code(204).send();
  });
};
