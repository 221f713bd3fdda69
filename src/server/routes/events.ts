// The live channel: server-sent pokes when ops are stored for the device's organisation. A
// browser's EventSource cannot send headers: this route alone takes the token as `?token=`.
import type { OutgoingHttpHeaders } from 'node:http';
import type { ServerPlugin } from '../context';

export const eventRoutes: ServerPlugin = async (app, { ctx }) => {
  const { pokes } = ctx;
  // Open streams never end by themselves: the server ends them when it closes (preClose runs
  // before it stops listening and waits for its connections). A hook cannot be added once the
  // server started, so there is one for all streams.
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of streams) end();
  });
  app.get('/api/events', { config: { tokenInQuery: true } }, (req, reply) => {
    const org = req.device!.org;
    reply.hijack();
    const res = reply.raw;
    // Hijacked: the headers the hooks set (CORS, security) are written here by hand.
    res.writeHead(200, {
      ...(reply.getHeaders() as OutgoingHttpHeaders),
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    res.write('retry: 3000\n\n');
    const stop = pokes.listen(org, (lastSeq) => {
      res.write(`event: poke\ndata: ${JSON.stringify({ lastSeq })}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
    const end = () => {
      close();
      res.end();
    };
    const close = () => {
      clearInterval(heartbeat);
      stop();
      streams.delete(end);
    };
    streams.add(end);
    req.raw.on('close', close);
  });
};
