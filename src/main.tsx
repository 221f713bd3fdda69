// Entry point: open the device database, mount the app, register the service worker.
import './ui/styles.css';
import { registerSW } from 'virtual:pwa-register';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import {
  setDeviceReporter,
  setRevocationHandler,
  startSync,
  wipeDevice,
} from './device/connection';
import { initDataKey } from './device/data-key';
import { EscaleDb } from './device/db';
import { enableEncryption } from './device/encryption';
import { checkMarker, startMessage } from './device/marker';
import { App } from './ui/App';
import { appVersion } from './ui/app-version';
import { DeviceProvider } from './ui/data/device-data';
import { t } from './ui/i18n';
import { installStaleChunkGuard } from './ui/pwa/stale-chunks';
import { announceUpdate, setUpdateApplier } from './ui/pwa/update';
import { clearUiState, useUiStore } from './ui/state/ui-store';

/** How often an open app asks the server for a new version (docs/design.md §8: periodic checks). */
const UPDATE_CHECK_MS = 60 * 60 * 1000;
/** Carries the revocation message across the reload that follows the wipe. */
const REVOKED_NOTICE = 'escale:revoked';

function openDevice(): EscaleDb | null {
  setDeviceReporter(() => ({ appVersion: appVersion(), profile: useUiStore.getState().profile }));
  try {
    const db = new EscaleDb();
    // Clinical tables are sealed at rest with the device's data key, opened by a PIN.
    enableEncryption(db);
    setRevocationHandler((message) => {
      // Withdrawn by the coordination (a lost tablet): nothing of the organisation stays here.
      void (async () => {
        await wipeDevice(db);
        await clearUiState();
        sessionStorage.setItem(REVOKED_NOTICE, message);
        window.location.replace('/');
      })();
    });
    // Dexie opens on first use; the marker check runs in the background and tells the user if
    // the browser wiped the database (never start empty silently).
    checkMarker(db).then(
      (state) => {
        const revoked = sessionStorage.getItem(REVOKED_NOTICE);
        sessionStorage.removeItem(REVOKED_NOTICE);
        useUiStore.getState().setStartNotice(revoked ?? startMessage(state));
        // A connected device syncs from the start (the page drives sync, docs/design.md §8), once
        // it knows whether its clinical data is locked.
        return initDataKey(db).then(() => startSync(db));
      },
      (error: unknown) => {
        console.error(error);
        useUiStore.getState().setStartNotice(t('errors.noDatabase'));
      },
    );
    return db;
  } catch (error) {
    console.error(error);
    return null;
  }
}

function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  const updateSW = registerSW({
    onNeedRefresh: announceUpdate,
    onRegisteredSW(_url, registration) {
      if (!registration) return;
      setInterval(() => {
        if (navigator.onLine) registration.update().catch(() => undefined);
      }, UPDATE_CHECK_MS);
    },
    onRegisterError: (error: unknown) => console.error(error),
  });
  setUpdateApplier(updateSW);
}

installStaleChunkGuard();
const rootElement = document.getElementById('root');
if (!rootElement) throw new Error('#root manquant dans index.html');
createRoot(rootElement).render(
  <StrictMode>
    <DeviceProvider db={openDevice()}>
      <App />
    </DeviceProvider>
  </StrictMode>,
);
registerServiceWorker();
