// The frame of every screen: skip link, update banner, header, and the main landmark where the
// lazily loaded profile screen renders. On an enrolled device, another profile's route shows a
// notice leading to the device's own screen instead.
import { Suspense, useEffect, useRef } from 'react';
import { Link, Outlet, useLocation } from 'react-router';
import { useConnection, useRooms } from '../data/device-data';
import { t } from '../i18n';
import { useHydrated } from '../state/hydration';
import { type Profile, useUiStore } from '../state/ui-store';
import { DatabaseBanner } from './DatabaseBanner';
import { ErrorBoundary } from './ErrorBoundary';
import { Header } from './Header';
import { LockGate } from './LockGate';
import { PageTitle } from './PageTitle';
import { PurgeWatcher } from './PurgeWatcher';
import { allowedPath, isProfile, profileLabel, profileOfPath, profilePath } from './profiles';
import { RejoinBanner } from './RejoinBanner';
import { SessionBanner } from './SessionBanner';
import { MAIN_ID, SkipLink } from './SkipLink';
import { SyncProgress } from './SyncProgress';
import { UpdateBanner } from './UpdateBanner';

type Played = { profile: Profile; roomId: string | null };

/** The profile an enrolled device plays (null: no credential; undefined: still reading). */
function useEnrolledProfile(): Played | null | undefined {
  const connection = useConnection();
  if (connection === undefined) return undefined;
  const credential = connection?.credential;
  if (!credential || !isProfile(credential.profile)) return null;
  return { profile: credential.profile, roomId: credential.roomId };
}

/** Another profile's screen on an enrolled device: say so and lead to its own screen. */
function OtherProfileNotice({ own }: { own: Played }) {
  const rooms = useRooms();
  if (rooms === undefined) return <p role="status">{t('app.loading')}</p>;
  const roomName = own.roomId ? rooms?.find((r) => r.id === own.roomId)?.name : undefined;
  return (
    <section className="panel stack" aria-labelledby="other-profile-title">
      <PageTitle page={t('shell.otherProfileTitle')} />
      <h1 id="other-profile-title">{t('shell.otherProfileTitle')}</h1>
      <p role="alert" className="notice notice--warning">
        {own.profile === 'room'
          ? roomName
            ? t('shell.enrolledFor.roomNamed', { room: roomName })
            : t('shell.enrolledFor.room')
          : t(`shell.enrolledFor.${own.profile}`)}
      </p>
      <p>{t('shell.otherProfileHint')}</p>
      <p>
        <Link
          className="button button--primary button--big"
          to={profilePath(own.profile, own.roomId)}
        >
          {t('shell.goToOwn', { profile: profileLabel(own.profile, roomName) })}
        </Link>
      </p>
    </section>
  );
}

export function Layout() {
  const { pathname } = useLocation();
  const route = profileOfPath(pathname);
  const own = useEnrolledProfile();
  const chooseProfile = useUiStore((s) => s.chooseProfile);
  const mainRef = useRef<HTMLElement>(null);
  const shownPath = useRef(pathname);
  // undefined while the credential is read: nothing of a profile screen shows before.
  const allowed = own === undefined ? undefined : allowedPath(own, pathname);
  // What the header shows: the route's profile, or on an enrolled device always its own.
  const current = (allowed === false ? null : route) ?? own ?? null;

  // Opening a profile's screen makes it this device's profile (a bookmarked /affichage too) —
  // again once the stored preferences have loaded, or they would put back the previous one. An
  // enrolled device only ever plays its own profile, whatever it played before enrolment.
  const played = own ?? (allowed ? route : null);
  const profile = played?.profile;
  const roomId = played?.roomId ?? null;
  const hydrated = useHydrated(useUiStore);
  useEffect(() => {
    if (profile && hydrated) chooseProfile(profile, roomId);
  }, [profile, roomId, chooseProfile, hydrated]);
  const display = (allowed ? route?.profile : own?.profile) === 'display';
  // The waiting-room screen is a kiosk: no app bar on a public screen; its own corner bar keeps
  // the sync state and its settings (docs/guide/affichage.md).
  const kiosk = allowed === true && route?.profile === 'display';

  // After a navigation, screen-reader and keyboard users start at the new content.
  useEffect(() => {
    if (shownPath.current === pathname) return;
    shownPath.current = pathname;
    mainRef.current?.focus();
  }, [pathname]);

  return (
    <div
      className={
        kiosk
          ? 'layout layout--display layout--kiosk'
          : display
            ? 'layout layout--display'
            : 'layout'
      }
    >
      <SkipLink />
      <UpdateBanner />
      <DatabaseBanner />
      <SessionBanner />
      <RejoinBanner />
      <PurgeWatcher />
      {kiosk ? null : <Header current={current} enrolled={!!own} />}
      {kiosk ? null : <SyncProgress />}
      <main id={MAIN_ID} ref={mainRef} tabIndex={-1} className="app-main">
        <ErrorBoundary resetKey={pathname}>
          {allowed === undefined && route ? (
            <p role="status">{t('app.loading')}</p>
          ) : allowed === false && own ? (
            <OtherProfileNotice own={own} />
          ) : (
            <LockGate exempt={pathname === '/appareil'}>
              <Suspense fallback={<p role="status">{t('app.loading')}</p>}>
                <Outlet />
              </Suspense>
            </LockGate>
          )}
        </ErrorBoundary>
      </main>
    </div>
  );
}
