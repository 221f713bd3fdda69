// The day in pictures: a room-occupancy timeline and the waiting-time distribution, drawn with
// Chart.js (loaded only with this screen). Each chart has its data as a table for screen readers.
import type { Chart as ChartType } from 'chart.js';
import { useEffect, useRef } from 'react';
import { formatNumber, t } from '../i18n';
import type { TimelineBar } from './coordination-model';

type Buckets = { from: number; to: number | null; count: number }[];

const hhmm = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

function bucketLabel(b: Buckets[number]): string {
  return b.to === null
    ? t('coordination.charts.bucketOver', { from: b.from })
    : t('coordination.charts.bucket', { from: b.from, to: b.to });
}

/** Draws on a canvas once Chart.js has loaded; the tables beside carry the same data. */
export function useChart(
  draw: (Chart: typeof ChartType, canvas: HTMLCanvasElement) => ChartType,
  /** Redraws when this changes (the serialised data). */
  key: string,
) {
  const ref = useRef<HTMLCanvasElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` is the serialised data `draw` reads
  useEffect(() => {
    let chart: ChartType | null = null;
    let cancelled = false;
    const canvas = ref.current;
    // No canvas context (tests, very old browsers): the data tables stand alone.
    if (!canvas || typeof canvas.getContext !== 'function' || !canvas.getContext('2d')) return;
    void import('chart.js/auto').then(({ default: Chart }) => {
      if (!cancelled) chart = draw(Chart, canvas);
    });
    return () => {
      cancelled = true;
      chart?.destroy();
    };
  }, [key]);
  return ref;
}

export function OccupancyChart({ bars }: { bars: TimelineBar[] }) {
  const rooms = [...new Set(bars.map((b) => b.roomName))];
  const ref = useChart(
    (Chart, canvas) =>
      new Chart(canvas, {
        type: 'bar',
        data: {
          labels: rooms,
          datasets: [
            {
              label: t('coordination.charts.occupancyTitle'),
              data: bars.map((b) => ({ x: [b.start, b.end], y: b.roomName })) as never,
              backgroundColor: '#0b6e4f',
              borderSkipped: false,
            },
          ],
        },
        options: {
          indexAxis: 'y',
          animation: false,
          plugins: { legend: { display: false } },
          scales: {
            x: { ticks: { callback: (v) => hhmm(Number(v)) } },
          },
        },
      }),
    JSON.stringify(bars),
  );
  return (
    <figure className="chart">
      <figcaption>{t('coordination.charts.occupancyTitle')}</figcaption>
      {bars.length === 0 ? (
        <p>{t('coordination.charts.occupancyEmpty')}</p>
      ) : (
        <>
          <div className="chart__canvas">
            <canvas ref={ref} role="img" aria-label={t('coordination.charts.occupancyLabel')} />
          </div>
          <details>
            <summary>{t('coordination.charts.dataTable')}</summary>
            <table className="data-table">
              <caption className="visually-hidden">
                {t('coordination.charts.occupancyLabel')}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{t('coordination.columns.room')}</th>
                  <th scope="col">{t('coordination.charts.time')}</th>
                </tr>
              </thead>
              <tbody>
                {bars.map((b) => (
                  <tr key={`${b.roomId}-${b.ticket}-${b.start}`}>
                    <th scope="row">{b.roomName}</th>
                    <td>
                      {t('coordination.charts.consultation', { ticket: b.ticket })} :{' '}
                      {t('day.timeRange', { start: hhmm(b.start), end: hhmm(b.end) })}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
    </figure>
  );
}

export function WaitChart({ buckets }: { buckets: Buckets }) {
  const total = buckets.reduce((n, b) => n + b.count, 0);
  const ref = useChart(
    (Chart, canvas) =>
      new Chart(canvas, {
        type: 'bar',
        data: {
          labels: buckets.map(bucketLabel),
          datasets: [
            {
              label: t('coordination.charts.patients'),
              data: buckets.map((b) => b.count),
              backgroundColor: '#1f4e8c',
            },
          ],
        },
        options: {
          animation: false,
          plugins: { legend: { display: false } },
          scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        },
      }),
    JSON.stringify(buckets),
  );
  return (
    <figure className="chart">
      <figcaption>{t('coordination.charts.waitTitle')}</figcaption>
      {total === 0 ? (
        <p>{t('coordination.charts.waitEmpty')}</p>
      ) : (
        <>
          <div className="chart__canvas">
            <canvas ref={ref} role="img" aria-label={t('coordination.charts.waitLabel')} />
          </div>
          <details>
            <summary>{t('coordination.charts.dataTable')}</summary>
            <table className="data-table">
              <caption className="visually-hidden">{t('coordination.charts.waitLabel')}</caption>
              <tbody>
                {buckets.map((b) => (
                  <tr key={b.from}>
                    <th scope="row">{bucketLabel(b)}</th>
                    <td>{formatNumber(b.count)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
    </figure>
  );
}

/** Labelled counts as horizontal bars (the period report): the table beside holds the data. */
export function CountChart({
  title,
  bars,
}: {
  title: string;
  bars: { label: string; value: number }[];
}) {
  const ref = useChart(
    (Chart, canvas) =>
      new Chart(canvas, {
        type: 'bar',
        data: {
          labels: bars.map((b) => b.label),
          datasets: [{ label: title, data: bars.map((b) => b.value), backgroundColor: '#0b6e4f' }],
        },
        options: {
          indexAxis: 'y',
          animation: false,
          plugins: { legend: { display: false } },
          scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
        },
      }),
    JSON.stringify(bars),
  );
  if (bars.every((b) => b.value === 0)) return null;
  return (
    <figure className="chart chart--report">
      <figcaption>{title}</figcaption>
      <div className="chart__canvas">
        <canvas ref={ref} role="img" aria-label={title} />
      </div>
    </figure>
  );
}

export default function DayCharts({ bars, buckets }: { bars: TimelineBar[]; buckets: Buckets }) {
  return (
    <div className="charts">
      <OccupancyChart bars={bars} />
      <WaitChart buckets={buckets} />
    </div>
  );
}
