// Routes of the app shell: one per profile, each screen loaded on demand so the first load stays
// small (the service worker precaches them all for offline use anyway).
import { lazy } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router';
import { HomeScreen } from './home/HomeScreen';
import { addMessages } from './i18n';
import { Layout } from './shell/Layout';
import { NotFound } from './shell/NotFound';
import { OnDemand } from './shell/OnDemand';

const ReceptionScreen = lazy(() => import('./reception/ReceptionScreen'));
/** The room, coordination and supervision screens use parts of the catalogue the others do not:
 * they are added before the screen's modules run (some read messages when they load). */
const withScreenMessages = async () => {
  const { frScreens } = await import('./i18n/fr-screens');
  addMessages(frScreens);
};
const RoomScreen = lazy(() => withScreenMessages().then(() => import('./room/RoomScreen')));
const CoordinationScreen = lazy(() =>
  withScreenMessages().then(() => import('./coordination/CoordinationScreen')),
);
const DisplayScreen = lazy(() => import('./display/DisplayScreen'));
const DeviceHealthScreen = lazy(() => import('./device-health/DeviceHealthScreen'));
const SupervisionScreen = lazy(() =>
  withScreenMessages().then(() => import('./supervision/SupervisionScreen')),
);

/** The routes, without a router: tests wrap them in a MemoryRouter. Each screen loaded on demand
 * suspends in a boundary of its own (shell/OnDemand.tsx). */
export function AppRoutes() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<HomeScreen />} />
        <Route
          path="accueil/*"
          element={
            <OnDemand key="accueil/*">
              <ReceptionScreen />
            </OnDemand>
          }
        />
        <Route
          path="salle/:roomId/*"
          element={
            <OnDemand key="salle/:roomId/*">
              <RoomScreen />
            </OnDemand>
          }
        />
        <Route
          path="coordination/*"
          element={
            <OnDemand key="coordination/*">
              <CoordinationScreen />
            </OnDemand>
          }
        />
        <Route
          path="supervision/*"
          element={
            <OnDemand key="supervision/*">
              <SupervisionScreen />
            </OnDemand>
          }
        />
        <Route
          path="affichage"
          element={
            <OnDemand key="affichage">
              <DisplayScreen />
            </OnDemand>
          }
        />
        <Route
          path="appareil"
          element={
            <OnDemand key="appareil">
              <DeviceHealthScreen />
            </OnDemand>
          }
        />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

export function App() {
  return (
    <BrowserRouter>
      <AppRoutes />
    </BrowserRouter>
  );
}
