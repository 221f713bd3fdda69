// Live pokes across several central instances over one PostgreSQL: a push on any instance is
// announced with NOTIFY, and every instance (itself included) pokes its own listening devices.
import pg from 'pg';

const CHANNEL = 'escale_poke';

export interface Fanout {
  publish(org: string, lastSeq: number): Promise<void>;
  close(): Promise<void>;
}

export async function startPgFanout(
  url: string,
  onPoke: (org: string, lastSeq: number) => void,
): Promise<Fanout> {
  const listener = new pg.Client({ connectionString: url });
  await listener.connect();
  listener.on('notification', (msg) => {
    if (msg.channel !== CHANNEL || !msg.payload) return;
    try {
      const { org, lastSeq } = JSON.parse(msg.payload) as { org: string; lastSeq: number };
      onPoke(org, lastSeq);
    } catch {
      // A malformed payload is not ours: ignore it.
    }
  });
  await listener.query(`LISTEN ${CHANNEL}`);
  const publisher = new pg.Pool({ connectionString: url, max: 2 });
  return {
    async publish(org, lastSeq) {
      await publisher.query('SELECT pg_notify($1, $2)', [
        CHANNEL,
        JSON.stringify({ org, lastSeq }),
      ]);
    },
    async close() {
      await listener.end();
      await publisher.end();
    },
  };
}
