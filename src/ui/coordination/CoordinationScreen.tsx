// The coordinating doctor's screen (docs/design.md §2): live overview with the day's pictures,
// supervision, closure with the sync receipt, conflicts, devices, planning, the period's
// indicators and exports, and the printable day report — one route each.
import { lazy, Suspense, useMemo } from 'react';
import { Navigate, NavLink, Route, Routes } from 'react-router';
import { computeIndicators } from '../../domain/indicators';
import { needsSetup } from '../../domain/setup';
import { todayOf, useDay, useDeviceId, useNow } from '../data/device-data';
import { t } from '../i18n';
import { IdentityRoute } from '../identity/IdentityPage';
import { MergePage } from '../identity/MergePage';
import { PatientCopyRoute } from '../identity/PatientCopyPage';
import { StaffPicker } from '../room/StaffPicker';
import { Loading, NoDatabase } from '../shell/Loading';
import { NotFound } from '../shell/NotFound';
import { PageTitle } from '../shell/PageTitle';
import { SupervisionList } from '../supervision/SupervisionList';
import { AuditPage } from './AuditPage';
import { BreakGlassPage } from './BreakGlassPage';
import { ClosurePage } from './ClosurePage';
import { ConflictsPage } from './ConflictsPage';
import { CoordinationView } from './CoordinationView';
import { useOrgRows } from './coordination-data';
import { coordinationModel, occupancyTimeline, waitBuckets } from './coordination-model';
import { DayReport } from './DayReport';
import { DevicesPage } from './DevicesPage';
import { PartnerTasksPage } from './PartnerTasksPage';
import { PeriodPage } from './PeriodPage';
import { PlanningPage } from './PlanningPage';
import { PolicyPage } from './PolicyPage';
import { SetupPage } from './SetupPage';
import { TeamPage } from './TeamPage';
import { TemplatesPage } from './TemplatesPage';
import { TodayIndicators } from './TodayIndicators';
import { WorklistPage } from './WorklistPage';
import './coordination.css';

const DayCharts = lazy(() => import('./DayCharts'));
// The CSV reader and the import planner load when the import is opened, not with the app.
const ImportPage = lazy(() => import('./ImportPage'));

const TABS = [
  { to: '/coordination', end: true, label: 'coordination.tabs.overview' },
  { to: '/coordination/demarrage', end: false, label: 'setup.tab' },
  { to: '/coordination/supervision', end: false, label: 'coordination.tabs.supervision' },
  { to: '/coordination/cloture', end: false, label: 'coordination.tabs.closure' },
  { to: '/coordination/suivi', end: false, label: 'pathway.worklist.tab' },
  { to: '/coordination/conflits', end: false, label: 'coordination.tabs.conflicts' },
  { to: '/coordination/doublons', end: false, label: 'identity.merge.tab' },
  { to: '/coordination/appareils', end: false, label: 'coordination.tabs.devices' },
  { to: '/coordination/planning', end: false, label: 'coordination.tabs.planning' },
  { to: '/coordination/priorites', end: false, label: 'pathway.policy.tab' },
  { to: '/coordination/indicateurs', end: false, label: 'coordination.tabs.period' },
  { to: '/coordination/rapport', end: false, label: 'coordination.tabs.report' },
  { to: '/coordination/equipe', end: false, label: 'coordination.tabs.team' },
  { to: '/coordination/modeles', end: false, label: 'documents.templates.tab' },
  { to: '/coordination/partenaires', end: false, label: 'coordination.partner.tab' },
  { to: '/coordination/journal', end: false, label: 'coordination.tabs.audit' },
  { to: '/coordination/bris-de-glace', end: false, label: 'coordination.tabs.breakGlass' },
] as const;

