// The profiles a device can play and the route of each (docs/design.md §2).
import { t } from '../i18n';
import type { Profile } from '../state/ui-store';

export const PROFILES: readonly Profile[] = ['reception', 'room', 'coordination', 'display'];

export function profilePath(profile: Profile, roomId?: string | null): string {
  switch (profile) {
    case 'reception':
      return '/accueil';
    case 'room':
      return roomId ? `/salle/${encodeURIComponent(roomId)}` : '/';
    case 'coordination':
      return '/coordination';
    case 'display':
      return '/affichage';
  }
}

/** The profile a path belongs to, with the room for /salle/:roomId; null elsewhere. */
export function profileOfPath(
  pathname: string,
): { profile: Profile; roomId: string | null } | null {
  if (pathname === '/accueil' || pathname.startsWith('/accueil/')) {
    return { profile: 'reception', roomId: null };
  }
  const room = /^\/salle\/([^/]+)(?:\/.*)?$/.exec(pathname);
  if (room?.[1]) return { profile: 'room', roomId: decodeURIComponent(room[1]) };
  if (pathname.startsWith('/coordination')) return { profile: 'coordination', roomId: null };
  if (pathname.startsWith('/affichage')) return { profile: 'display', roomId: null };
  return null;
}

/** "Accueil", "Salle : Box 2"… */
export function profileLabel(profile: Profile, roomName?: string | null): string {
  if (profile === 'room' && roomName) return t('profiles.roomNamed', { room: roomName });
  return t(`profiles.${profile}`);
}

export function isProfile(value: unknown): value is Profile {
  return typeof value === 'string' && (PROFILES as readonly string[]).includes(value);
}

/**
 * Whether a route's profile may be played on a device enrolled for `own` (an enrolled device
 * plays only its profile, and a room device only its room). Devices without a credential
 * (`own` null) play any profile.
 */
export function allowedOnDevice(
  own: { profile: Profile; roomId: string | null } | null,
  route: { profile: Profile; roomId: string | null } | null,
): boolean {
  if (!own || !route) return true;
  if (own.profile !== route.profile) return false;
  return own.profile !== 'room' || own.roomId === route.roomId;
}

/** Screens outside the four profiles' routes, and the enrolled profiles that may open them. */
const SHARED_SCREENS: readonly { prefix: string; profiles: readonly Profile[] }[] = [
  // Supervision reads notes: only devices that receive them (rooms' supervisors, coordination).
  { prefix: '/supervision', profiles: ['room', 'coordination'] },
];

/** Whether `pathname` may be shown on a device enrolled for `own` (null: not enrolled). */
export function allowedPath(
  own: { profile: Profile; roomId: string | null } | null,
  pathname: string,
): boolean {
  if (!allowedOnDevice(own, profileOfPath(pathname))) return false;
  const shared = SHARED_SCREENS.find(
    (s) => pathname === s.prefix || pathname.startsWith(`${s.prefix}/`),
  );
  return !own || !shared || shared.profiles.includes(own.profile);
}
