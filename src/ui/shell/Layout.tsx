// The frame of every screen: skip link, update banner, header, and the main landmark where the
// lazily loaded profile screen renders.
import { Suspense, useEffect, useRef } from 'react';
import { Outlet, useLocation } from 'react-router';
import { t } from '../i18n';
import { useHydrated } from '../state/hydration';
import { useUiStore } from '../state/ui-store';
import { DatabaseBanner } from './DatabaseBanner';
import { ErrorBoundary } from './ErrorBoundary';
import { Header } from './Header';
import { LockGate } from './LockGate';
import { PurgeWatcher } from './PurgeWatcher';
import { profileOfPath } from './profiles';
import { MAIN_ID, SkipLink } from './SkipLink';
import { UpdateBanner } from './UpdateBanner';

export function Layout() {
  const { pathname } = useLocation();
  const current = profileOfPath(pathname);
  const chooseProfile = useUiStore((s) => s.chooseProfile);
  const mainRef = useRef<HTMLElement>(null);
  const shownPath = useRef(pathname);

  // Opening a profile's screen makes it this device's profile (a bookmarked /affichage too) —
  // again once the stored preferences have loaded, or they would put back the previous one.
  const profile = current?.profile;
  const roomId = current?.roomId ?? null;
  const hydrated = useHydrated(useUiStore);
  useEffect(() => {
    if (profile && hydrated) chooseProfile(profile, roomId);
  }, [profile, roomId, chooseProfile, hydrated]);

  // After a navigation, screen-reader and keyboard users start at the new content.
  useEffect(() => {
    if (shownPath.current === pathname) return;
    shownPath.current = pathname;
    mainRef.current?.focus();
  }, [pathname]);

  return (
    <div className={profile === 'display' ? 'layout layout--display' : 'layout'}>
      <SkipLink />
      <UpdateBanner />
      <DatabaseBanner />
      <PurgeWatcher />
      <Header current={current} />
      <main id={MAIN_ID} ref={mainRef} tabIndex={-1} className="app-main">
        <ErrorBoundary resetKey={pathname}>
          <LockGate>
            <Suspense fallback={<p role="status">{t('app.loading')}</p>}>
              <Outlet />
            </Suspense>
          </LockGate>
        </ErrorBoundary>
      </main>
    </div>
  );
}
