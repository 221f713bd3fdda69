// Indicators over a period (docs/design.md §4.4, docs/indicators.md): central's figures over its
// whole history when it answers, else this device's own, labelled partial; the period report for
// the region and the DMG (src/ui/coordination/PeriodReport.tsx), printable; stops and communes
// visited, patients and consultations per commune and service, orientations; exported as CSV
// (safe from formula injection) or as the research extract (src/domain/research.ts: objections
// honoured, weeks and EPCI, restricted classes out, small cells suppressed, the study key checked
// by its fingerprint).
import { useEffect, useMemo, useState } from 'react';
import { type CentralIndicators, fetchCentralIndicators } from '../../device/central-indicators';
import { retentionDays } from '../../device/closure';
import { readConnection } from '../../device/connection';
import { wallClock } from '../../device/stamp';
import { type EpciIndex, epciOf } from '../../domain/epci';
import { toCsv } from '../../domain/exports';
import { computeIndicators, type Indicators } from '../../domain/indicators';
import {
  definitionChanges,
  INDICATORS_VERSION,
  periodRefusal,
} from '../../domain/pathway-indicators';
import {
  keyFingerprint,
  researchCsv,
  researchExtract,
  researchKeyRefusal,
} from '../../domain/research';
import { useDb } from '../data/device-data';
import { useWriter } from '../data/writer';
import { ProgressBar } from '../feedback/ProgressBar';
import { nextFrame, type StepProgress } from '../feedback/progress';
import { TextField } from '../forms/fields';
import { formatBirthDate, formatTime, t, tn } from '../i18n';
import { useUiStore } from '../state/ui-store';
import type { OrgRows } from './coordination-data';
import { downloadText } from './download';
import { fetchEpci } from './epci-index';
import { FigureTable } from './FigureTable';
import { percentText } from './figures';
import { indicatorCsvHeader, indicatorCsvRows } from './indicator-csv';
import { PeriodReport } from './PeriodReport';

type Central = CentralIndicators | { ok: false; loading: true };

