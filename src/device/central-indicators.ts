// Central's indicators over its whole history (GET /api/indicators; docs/indicators.md), asked
// by the coordination device. The truck's relay refuses them (421 « central_only », as for the partner API: it holds only
// part of the history), so the servers are asked in order until central answers; when none does,
// the screen computes the device's own figures and labels them partial.
import type { Indicators } from '../domain/indicators';
import type { IndicatorsAnswer } from '../sync/protocol';
import { authHeaders, type Connection } from './connection';

export type CentralIndicators =
  | { ok: true; answer: IndicatorsAnswer<Indicators> }
  /** Central refused the request (a bad period, a device not allowed): its French message. */
  | { ok: false; refused: true; message: string }
  /** No server computed them (offline, central out of reach). */
  | { ok: false; refused: false };

export async function fetchCentralIndicators(
  connection: Connection,
  period: { from: string; to: string },
  fetchImpl: typeof fetch = fetch,
  signal?: AbortSignal,
): Promise<CentralIndicators> {
  const query = new URLSearchParams({ org: connection.org, ...period });
  for (const server of connection.servers) {
    let res: Response;
    try {
      res = await fetchImpl(`${server}/api/indicators?${query}`, {
        headers: authHeaders(connection),
        signal: signal ?? AbortSignal.timeout(30_000),
      });
    } catch {
      if (signal?.aborted) return { ok: false, refused: false };
      continue;
    }
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (res.ok && body.source === 'central') {
      return { ok: true, answer: body as unknown as IndicatorsAnswer<Indicators> };
    }
    // A relay (central_only) or a server in trouble: the next one.
    if (res.status >= 500 || res.status === 421) continue;
    const message = typeof body.message === 'string' ? body.message : `Erreur ${res.status}`;
    return { ok: false, refused: true, message };
  }
  return { ok: false, refused: false };
}
