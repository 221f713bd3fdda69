// Today's indicators at a glance, from the domain's indicator definitions (docs/design.md §4.4).
import type { Indicators } from '../../domain/indicators';
import { formatNumber, t } from '../i18n';
import { minutesText, percentText } from './figures';

export function TodayIndicators({ ind }: { ind: Indicators }) {
  const items: [string, string][] = [
    [t('coordination.today.patients'), formatNumber(ind.totals.patients)],
    [t('coordination.today.consultations'), formatNumber(ind.totals.consultations)],
    [t('coordination.today.waitMedian'), minutesText(ind.waitingMinutes.median)],
    [t('coordination.today.waitP90'), minutesText(ind.waitingMinutes.p90)],
    [t('coordination.today.noMtShare'), percentText(ind.population.noMtShare)],
    [t('coordination.today.aldShare'), percentText(ind.population.aldShare)],
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
