// The bar on every screen: app name (back to the profile choice), the profile this screen
// plays, the sync state, and the way to device health. An enrolled device has no profile to
// change: the home screen only leads to its own.
import { Link, NavLink, useLocation } from 'react-router';
import { useRooms, useSyncStatus } from '../data/device-data';
import { t } from '../i18n';
import type { Profile } from '../state/ui-store';
import { LockButton } from './LockGate';
import { profileLabel } from './profiles';
import { SyncIndicatorView } from './SyncIndicator';

export function Header({
  current,
  enrolled = false,
}: {
  current: { profile: Profile; roomId: string | null } | null;
  /** The device plays only the profile of its credential. */
  enrolled?: boolean;
}) {
  const rooms = useRooms();
  const sync = useSyncStatus();
  // On the home screen itself the link would lead nowhere (before enrolment, for instance).
  const atHome = useLocation().pathname === '/';
  const roomName = current?.roomId ? rooms?.find((r) => r.id === current.roomId)?.name : null;
  return (
    <header className="app-header">
      <Link
        to="/"
        className="app-header__brand"
        aria-label={enrolled ? t('shell.homeLinkEnrolled') : t('shell.homeLink')}
      >
        {t('app.name')}
      </Link>
      <p className="app-header__profile">
        {current
          ? t('shell.profileLabel', { profile: profileLabel(current.profile, roomName) })
          : t('shell.noProfile')}
      </p>
      <SyncIndicatorView status={sync} />
      <nav className="app-header__nav" aria-label={t('shell.navLabel')}>
        {enrolled || atHome ? null : (
          <NavLink to="/" end>
            {t('shell.changeProfile')}
          </NavLink>
        )}
        {current?.profile === 'coordination' || current?.profile === 'room' ? (
          <NavLink to="/supervision">{t('shell.supervision')}</NavLink>
        ) : null}
        <NavLink to="/appareil">{t('shell.deviceHealth')}</NavLink>
        {current?.profile && current.profile !== 'display' ? <LockButton /> : null}
      </nav>
    </header>
  );
}