/** Central's figures for the period, asked again when it changes or on demand. */
function useCentral(from: string, to: string, valid: boolean, attempt: number): Central | null {
  const db = useDb();
  const [central, setCentral] = useState<Central | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` asks central again on demand
  useEffect(() => {
    if (!valid || !db) {
      setCentral(null);
      return;
    }
    const abort = new AbortController();
    // Asked again for the same period: central's last figures stay on screen meanwhile.
    setCentral((last) =>
      last?.ok &&
      last.answer.indicators.period.from === from &&
      last.answer.indicators.period.to === to
        ? last
        : { ok: false, loading: true },
    );
    // A date typed digit by digit asks once, when it stops changing.
    const timer = setTimeout(() => {
      void (async () => {
        const connection = await readConnection(db);
        const answer: CentralIndicators = connection?.credential
          ? await fetchCentralIndicators(connection, { from, to }, fetch, abort.signal)
          : { ok: false, refused: false };
        if (!abort.signal.aborted) setCentral(answer);
      })();
    }, 300);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [db, from, to, valid, attempt]);
  return central;
}

export function PeriodPage({ rows, today }: { rows: OrgRows; today: string }) {
  const write = useWriter();
  const db = useDb();
  const staffId = useUiStore((s) => s.staffId);
  const [fhirError, setFhirError] = useState<string | null>(null);
  const [from, setFrom] = useState(`${today.slice(0, 8)}01`);
  const [to, setTo] = useState(today);
  const [key, setKey] = useState('');
  const [keyError, setKeyError] = useState<string | undefined>();
  const [status, setStatus] = useState<string | null>(null);
  const [progress, setProgress] = useState<StepProgress | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [days, setDays] = useState<number | null>(null);
  const [places, setPlaces] = useState<EpciIndex | null>(null);
  useEffect(() => {
    if (db) void retentionDays(db, 'coordination').then(setDays);
  }, [db]);
  useEffect(() => {
    // The EPCI of where patients live, for this device's own figures (central reads its own).
    fetchEpci()
      .then(setPlaces)
      .catch(() => setPlaces(null));
  }, []);
  const refusal = periodRefusal(from, to);
  const valid = refusal === null;
  const central = useCentral(from, to, valid, attempt);
  // Central's answer for the period on screen only (a new period is being asked meanwhile).
  const fromCentral =
    valid &&
    central?.ok &&
    central.answer.indicators.period.from === from &&
    central.answer.indicators.period.to === to
      ? central.answer
      : null;
  const loading = central !== null && !central.ok && 'loading' in central;
  const local = useMemo(
    () =>
      // While central is asked, and when it cannot answer: this device's own, labelled partial.
      valid && !fromCentral
        ? computeIndicators({
            stops: rows.stops,
            visits: rows.visits,
            queueEntries: rows.entries,
            consultations: rows.consultations,
            appointments: rows.appointments,
            patients: rows.patients,
            rosterSlots: rows.slots,
            rooms: rows.rooms,
            services: rows.services,
            signatures: rows.signatures,
            orientations: rows.orientations,
            staff: rows.staff,
            vaccinations: rows.vaccinations,
            ...(places
              ? {
                  placeOf: (insee: string) => {
                    const code = epciOf(places, insee);
                    return code ? { code, name: places.names.get(code) ?? code } : null;
                  },
                }
              : {}),
            period: { from, to },
          })
        : null,
    [rows, from, to, valid, fromCentral, places],
  );
  const ind: Indicators | null = fromCentral ? fromCentral.indicators : local;
  const changes = fromCentral ? definitionChanges(fromCentral.version, INDICATORS_VERSION) : [];
  const communeName = new Map(ind?.byCommune.map((c) => [c.communeInsee, c.communeName]) ?? []);
  const services = new Map(rows.services.map((s) => [s.id, s]));

  const step = async (done: number, total: number, label: string) => {
    setProgress({ done, total, label });
    await nextFrame();
  };
  const exportCsv = async () => {
    if (!ind) return;
    const file = `escale-indicateurs-${from}-${to}.csv`;
    await step(0, 3, t('coordination.period.steps.lines'));
    const lines = indicatorCsvRows(ind, rows.services, {
      staff: rows.staff,
      source: fromCentral ? { central: true } : { central: false, days: days ?? 0 },
    });
    await step(1, 3, t('coordination.period.steps.file'));
    downloadText(file, toCsv(indicatorCsvHeader(), lines));
    await step(2, 3, t('coordination.period.steps.journal'));
    await write([], {
      action: 'export.indicators',
      entity: null,
      entityId: null,
      detail: t('coordination.period.exportDetail', {
        from: formatBirthDate(from),
        to: formatBirthDate(to),
      }),
    });
    setProgress(null);
    setStatus(t('coordination.period.exported', { file, count: lines.length }));
  };
  const exportFhir = async () => {
    if (!db) return;
    try {
      setFhirError(null);
      await step(0, 4, t('coordination.period.fhir.steps.load'));
      // The FHIR module loads here, on the first export, not with the coordination's screen.
      const { periodFhirFile, FHIR_JSON } = await import('./fhir-file');
      await step(1, 4, t('coordination.period.fhir.steps.build'));
      const out = await periodFhirFile(
        db,
        { from, to },
        { profile: 'coordination', roomId: null },
        staffId,
        wallClock.iso(),
      );
      await step(2, 4, t('coordination.period.steps.file'));
      downloadText(out.file, out.json, FHIR_JSON, { bom: false });
      await step(3, 4, t('coordination.period.steps.journal'));
      await write([], {
        action: 'export.fhir',
        entity: null,
        entityId: null,
        detail: out.auditDetail,
      });
      setStatus(
        t('coordination.period.fhir.exported', {
          file: out.file,
          count: out.exported,
          notReadable: out.notReadable,
          unsigned: out.unsigned,
        }),
      );
    } catch (e) {
      setFhirError((e as Error).message);
    } finally {
      setProgress(null);
    }
  };
  const recorded = rows.organisation?.researchKeyFingerprint ?? null;
  const typed = key.trim().length >= 8 ? keyFingerprint(key) : null;
  const mismatch = Boolean(recorded && typed && typed !== recorded);
  /** Records this key's fingerprint as the study's (a first export, or a new study). */
  const recordFingerprint = async (fingerprint: string) => {
    const orgId = rows.orgId;
    if (!orgId) throw new Error(t('coordination.period.research.noOrganisation'));
    await write(
      [{ entity: 'organisation', id: orgId, set: { researchKeyFingerprint: fingerprint } }],
      {
        action: 'research.key_recorded',
        entity: 'organisation',
        entityId: orgId,
        detail: fingerprint,
      },
    );
  };
  const exportResearch = async () => {
    try {
      // The key first: a refusal needs nothing loaded.
      const refusal = researchKeyRefusal(key, recorded);
      if (refusal) throw new Error(refusal);
      await step(0, 4, t('coordination.period.steps.places'));
      const index = await fetchEpci().catch(() => {
        throw new Error(t('coordination.period.research.noPlaces'));
      });
      await step(1, 4, t('coordination.period.steps.pseudonyms'));
      const extract = researchExtract({
        key,
        expectedFingerprint: recorded,
        period: { from, to },
        stops: rows.stops,
        visits: rows.visits,
        consultations: rows.consultations,
        patients: rows.patients,
        services: rows.services,
        objections: rows.researchObjections,
        epciOf: (code) => epciOf(index, code),
      });
      setKeyError(undefined);
      if (!recorded) await recordFingerprint(extract.fingerprint);
      const file = `escale-recherche-${from}-${to}.csv`;
      await step(2, 4, t('coordination.period.steps.file'));
      downloadText(file, researchCsv(extract.rows));
      await step(3, 4, t('coordination.period.steps.journal'));
      await write([], {
        action: 'export.research',
        entity: null,
        entityId: null,
        detail: `${from} → ${to} : ${extract.rows.length} (${extract.fingerprint})`,
      });
      setStatus(
        t('coordination.period.research.exported', {
          file,
          count: extract.rows.length,
          objected: extract.objected,
          restricted: extract.restricted,
          suppressed: extract.suppressed,
          generalised: extract.generalised,
        }),
      );
    } catch (e) {
      setKeyError((e as Error).message);
    } finally {
      setProgress(null);
    }
  };
  const adoptKey = async () => {
    if (!typed) return;
    try {
      await recordFingerprint(typed);
      setKeyError(undefined);
      setStatus(t('coordination.period.research.adopted', { fingerprint: typed }));
    } catch (e) {
      setKeyError((e as Error).message);
    }
  };

  return (
    <div className="stack period-page">
      <h2>{t('coordination.period.title')}</h2>
      <div className="form-grid">
        <TextField
          label={t('coordination.period.from')}
          type="date"
          value={from}
          onChange={setFrom}
        />
        <TextField
          label={t('coordination.period.to')}
          type="date"
          value={to}
          onChange={setTo}
          error={refusal ?? undefined}
        />
      </div>
      {status ? (
        <p role="status" className="notice notice--success">
          {status}
        </p>
      ) : null}
      {central && !central.ok && 'refused' in central && central.refused ? (
        <p role="alert" className="notice notice--error">
          {t('indicators.source.refused', { message: central.message })}
        </p>
      ) : null}
      {ind ? (
        <>
          <header className="stack period-report__head">
            <h2 className="print-only">
              {t('indicators.reportTitle', {
                from: formatBirthDate(from),
                to: formatBirthDate(to),
              })}
            </h2>
            <p className="print-only">{t('indicators.reportFor')}</p>
            {fromCentral ? (
              <div className="notice stack" role="status">
                <p>
                  {fromCentral.history.firstStop
                    ? t('indicators.source.central', {
                        date: formatBirthDate(fromCentral.computedAt),
                        time: formatTime(fromCentral.computedAt),
                        first: formatBirthDate(fromCentral.history.firstStop),
                      })
                    : t('indicators.source.centralNoHistory', {
                        date: formatBirthDate(fromCentral.computedAt),
                        time: formatTime(fromCentral.computedAt),
                      })}
                </p>
                {fromCentral.history.archivedRecords > 0 ? (
                  <p>{tn('indicators.source.archived', fromCentral.history.archivedRecords)}</p>
                ) : null}
                <button
                  type="button"
                  className="button no-print"
                  onClick={() => setAttempt((n) => n + 1)}
                >
                  {t('indicators.source.recompute')}
                </button>
              </div>
            ) : (
              <div className="notice notice--warning stack" role="status">
                <p>
                  <strong>{t('indicators.source.partial', { days: days ?? '…' })}</strong>
                </p>
                {loading ? (
                  <p>{t('indicators.source.loading')}</p>
                ) : (
                  <>
                    <p>{t('indicators.source.partialWhy')}</p>
                    <button
                      type="button"
                      className="button no-print"
                      onClick={() => setAttempt((n) => n + 1)}
                    >
                      {t('indicators.source.retry')}
                    </button>
                  </>
                )}
              </div>
            )}
            {changes.length > 0 ? (
              <div className="notice notice--warning stack" role="note">
                <p>
                  {t('indicators.source.definitionChanged', {
                    central: fromCentral!.version,
                    device: INDICATORS_VERSION,
                  })}
                </p>
                <ul>
                  {changes.map((c) => (
                    <li key={c}>{c}</li>
                  ))}
                </ul>
              </div>
            ) : null}
            <p className="muted">{t('indicators.source.version', { version: ind.version })}</p>
          </header>
          {ind.empty ? (
            <section className="panel stack" aria-labelledby="period-empty">
              <h3 id="period-empty">{t('indicators.noData')}</h3>
              <p>{fromCentral?.message ?? t('indicators.noDataText')}</p>
            </section>
          ) : (
            <>
              <div className="actions no-print">
                <button
                  type="button"
                  className="button button--primary"
                  onClick={() => window.print()}
                >
                  {t('indicators.print')}
                </button>
              </div>
              <section className="panel stack" aria-labelledby="period-stops">
                <h3 id="period-stops">{t('coordination.period.stops')}</h3>
                {ind.byStop.length === 0 ? (
                  <p>{t('coordination.period.noStops')}</p>
                ) : (
                  <ul>
                    {ind.byStop.map((s) => (
                      <li key={s.stopId}>
                        {formatBirthDate(s.date)} —{' '}
                        {communeName.get(s.communeInsee) ?? s.communeInsee}
                      </li>
                    ))}
                  </ul>
                )}
              </section>
              <section className="panel stack" aria-labelledby="period-population">
                <h3 id="period-population">{t('coordination.period.population')}</h3>
                <p>
                  {t('coordination.period.noMt', { value: percentText(ind.population.noMtShare) })}
                </p>
                <p>
                  {t('coordination.period.ald', { value: percentText(ind.population.aldShare) })}
                </p>
                <p>
                  {t('coordination.period.newReturning', {
                    new: ind.patientsNewVsReturning.new,
                    returning: ind.patientsNewVsReturning.returning,
                  })}
                </p>
              </section>
              <PeriodReport ind={ind} staff={rows.staff} />
              <section className="stack" aria-labelledby="period-communes">
                <h3 id="period-communes">{t('coordination.period.byCommune')}</h3>
                <FigureTable
                  columns={[
                    t('coordination.period.columns.commune'),
                    t('coordination.period.columns.stops'),
                    t('coordination.period.columns.patients'),
                    t('coordination.period.columns.consultations'),
                  ]}
                  rows={ind.byCommune.map((c) => ({
                    key: c.communeInsee,
                    label: c.communeName,
                    cells: [c.stops, c.patients, c.consultations],
                  }))}
                />
              </section>
              <section className="stack" aria-labelledby="period-services">
                <h3 id="period-services">{t('coordination.period.byService')}</h3>
                <FigureTable
                  columns={[
                    t('coordination.period.columns.service'),
                    t('coordination.period.columns.patients'),
                    t('coordination.period.columns.consultations'),
                  ]}
                  rows={ind.byService.map((x) => ({
                    key: x.serviceId,
                    label: services.get(x.serviceId)?.label ?? x.code ?? x.serviceId,
                    cells: [x.patients, x.consultations],
                  }))}
                />
              </section>
              <section className="stack" aria-labelledby="period-orientations">
                <h3 id="period-orientations">{t('coordination.period.orientations')}</h3>
                <FigureTable
                  columns={[
                    t('coordination.period.columns.kind'),
                    t('coordination.period.columns.count'),
                  ]}
                  rows={Object.entries(ind.orientations.byKind).map(([kind, n]) => ({
                    key: kind,
                    label: t(`consultation.orientation.kinds.${kind as 'none'}`),
                    cells: [n],
                  }))}
                />
              </section>
            </>
          )}
          <section className="panel stack no-print" aria-labelledby="period-exports">
            <h3 id="period-exports">{t('coordination.period.exportsTitle')}</h3>
            {progress ? (
              <ProgressBar
                label={t('coordination.period.exporting')}
                value={progress.done}
                max={progress.total}
                text={t('coordination.period.stepLine', {
                  step: progress.done + 1,
                  total: progress.total,
                  label: progress.label,
                })}
              />
            ) : null}
            <button type="button" className="button" onClick={() => void exportCsv()}>
              {t('coordination.period.exportCsv')}
            </button>
            <h4>{t('coordination.period.fhirTitle')}</h4>
            <p className="muted">{t('coordination.period.fhirHint')}</p>
            {fhirError ? (
              <p role="alert" className="notice notice--error">
                {fhirError}
              </p>
            ) : null}
            <div className="actions">
              <button type="button" className="button" onClick={() => void exportFhir()}>
                {t('coordination.period.exportFhir')}
              </button>
            </div>
            <h4>{t('coordination.period.researchTitle')}</h4>
            <p className="muted">{t('coordination.period.researchHint')}</p>
            <p>
              {recorded
                ? t('coordination.period.research.recorded', { fingerprint: recorded })
                : t('coordination.period.research.none')}
            </p>
            <TextField
              label={t('coordination.period.researchKey')}
              type="password"
              value={key}
              onChange={setKey}
              error={keyError}
              hint={
                typed
                  ? t(
                      mismatch
                        ? 'coordination.period.research.mismatch'
                        : 'coordination.period.research.fingerprint',
                      { fingerprint: typed },
                    )
                  : undefined
              }
              hintTone={mismatch ? 'alert' : undefined}
            />
            <div className="actions">
              <button type="button" className="button" onClick={() => void exportResearch()}>
                {t('coordination.period.exportResearch')}
              </button>
              {mismatch ? (
                <button type="button" className="button" onClick={() => void adoptKey()}>
                  {t('coordination.period.research.adopt')}
                </button>
              ) : null}
            </div>
          </section>
        </>
      ) : null}
    </div>
  );
}
