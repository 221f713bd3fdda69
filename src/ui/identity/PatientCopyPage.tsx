// The patient's copy of their record (right of access; src/domain/patient-copy.ts), made by the
// coordinating doctor on the coordination's device: printed (A4, the print stylesheet hides the
// app around it) or saved as a machine-readable file. Each copy given is journalled with counts.
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { patientCopyOf } from '../../device/patient-copy-queries';
import { wallClock } from '../../device/stamp';
import { DOCUMENT_TITLES } from '../../domain/documents';
import { copyAuditDetail, type PatientCopy } from '../../domain/patient-copy';
import { downloadText } from '../coordination/download';
import { useDb } from '../data/device-data';
import { useWriter } from '../data/writer';
import { formatBirthDate, formatDate, formatDateTime, formatNumber, t } from '../i18n';
import { useUiStore } from '../state/ui-store';

const TRAITS = [
  'birthName',
  'usedName',
  'firstNames',
  'usedFirstName',
  'sex',
  'birthDate',
  'birthPlaceCode',
  'nir',
  'identityStatus',
  'phone',
  'email',
  'address',
  'communeInsee',
  'mtStatus',
  'mtName',
  'ald',
] as const;

function traitText(key: (typeof TRAITS)[number], value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (key === 'sex') return t(`identity.sexes.${value as 'F'}`);
  if (key === 'birthDate') return formatBirthDate(String(value));
  if (key === 'identityStatus') return t(`identity.statuses.${value as 'provisoire'}`);
  if (key === 'mtStatus') return t(`reception.checkin.mt.${value as 'none'}`);
  if (key === 'ald') return value ? t('patientCopy.yes') : t('patientCopy.no');
  return String(value);
}

const VITALS = [
  'systolic',
  'diastolic',
  'heartRate',
  'temperature',
  'spo2',
  'weightKg',
  'heightCm',
  'glycaemia',
] as const;

function vitalsText(v: Record<string, number | string | null>): string {
  return VITALS.filter((k) => typeof v[k] === 'number')
    .map((k) => t(`patientCopy.vitalUnits.${k}`, { value: formatNumber(v[k] as number) }))
    .join(', ');
}

