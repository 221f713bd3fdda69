// Health: versions, store and role, open to anyone (the app checks it before syncing).
import { SCHEMA_VERSION } from '../../domain/entities';
import { PROTOCOL_VERSION } from '../../sync/protocol';
import type { ServerPlugin } from '../context';
import { APP_VERSION } from '../version';

export const healthRoutes: ServerPlugin = async (app, { ctx }) => {
  const { store, role, options } = ctx;
  app.get('/api/health', async () => ({
    status: 'ok',
    app: APP_VERSION,
    protocol: PROTOCOL_VERSION,
    schema: SCHEMA_VERSION,
    store: store.kind,
    role,
    time: ctx.now(),
    ...options.extraHealth?.(),
  }));
};
