// The live channel: server-sent pokes when ops are stored for the device's organisation.
import type { ServerPlugin } from '../context';

export const eventRoutes: ServerPlugin = async (app, { ctx }) => {
  const { pokes } = ctx;
  app.get('/api/events', (req, reply) => {
    const org = req.device!.org;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      ...(reply.getHeader('Access-Control-Allow-Origin')
        ? {
            'Access-Control-Allow-Origin': String(reply.getHeader('Access-Control-Allow-Origin')),
            Vary: 'Origin',
          }
        : {}),
    });
    res.write('retry: 3000\n\n');
    const stop = pokes.listen(org, (lastSeq) => {
      res.write(`event: poke\ndata: ${JSON.stringify({ lastSeq })}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
    const close = () => {
      clearInterval(heartbeat);
      stop();
    };
    req.raw.on('close', close);
    app.addHook('onClose', async () => {
      close();
      res.end();
    });
  });
};
