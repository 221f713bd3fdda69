// The audit log (docs/design.md §6): logins, reads of consultations, writes, exports, purges and
// conflict resolutions, append-only and replicated; the coordinator filters it.
import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import { type AuditFilter, auditActions, filterAudit } from '../../domain/audit';
import { useDb } from '../data/device-data';
import { staffName } from '../day/day-data';
import { SelectField, TextField } from '../forms/fields';
import { formatDateTime, t, tn } from '../i18n';
import {
  auditActionLabel,
  deviceLabel,
  readableDetail,
  recordLabel,
  recordNames,
} from './audit-text';
import type { OrgRows } from './coordination-data';

const SHOWN = 200;

export function AuditPage({ rows }: { rows: OrgRows }) {
  const db = useDb();
  const audit = useLiveQuery(async () => (db ? db.rows('audit').toArray() : []), [db]);
  const [filter, setFilter] = useState<AuditFilter>({});
  if (audit === undefined) return <p role="status">{t('app.loading')}</p>;
  const staff = new Map(rows.staff.map((s) => [s.id, s]));
  const names = recordNames(rows);
  const found = filterAudit(
    audit,
    filter,
    (r) =>
      `${auditActionLabel(r.action)} ${recordLabel(r, names)} ${readableDetail(r.detail, names, r.action)}`,
  );
  const set = (key: keyof AuditFilter) => (value: string) =>
    setFilter({ ...filter, [key]: value || undefined });
  return (
    <section className="stack" aria-labelledby="audit-title">
      <h2 id="audit-title">{t('coordination.audit.title')}</h2>
      <p>{t('coordination.audit.intro')}</p>
      <div className="form-grid">
        <SelectField
          label={t('coordination.audit.action')}
          value={filter.action ?? ''}
          onChange={set('action')}
          options={[
            { value: '', label: t('coordination.audit.all') },
            ...auditActions(audit)
              .map((a) => ({ value: a, label: auditActionLabel(a) }))
              .sort((a, b) => a.label.localeCompare(b.label, 'fr')),
          ]}
        />
        <SelectField
          label={t('coordination.audit.person')}
          value={filter.actorId ?? ''}
          onChange={set('actorId')}
          options={[
            { value: '', label: t('coordination.audit.everyone') },
            ...rows.staff.map((s) => ({ value: s.id, label: staffName(s) })),
          ]}
        />
        <TextField
          label={t('coordination.audit.from')}
          type="date"
          value={filter.from ?? ''}
          onChange={set('from')}
        />
        <TextField
          label={t('coordination.audit.to')}
          type="date"
          value={filter.to ?? ''}
          onChange={set('to')}
        />
        <TextField
          label={t('coordination.audit.text')}
          value={filter.text ?? ''}
          onChange={set('text')}
        />
      </div>
      <p role="status">{tn('coordination.audit.count', found.length)}</p>
      {found.length > 0 ? (
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">{t('coordination.audit.columns.at')}</th>
                <th scope="col">{t('coordination.audit.columns.who')}</th>
                <th scope="col">{t('coordination.audit.columns.device')}</th>
                <th scope="col">{t('coordination.audit.columns.action')}</th>
                <th scope="col">{t('coordination.audit.columns.record')}</th>
                <th scope="col">{t('coordination.audit.columns.detail')}</th>
              </tr>
            </thead>
            <tbody>
              {found.slice(0, SHOWN).map((r) => {
                const who = r.actorId ? staff.get(r.actorId) : undefined;
                return (
                  <tr key={r.id}>
                    <td>{formatDateTime(r.at)}</td>
                    <td>
                      {who
                        ? staffName(who)
                        : r.actorId
                          ? t('coordination.audit.unknownRecord')
                          : t('coordination.audit.nobody')}
                    </td>
                    <td>{deviceLabel(r.deviceId, rows.devices)}</td>
                    <td>{auditActionLabel(r.action)}</td>
                    <td>{recordLabel(r, names)}</td>
                    <td>{readableDetail(r.detail, names, r.action)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {found.length > SHOWN ? (
        <p className="muted">{t('coordination.audit.more', { count: SHOWN })}</p>
      ) : null}
    </section>
  );
}
