// The reception tablet (docs/design.md §2): the live board, arrivals (search, registration, check-in),
// appointments and booking, the opening of the day, ticket printing, and the duplicates to merge
// (identities created « malgré les doublons ») — one route each.
// The board and arrivals load with the screen; the other tabs when first opened (the service
// worker holds them offline): the enrolled reception's first load stays small (bundle.reception_js_kb).
import { lazy, type ReactNode } from 'react';
import { NavLink, Route, Routes } from 'react-router';
import { todayOf, useDay, useDeviceId, useNow } from '../data/device-data';
import { t } from '../i18n';
import { Loading, NoDatabase } from '../shell/Loading';
import { NotFound } from '../shell/NotFound';
import { OnDemand } from '../shell/OnDemand';
import { PageTitle } from '../shell/PageTitle';
import { ArrivalPage } from './ArrivalPage';
import { BoardPage } from './BoardPage';
import './reception.css';

const AppointmentsPage = lazy(() =>
  import('./AppointmentsPage').then((m) => ({ default: m.AppointmentsPage })),
);
const DayPage = lazy(() => import('./DayPage').then((m) => ({ default: m.DayPage })));
const TicketPrint = lazy(() => import('./TicketPrint').then((m) => ({ default: m.TicketPrint })));
const IdentityRoute = lazy(() =>
  import('../identity/IdentityPage').then((m) => ({ default: m.IdentityRoute })),
);
const MergePage = lazy(() =>
  import('../identity/MergePage').then((m) => ({ default: m.MergePage })),
);

const TABS = [
  { to: '/accueil', end: true, label: 'reception.tabs.board' },
  { to: '/accueil/arrivee', end: false, label: 'reception.tabs.arrival' },
  { to: '/accueil/rendez-vous', end: false, label: 'reception.tabs.appointments' },
  { to: '/accueil/journee', end: false, label: 'reception.tabs.day' },
  { to: '/accueil/doublons', end: false, label: 'reception.tabs.duplicates' },
] as const;

/** A tab loaded when first opened, suspending in a boundary of its own (decision 0032). */
const onDemandRoute = (path: string, page: ReactNode) => (
  <Route path={path} element={<OnDemand key={path}>{page}</OnDemand>} />
);

export default function ReceptionScreen() {
  const now = useNow(15_000);
  const rows = useDay(todayOf(now));
  const deviceId = useDeviceId();
  if (rows === undefined) return <Loading />;
  if (rows === null) return <NoDatabase />;
  const device = deviceId ?? null;
  return (
    <div className="stack reception">
      <PageTitle page={t('reception.title')} />
      <div className="reception__title">
        <h1>{t('reception.title')}</h1>
        {rows.day.stop ? (
          <p className="muted">{t('day.stopTitle', { commune: rows.day.stop.communeName })}</p>
        ) : null}
      </div>
      <nav className="tabs" aria-label={t('reception.tabs.label')}>
        {TABS.map((tab) => (
          <NavLink key={tab.to} to={tab.to} end={tab.end} className="tabs__tab">
            {t(tab.label)}
          </NavLink>
        ))}
      </nav>
      <Routes>
        <Route index element={<BoardPage rows={rows} now={now} deviceId={device} />} />
        <Route path="arrivee" element={<ArrivalPage rows={rows} now={now} deviceId={device} />} />
        {onDemandRoute('rendez-vous', <AppointmentsPage rows={rows} now={now} deviceId={device} />)}
        {onDemandRoute('journee', <DayPage rows={rows} deviceId={device} />)}
        {onDemandRoute('ticket/:visitId', <TicketPrint rows={rows} />)}
        {onDemandRoute('patient/:patientId', <IdentityRoute backTo="/accueil/arrivee" />)}
        {onDemandRoute('doublons', <MergePage identityPath="/accueil/patient" />)}
        <Route path="*" element={<NotFound />} />
      </Routes>
    </div>
  );
}
