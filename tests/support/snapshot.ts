// A snapshot read over HTTP as a device reads it: the manifest, every chunk, the bodies and the
// row states they hold.
import { expect } from 'vitest';
import type { RowState } from '../../src/sync/merge';
import {
  bodiesOf,
  entityStates,
  type SnapshotBody,
  type SnapshotManifest,
} from '../../src/sync/snapshot';

/** Every row state of these bodies, by `entity/id`. */
export function statesOf(bodies: SnapshotBody[]): Map<string, RowState> {
  const out = new Map<string, RowState>();
  for (const b of bodies) {
    for (const e of b.entities) for (const st of entityStates(e)) out.set(`${st.e}/${st.id}`, st);
  }
  return out;
}

/** The snapshot `serverUrl` serves for `day` to the device of `auth`, every chunk fetched. */
export async function readSnapshot(serverUrl: string, auth: Record<string, string>, day: string) {
  const res = await fetch(`${serverUrl}/api/sync/snapshot?day=${day}`, { headers: auth });
  expect(res.status).toBe(200);
  const manifest = (await res.json()) as SnapshotManifest;
  const texts: string[] = [];
  for (let i = 0; i < manifest.chunks.length; i++) {
    const chunk = await fetch(`${serverUrl}/api/sync/snapshot/${manifest.id}/${i}`, {
      headers: auth,
    });
    expect(chunk.status).toBe(200);
    texts.push(await chunk.text());
  }
  const bodies = bodiesOf(texts, manifest);
  return { manifest, bodies, states: statesOf(bodies) };
}
