// Today's indicators at a glance, from the domain's indicator definitions (DESIGN.md §4.4).
import type { Indicators } from '../../domain/indicators';
import { formatNumber, t } from '../i18n';

const minutes = (v: number | null) =>
  v === null
    ? t('coordination.today.none')
    : t('coordination.today.minutes', { value: formatNumber(Math.round(v)) });
const percent = (v: number | null) =>
  v === null
    ? t('coordination.today.none')
    : t('coordination.today.percent', { value: formatNumber(Math.round(v * 1000) / 10) });

export function TodayIndicators({ ind }: { ind: Indicators }) {
  const items: [string, string][] = [
    [t('coordination.today.patients'), formatNumber(ind.totals.patients)],
    [t('coordination.today.consultations'), formatNumber(ind.totals.consultations)],
    [t('coordination.today.waitMedian'), minutes(ind.waitingMinutes.median)],
    [t('coordination.today.waitP90'), minutes(ind.waitingMinutes.p90)],
    [t('coordination.today.noMtShare'), percent(ind.population.noMtShare)],
    [t('coordination.today.aldShare'), percent(ind.population.aldShare)],
    [t('coordination.today.noShows'), formatNumber(ind.noShows.total)],
    [t('coordination.today.leavers'), formatNumber(ind.leavers.queueEntries)],
  ];
  return (
    <section aria-labelledby="today-indicators-title" className="stack">
      <h2 id="today-indicators-title">{t('coordination.today.title')}</h2>
      <dl className="kpis">
        {items.map(([label, value]) => (
          <div key={label} className="kpi">
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