export default function CoordinationScreen() {
  const now = useNow();
  const today = todayOf(now);
  const day = useDay(today);
  const org = useOrgRows();
  const deviceId = useDeviceId() ?? null;
  const ind = useMemo(() => {
    const stop = day?.day.stop;
    if (!org || !stop) return null;
    return computeIndicators({
      stops: org.stops.filter((s) => s.id === stop.id),
      visits: org.visits,
      queueEntries: org.entries,
      consultations: org.consultations,
      appointments: org.appointments,
      patients: org.patients,
      rosterSlots: org.slots,
      rooms: org.rooms,
      services: org.services,
    });
  }, [org, day]);
  if (day === undefined || org === undefined) return <Loading />;
  if (day === null || org === null) return <NoDatabase />;
  const stop = day.day.stop;
  const coordinators = org.staff.filter((s) => s.roles.includes('coordinateur')).map((s) => s.id);
  const services = new Map(org.services.map((s) => [s.id, s.label]));
  const receipt = org.receipts
    .filter((r) => r.stopId === stop?.id)
    .sort((a, b) => (a.at < b.at ? 1 : -1))[0];

  return (
    <div className="stack coordination">
      <PageTitle page={t('coordination.title')} />
      <div className="page-header no-print">
        <h1>{t('coordination.title')}</h1>
        <StaffPicker staff={org.staff.filter((s) => s.active)} suggested={coordinators} />
      </div>
      <nav className="tabs no-print" aria-label={t('coordination.tabs.label')}>
        {TABS.map((tab) => (
          <NavLink key={tab.to} to={tab.to} end={tab.end} className="tabs__tab">
            {t(tab.label)}
          </NavLink>
        ))}
      </nav>
      <Routes>
        <Route
          index
          element={
            needsSetup(org) ? (
              <Navigate to="/coordination/demarrage" replace />
            ) : (
              <div className="stack">
                <CoordinationView stop={stop} model={coordinationModel(day.day, now)} />
                {ind ? <TodayIndicators ind={ind} /> : null}
                {stop ? (
                  <Suspense fallback={<p role="status">{t('coordination.charts.loading')}</p>}>
                    <DayCharts
                      bars={occupancyTimeline(day.day, now)}
                      buckets={waitBuckets(day.day)}
                    />
                  </Suspense>
                ) : null}
              </div>
            )
          }
        />
        <Route path="demarrage" element={<SetupPage rows={org} today={today} />} />
        <Route
          path="import"
          element={
            <Suspense fallback={<p role="status">{t('patientImport.reading')}</p>}>
              <ImportPage rows={org} today={today} />
            </Suspense>
          }
        />
        <Route path="supervision" element={<SupervisionList />} />
        <Route
          path="cloture"
          element={<ClosurePage rows={org} stop={stop} deviceId={deviceId} today={today} />}
        />
        <Route path="suivi" element={<WorklistPage rows={org} today={today} />} />
        <Route path="priorites" element={<PolicyPage rows={org} today={today} />} />
        <Route path="conflits" element={<ConflictsPage rows={org} />} />
        <Route path="doublons" element={<MergePage identityPath="/coordination/patient" />} />
        <Route
          path="patient/:patientId"
          element={<IdentityRoute backTo="/coordination/doublons" />}
        />
        <Route
          path="patient/:patientId/copie"
          element={<PatientCopyRoute backTo="/coordination/patient" />}
        />
        <Route path="appareils" element={<DevicesPage deviceId={deviceId} rows={org} />} />
        <Route path="planning" element={<PlanningPage rows={org} today={today} />} />
        <Route path="modeles" element={<TemplatesPage />} />
        <Route path="partenaires" element={<PartnerTasksPage rows={org} />} />
        <Route path="indicateurs" element={<PeriodPage rows={org} today={today} />} />
        <Route
          path="rapport"
          element={
            <DayReport
              stop={stop}
              ind={ind}
              receipt={receipt}
              serviceLabel={(id) => services.get(id) ?? id}
            />
          }
        />
        <Route path="equipe" element={<TeamPage rows={org} />} />
        <Route path="journal" element={<AuditPage rows={org} />} />
        <Route path="bris-de-glace" element={<BreakGlassPage rows={org} />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </div>
  );
}
