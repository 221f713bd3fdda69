// Who reads on a device (src/domain/reading.ts), as the servers know it: the people who signed in
// on it with their password (person sessions, docs/decisions/0006-person-sessions.md) and the
// facts their reading depends on (services' professions, objections, running bris de glace).
// The pull, the digests and the receipts' proofs of a room device are cut by it.
import type { DeviceReading, Viewer } from '../domain/access';
import { readingFacts } from '../domain/reading';
import type { ServerContext } from './context';

type Ctx = Pick<ServerContext, 'store' | 'accounts' | 'now'>;

/**
 * The readers of a device: every person who signed in on it with a password. Expired or ended
 * sessions count too: what the device received for them stays on it (sealed, shown on screen
 * only to whom the rules allow), so the view a receipt proves never shrinks under it.
 */
export async function deviceReading(
  ctx: Ctx,
  org: string,
  deviceId: string,
): Promise<DeviceReading> {
  const ids = [...new Set((await ctx.accounts.sessionsOf(org, deviceId)).map((s) => s.staffId))];
  const staff = ids.length ? await ctx.store.rowsByIds(org, 'staff', ids) : [];
  const [services, objections, breakGlasses] = await Promise.all([
    ctx.store.rows(org, 'service'),
    ctx.store.rows(org, 'sharingObjection'),
    ctx.store.rows(org, 'breakGlass'),
  ]);
  return {
    readers: staff.map((s) => ({
      id: String(s.id),
      profession: String(s.profession),
      roles: Array.isArray(s.roles) ? (s.roles as string[]) : [],
    })),
    facts: readingFacts({
      services: services.map((s) => ({
        id: String(s.id),
        professions: Array.isArray(s.professions) ? (s.professions as string[]) : [],
      })),
      objections: objections as never,
      breakGlasses: breakGlasses as never,
      now: new Date(ctx.now()).toISOString(),
    }),
  };
}

/** The viewer of a device: its profile and room, and for a room device who reads on it. */
export async function readingViewer(
  ctx: Ctx,
  org: string,
  device: { deviceId: string; profile: Viewer['profile']; roomId: string | null },
): Promise<Viewer> {
  const viewer: Viewer = { profile: device.profile, roomId: device.roomId };
  if (device.profile !== 'room') return viewer;
  return { ...viewer, reading: await deviceReading(ctx, org, device.deviceId) };
}

/**
 * What a room device may read, as a key: its readers and their running bris de glace. When the
 * key gains an element, the device's view token changes and it pulls again from the start.
 */
export async function readingKey(ctx: Ctx, org: string, viewer: Viewer): Promise<string[]> {
  const reading = viewer.reading;
  if (!reading) return [];
  const readers = new Set(reading.readers.map((r) => r.id));
  const now = new Date(ctx.now()).toISOString();
  const key = [...readers].map((id) => `p:${id}`);
  for (const b of await ctx.store.rows(org, 'breakGlass')) {
    if (readers.has(String(b.staffId)) && String(b.at) <= now && now < String(b.until)) {
      key.push(`g:${String(b.staffId)}:${String(b.patientId)}`);
    }
  }
  return [...new Set(key)].sort();
}

/**
 * What a server remembers of the view it serves a room device (docs/protocol.md, The reading
 * view): the token the device must echo, the reading key it was computed under, and the notes
 * whose ops it left out. The token changes when the device may read more (a reader, a running
 * bris de glace, a note left out that its readers may now read); a device echoing another token
 * pulls again from 0. The device stores the token with its checkpoint, after the page is
 * applied: a lost answer or a crash leaves it the old token, so the reset is served again.
 */
export interface ReadingView {
  token: string;
  key: string[];
  withheld: string[];
  /** The profile and room the view was served under (absent in views kept before): a device
   * moved to another (POST /api/devices/assignment) pulls again from 0 its new view. */
  scope?: string;
}

/** The profile and room a view is served under. */
export const viewScope = (viewer: { profile: string; roomId: string | null }) =>
  `${viewer.profile}:${viewer.roomId ?? ''}`;

/** Where a device's reading view is kept. */
export const readingViewMeta = (org: string, dev: string) => `reading-view:${org}:${dev}`;

/** A view as kept (parseReadingView reads it back). */
export const formatReadingView = (view: ReadingView): string =>
  JSON.stringify({
    token: view.token,
    key: view.key,
    withheld: view.withheld,
    ...(view.scope ? { scope: view.scope } : {}),
  });

export function parseReadingView(raw: string | null | undefined): ReadingView | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Partial<ReadingView>;
    if (typeof v.token !== 'string' || !Array.isArray(v.key) || !Array.isArray(v.withheld)) {
      return null;
    }
    return {
      token: v.token,
      key: v.key.map(String),
      withheld: v.withheld.map(String),
      ...(typeof v.scope === 'string' ? { scope: v.scope } : {}),
    };
  } catch {
    return null;
  }
}