export function PatientCopyRoute({ backTo }: { backTo: string }) {
  const { patientId } = useParams();
  const db = useDb();
  const staffId = useUiStore((s) => s.staffId);
  const write = useWriter();
  const [copy, setCopy] = useState<PatientCopy | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);

  useEffect(() => {
    if (!db || !patientId) return;
    let live = true;
    patientCopyOf(db, patientId, staffId, wallClock.iso()).then(
      (made) => live && setCopy(made),
      (e: unknown) => live && setError((e as Error).message),
    );
    return () => {
      live = false;
    };
  }, [db, patientId, staffId]);

  const give = async (how: 'printed' | 'file') => {
    if (!copy || !patientId) return;
    await write([], {
      action: 'record.copy_given',
      entity: 'patient',
      entityId: patientId,
      detail: `${copyAuditDetail(copy)} (${t(`patientCopy.how.${how}`)})`,
    });
    if (how === 'printed') window.print();
    else {
      downloadText(
        `escale-copie-dossier-${copy.madeAt.slice(0, 10)}.json`,
        `${JSON.stringify(copy, null, 2)}\n`,
        'application/json;charset=utf-8',
      );
    }
    setStatus(t('patientCopy.given', { how: t(`patientCopy.how.${how}`) }));
  };

  if (error) {
    return (
      <div className="stack">
        <p className="notice notice--warning" role="alert">
          {error}
        </p>
        <Link to={`${backTo}/${patientId ?? ''}`} className="button">
          {t('patientCopy.back')}
        </Link>
      </div>
    );
  }
  if (!copy) return <p role="status">{t('patientCopy.loading')}</p>;
  const id = copy.identity as Record<string, unknown>;
  const name = `${String(id.birthName ?? '')} ${String(id.firstNames ?? '')}`.trim();
  return (
    <article className="stack patient-copy" aria-labelledby="copy-title">
      <h2 id="copy-title">{t('patientCopy.title', { name })}</h2>
      <p>{t('patientCopy.made', { date: formatDateTime(copy.madeAt), who: copy.madeBy })}</p>
      <div className="actions no-print">
        <button
          type="button"
          className="button button--primary"
          onClick={() => void give('printed')}
        >
          {t('patientCopy.print')}
        </button>
        <button type="button" className="button" onClick={() => void give('file')}>
          {t('patientCopy.download')}
        </button>
        <Link to={`${backTo}/${patientId ?? ''}`} className="button">
          {t('patientCopy.back')}
        </Link>
      </div>
      {status ? (
        <p className="notice notice--success no-print" role="status">
          {status}
        </p>
      ) : null}
      <section aria-labelledby="copy-identity">
        <h3 id="copy-identity">{t('patientCopy.identity')}</h3>
        <dl className="definition-list">
          {TRAITS.map((k) => (
            <div key={k}>
              <dt>{t(`patientCopy.traits.${k}`)}</dt>
              <dd>{traitText(k, id[k])}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section aria-labelledby="copy-history">
        <h3 id="copy-history">{t('patientCopy.history')}</h3>
        {copy.identityHistory.length === 0 ? <p>{t('patientCopy.none')}</p> : null}
        <ul>
          {copy.identityHistory.map((h) => (
            <li key={`${h.at}-${h.kind}`}>
              {t('patientCopy.historyLine', {
                date: formatDateTime(h.at),
                who: h.by,
                changes: h.changes
                  .map((c) => `${c.field} : ${c.before ?? '—'} → ${c.after ?? '—'}`)
                  .join(' ; '),
              })}
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="copy-visits">
        <h3 id="copy-visits">{t('patientCopy.visits')}</h3>
        {copy.visits.length === 0 ? <p>{t('patientCopy.none')}</p> : null}
        <ul>
          {copy.visits.map((v) => (
            <li key={v.arrivedAt}>
              {t('patientCopy.visitLine', {
                date: formatDateTime(v.arrivedAt),
                place: v.place ?? t('patientCopy.placeUnknown'),
                motif: v.motif,
              })}
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="copy-notes">
        <h3 id="copy-notes">{t('patientCopy.notes')}</h3>
        {copy.notes.length === 0 ? <p>{t('patientCopy.none')}</p> : null}
        {copy.notes.map((n) => (
          <article key={n.date} className="stack">
            <h4>
              {t('patientCopy.noteTitle', {
                date: formatDateTime(n.date),
                service: n.service ?? '—',
                author: n.author,
              })}
            </h4>
            {n.supervisor ? <p>{t('patientCopy.supervisor', { who: n.supervisor })}</p> : null}
            <dl className="definition-list">
              {(['motif', 'subjective', 'objective', 'assessment', 'plan'] as const).map((k) => (
                <div key={k}>
                  <dt>{t(`patientCopy.soap.${k}`)}</dt>
                  <dd>{n[k] || '—'}</dd>
                </div>
              ))}
            </dl>
            {n.codes.length > 0 ? (
              <p>
                {t('patientCopy.codes', {
                  list: n.codes.map((c) => `${c.system} ${c.code} ${c.label}`).join(' · '),
                })}
              </p>
            ) : null}
            {n.vitals.map((v) => (
              <p key={String(v.takenAt)}>
                {t('patientCopy.vitals', {
                  date: formatDateTime(String(v.takenAt)),
                  list: vitalsText(v),
                })}
              </p>
            ))}
            {n.signatures.map((s) => (
              <p key={`${s.kind}-${s.at}`} className="muted">
                {t(
                  s.kind === 'author'
                    ? 'patientCopy.signed'
                    : s.kind === 'supervisor'
                      ? 'patientCopy.validated'
                      : 'patientCopy.returned',
                  { who: s.by, date: formatDateTime(s.at) },
                )}
              </p>
            ))}
            {n.addenda.map((a) => (
              <p key={a.at}>
                {t('patientCopy.addendum', { date: formatDateTime(a.at), who: a.by, text: a.text })}
              </p>
            ))}
          </article>
        ))}
      </section>
      <section aria-labelledby="copy-summary">
        <h3 id="copy-summary">{t('patientCopy.summary')}</h3>
        {(
          [
            ['problems', (r: Record<string, unknown>) => String(r.label ?? '')],
            [
              'treatments',
              (r: Record<string, unknown>) => `${String(r.name ?? '')} ${String(r.dose ?? '')}`,
            ],
            ['allergies', (r: Record<string, unknown>) => String(r.substance ?? '')],
            [
              'vaccinations',
              (r: Record<string, unknown>) =>
                `${String(r.vaccine ?? '')}${r.date ? `, ${formatDate(`${String(r.date)}T12:00:00Z`)}` : ''}`,
            ],
          ] as const
        ).map(([key, line]) => (
          <div key={key}>
            <h4>{t(`patientCopy.${key}`)}</h4>
            {copy.summary[key].length === 0 ? (
              <p>{t('patientCopy.none')}</p>
            ) : (
              <ul aria-label={t(`patientCopy.${key}`)}>
                {copy.summary[key].map((r) => (
                  <li key={`${key}-${String(r.recordedAt)}-${line(r)}`}>{line(r)}</li>
                ))}
              </ul>
            )}
          </div>
        ))}
      </section>
      <section aria-labelledby="copy-documents">
        <h3 id="copy-documents">{t('patientCopy.documents')}</h3>
        {copy.documents.length === 0 ? <p>{t('patientCopy.none')}</p> : null}
        <ul>
          {copy.documents.map((d) => (
            <li key={`${d.kind}-${d.at}`}>
              {t('patientCopy.documentLine', {
                title: DOCUMENT_TITLES[d.kind as keyof typeof DOCUMENT_TITLES] ?? d.kind,
                date: formatDateTime(d.at),
                who: d.by,
              })}
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="copy-orientations">
        <h3 id="copy-orientations">{t('patientCopy.orientations')}</h3>
        {copy.orientations.length === 0 ? <p>{t('patientCopy.none')}</p> : null}
        <ul>
          {copy.orientations.map((o) => (
            <li key={o.createdAt}>
              {t('patientCopy.orientationLine', {
                date: formatDateTime(o.createdAt),
                target: `${t(`pathway.orientation.targets.${o.target as 'doctor'}`)} ${o.targetName}`,
                state: t(`pathway.orientation.states.${o.state as 'proposed'}`),
              })}
            </li>
          ))}
        </ul>
      </section>
    </article>
  );
}
