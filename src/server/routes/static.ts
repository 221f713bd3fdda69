// The built PWA (central only) and the not-found answer of the whole app. Source maps are never
// served (the build writes them for debugging; they would publish the app's source).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import { unscoped } from '../context';

export const staticRoutes = unscoped(async (app, { ctx }) => {
  const { options, fail } = ctx;
  const root = options.staticDir ? resolve(options.staticDir) : undefined;
  if (root && existsSync(join(root, 'index.html'))) {
    await app.register(fastifyStatic, {
      root,
      // The build writes .br and .gz beside each asset (vite.config.ts): served as they are to a
      // browser that accepts them, nothing compressed per request.
      preCompressed: true,
      allowedPath: (path) => !path.endsWith('.map'),
      setHeaders(res, path) {
        // The shell and the service worker must be revalidated; hashed assets never change.
        if (/\/assets\//.test(path))
          res.header('Cache-Control', 'public, max-age=31536000, immutable');
        else res.header('Cache-Control', 'no-cache');
      },
    });
    app.setNotFoundHandler((req, reply) => {
      // Routes of the app fall back to its shell; a missing file (an old hashed chunk after a
      // deploy) is a real 404, so the page's stale-chunk guard can reload instead of parsing HTML.
      const path = req.url.split('?')[0] ?? '';
      if (req.method === 'GET' && !path.startsWith('/api/') && !/\.[a-z0-9]+$/i.test(path)) {
        reply.header('Cache-Control', 'no-cache');
        return reply.sendFile('index.html');
      }
      return fail(reply, 404, 'not_found', 'Ressource introuvable.');
    });
  } else {
    app.setNotFoundHandler((_req, reply) =>
      fail(reply, 404, 'not_found', 'Ressource introuvable.'),
    );
  }
});
