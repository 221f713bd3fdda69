// The period report for the region and the DMG (issue #17 item 3; docs/indicators.md): the path
// back to a médecin traitant from each patient's first visit, precarity, where patients live,
// delays, activity, prevention, cancelled stops and the end-of-visit questionnaire, as tables
// with two charts. Printable on A4 (the print stylesheet keeps the report alone). The figures
// come from central or, offline, from this device: the page says which above the report.

import type { Staff } from '../../domain/entities';
import type { Indicators, Stats } from '../../domain/indicators';
import { formatBirthDate, formatNumber, t, tn } from '../i18n';
import { CountChart } from './DayCharts';
import { FigureTable } from './FigureTable';
import { percentText } from './figures';

const n = (v: number) => formatNumber(v);
const dash = () => t('coordination.today.none');
const stat = (v: number | null, unit: 'days' | 'hours') =>
  v === null ? dash() : t(`indicators.delays.${unit}`, { value: formatNumber(v) });

export function PeriodReport({ ind, staff }: { ind: Indicators; staff: readonly Staff[] }) {
  const r = ind.reattachment;
  const staffById = new Map(staff.map((s) => [s.id, s]));
  const delayRow = (key: string, label: string, s: Stats, unit: 'days' | 'hours') => ({
    key,
    label,
    cells: [n(s.count), stat(s.median, unit), stat(s.p90, unit)],
  });
  const p = ind.precarity;
  const precarityRows: [string, string, number][] = [
    ['c2s', t('indicators.precarity.c2s'), p.c2s],
    ['ame', t('indicators.precarity.ame'), p.ame],
    ['none', t('indicators.precarity.none'), p.none],
    ['covered', t('indicators.precarity.covered'), p.covered],
    ['unknown', t('indicators.precarity.unknown'), p.unknown],
  ];
  const share = (x: number, of: number) => percentText(of === 0 ? null : x / of);
  return (
    <div className="stack period-report">
      <section className="stack" aria-labelledby="report-reattachment">
        <h3 id="report-reattachment">{t('indicators.reattachment.title')}</h3>
        <p className="muted">{t('indicators.reattachment.intro')}</p>
        <FigureTable
          columns={[
            t('indicators.reattachment.columns.group'),
            t('indicators.reattachment.columns.patients'),
            t('indicators.reattachment.columns.back'),
            t('indicators.reattachment.columns.share'),
          ]}
          rows={[
            {
              key: 'none',
              label: t('indicators.reattachment.none'),
              cells: [n(r.noMt.patients), n(r.noMt.reattached), percentText(r.noMt.share)],
            },
            {
              key: 'ald',
              label: t('indicators.reattachment.aldNone'),
              cells: [n(r.aldNoMt.patients), n(r.aldNoMt.reattached), percentText(r.aldNoMt.share)],
            },
            {
              key: 'unknown',
              label: t('indicators.reattachment.unknown'),
              cells: [
                n(r.unknown.patients),
                n(r.unknown.declaredSince),
                percentText(r.unknown.share),
              ],
            },
            {
              key: 'declared',
              label: t('indicators.reattachment.declared'),
              cells: [n(r.baseline.declared), dash(), dash()],
            },
          ]}
        />
        <p>
          {t('indicators.reattachment.delay', {
            value: stat(r.daysToOutcome.median, 'days'),
          })}
        </p>
        <FigureTable
          columns={[
            t('indicators.reattachment.bySource'),
            t('indicators.reattachment.columns.patients'),
          ]}
          rows={(['orientation', 'patient', 'visit'] as const).map((k) => ({
            key: k,
            label: t(`indicators.reattachment.sources.${k}`),
            cells: [n(r.bySource[k])],
          }))}
        />
        <CountChart
          title={t('indicators.reattachment.chart')}
          bars={[
            { label: t('indicators.reattachment.none'), value: r.noMt.patients },
            { label: t('indicators.reattachment.columns.back'), value: r.noMt.reattached },
          ]}
        />
      </section>

      <section className="stack" aria-labelledby="report-precarity">
        <h3 id="report-precarity">{t('indicators.precarity.title')}</h3>
        <FigureTable
          columns={[
            t('indicators.precarity.column'),
            t('indicators.reattachment.columns.patients'),
            t('indicators.reattachment.columns.share'),
          ]}
          rows={precarityRows.map(([key, label, v]) => ({
            key,
            label,
            cells: [n(v), share(v, p.patients)],
          }))}
        />
        <CountChart
          title={t('indicators.charts.precarity')}
          bars={precarityRows.map(([, label, value]) => ({ label, value }))}
        />
      </section>

      <section className="stack" aria-labelledby="report-home">
        <h3 id="report-home">{t('indicators.home.title')}</h3>
        {ind.byHomeEpci === null ? (
          <p>{t('indicators.home.unavailable')}</p>
        ) : (
          <FigureTable
            columns={[t('indicators.home.column'), t('indicators.reattachment.columns.patients')]}
            rows={ind.byHomeEpci.map((e) => ({
              key: e.epci ?? 'inconnue',
              label: e.name ?? t('indicators.home.unknown'),
              cells: [n(e.patients)],
            }))}
          />
        )}
      </section>

      <section className="stack" aria-labelledby="report-delays">
        <h3 id="report-delays">{t('indicators.delays.title')}</h3>
        <FigureTable
          columns={[
            t('indicators.delays.columns.what'),
            t('indicators.delays.columns.count'),
            t('indicators.delays.columns.median'),
            t('indicators.delays.columns.p90'),
          ]}
          rows={[
            delayRow('lead', t('indicators.delays.lead'), ind.appointmentLeadDays, 'days'),
            delayRow(
              'supervision',
              t('indicators.delays.supervision'),
              ind.supervision.hours,
              'hours',
            ),
          ]}
        />
        {ind.supervision.awaiting > 0 ? (
          <p>{tn('indicators.delays.awaiting', ind.supervision.awaiting)}</p>
        ) : null}
      </section>

      <section className="stack" aria-labelledby="report-activity">
        <h3 id="report-activity">{t('indicators.activity.title')}</h3>
        <FigureTable
          columns={[
            t('indicators.activity.columns.who'),
            t('indicators.activity.columns.consultations'),
            t('indicators.activity.columns.patients'),
          ]}
          rows={ind.activity.byProfession.map((a) => ({
            key: a.profession ?? 'inconnue',
            label: a.profession
              ? t(`room.professions.${a.profession}`)
              : t('indicators.activity.unknownProfession'),
            cells: [n(a.consultations), n(a.patients)],
          }))}
        />
        <h4>{t('indicators.activity.interns')}</h4>
        {ind.activity.byIntern.length === 0 ? (
          <p>{t('indicators.activity.noInterns')}</p>
        ) : (
          <FigureTable
            columns={[
              t('indicators.activity.columns.who'),
              t('indicators.activity.columns.consultations'),
              t('indicators.activity.columns.patients'),
            ]}
            rows={ind.activity.byIntern.map((a) => {
              const s = staffById.get(a.staffId);
              return {
                key: a.staffId,
                label: s ? `${s.firstName} ${s.lastName}` : t('indicators.activity.unknownStaff'),
                cells: [n(a.consultations), n(a.patients)],
              };
            })}
          />
        )}
      </section>

      <section className="stack" aria-labelledby="report-prevention">
        <h3 id="report-prevention">{t('indicators.prevention.title')}</h3>
        <p>{t('indicators.prevention.notes', { count: n(ind.prevention.consultations) })}</p>
        <p>
          {t('indicators.prevention.vaccinations', {
            count: n(ind.prevention.vaccinationsGiven),
          })}
        </p>
        <FigureTable
          columns={[
            t('indicators.prevention.column'),
            t('indicators.activity.columns.consultations'),
          ]}
          rows={Object.entries(ind.prevention.byAct).map(([act, v]) => ({
            key: act,
            label: t(`indicators.prevention.acts.${act as 'vaccination'}`),
            cells: [n(v)],
          }))}
        />
      </section>

      <section className="stack" aria-labelledby="report-cancelled">
        <h3 id="report-cancelled">{t('indicators.cancelled.title')}</h3>
        {ind.cancelledStops.count === 0 ? (
          <p>{t('indicators.cancelled.none')}</p>
        ) : (
          <ul>
            {ind.cancelledStops.stops.map((s) => (
              <li key={`${s.date}-${s.communeName}`}>
                {t('indicators.cancelled.line', {
                  date: formatBirthDate(s.date),
                  commune: s.communeName,
                })}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="stack" aria-labelledby="report-questionnaire">
        <h3 id="report-questionnaire">{t('indicators.questionnaire.title')}</h3>
        <p>
          {t('indicators.questionnaire.counts', {
            visits: n(ind.questionnaire.visits),
            answered: n(ind.questionnaire.answered),
            declined: n(ind.questionnaire.declined),
            notAsked: n(ind.questionnaire.notAsked),
          })}
        </p>
        <div className="report-pair">
          <FigureTable
            columns={[
              t('indicators.questionnaire.renunciation'),
              t('indicators.reattachment.columns.patients'),
            ]}
            rows={Object.entries(ind.questionnaire.renunciation).map(([k, v]) => ({
              key: k,
              label: t(`survey.renunciations.${k as 'oui'}`),
              cells: [n(v)],
            }))}
          />
          <FigureTable
            columns={[
              t('indicators.questionnaire.withoutTruck'),
              t('indicators.reattachment.columns.patients'),
            ]}
            rows={Object.entries(ind.questionnaire.withoutTruck).map(([k, v]) => ({
              key: k,
              label: t(`survey.places.${k as 'autre'}`),
              cells: [n(v)],
            }))}
          />
        </div>
      </section>
    </div>
  );
}
