// The round ahead (docs/design.md §2): the stops to come with their appointment counts, a new stop,
// cancelling one, and each stop's room roster edited with the same editor reception uses.
import { useState } from 'react';
import type { Stop } from '../../domain/entities';
import { type StopErrors, type StopInput, stopErrors, stopsAhead } from '../../domain/planning';
import type { DayRows } from '../data/device-data';
import { useWriter } from '../data/writer';
import { TextField } from '../forms/fields';
import { formatDate, t, tn } from '../i18n';
import { DayPage } from '../reception/DayPage';
import type { OrgRows } from './coordination-data';

const EMPTY: StopInput = {
  date: '',
  communeName: '',
  communeInsee: '',
  address: '',
  opensAt: '09:00',
  closesAt: '17:00',
};

function message(errors: StopErrors, field: keyof StopErrors): string | undefined {
  const code = errors[field];
  return code ? t(`coordination.planning.errors.${code}`) : undefined;
}

function dayOf(rows: OrgRows, stop: Stop): DayRows {
  const appointments = rows.appointments.filter((a) => a.stopId === stop.id);
  const ids = new Set(appointments.map((a) => a.patientId));
  return {
    day: {
      stop,
      rooms: rows.rooms,
      services: rows.services,
      staff: rows.staff,
      slots: rows.slots.filter((s) => s.stopId === stop.id),
      appointments,
      visits: [],
      entries: [],
    },
    patients: rows.patients.filter((p) => ids.has(p.id)),
  };
}

export function PlanningPage({ rows, today }: { rows: OrgRows; today: string }) {
  const write = useWriter();
  const [input, setInput] = useState<StopInput>(EMPTY);
  const [errors, setErrors] = useState<StopErrors>({});
  const [status, setStatus] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const ahead = stopsAhead(rows.stops, today);
  // A new stop belongs to the truck of the last one, or to the first truck (a new centre has no
  // stop yet: its first is made here).
  const template =
    rows.stops[0] ??
    (rows.units[0] ? { orgId: rows.units[0].orgId, unitId: rows.units[0].id } : undefined);
  const set = (field: keyof StopInput) => (value: string) => setInput({ ...input, [field]: value });

  const create = async (event: React.FormEvent) => {
    event.preventDefault();
    const found = stopErrors(input, rows.stops, today);
    setErrors(found);
    if (Object.keys(found).length > 0 || !template) return;
    try {
      await write(({ newId }) => {
        const id = newId();
        return {
          changes: [
            {
              entity: 'stop',
              id,
              set: {
                orgId: template.orgId,
                unitId: template.unitId,
                date: input.date,
                communeName: input.communeName.trim(),
                communeInsee: input.communeInsee.trim(),
                address: input.address.trim(),
                opensAt: input.opensAt,
                closesAt: input.closesAt,
                status: 'planned',
              },
            },
          ],
          audit: { action: 'stop.created', entity: 'stop', entityId: id, detail: input.date },
        };
      });
      setInput(EMPTY);
      setFailure(null);
      setStatus(t('coordination.planning.saved'));
    } catch (e) {
      setFailure((e as Error).message);
    }
  };
  const cancel = async (stop: Stop) => {
    try {
      await write([{ entity: 'stop', id: stop.id, set: { status: 'cancelled' } }], {
        action: 'stop.cancelled',
        entity: 'stop',
        entityId: stop.id,
        detail: stop.date,
      });
      setStatus(t('coordination.planning.cancelled'));
    } catch (e) {
      setFailure((e as Error).message);
    }
  };
  const open = ahead.find((s) => s.id === openId) ?? null;

  return (
    <div className="stack">
      <h2>{t('coordination.planning.title')}</h2>
      <p>{t('coordination.planning.intro')}</p>
      {status ? (
        <p role="status" className="notice notice--success">
          {status}
        </p>
      ) : null}
      {failure ? (
        <p role="alert" className="notice notice--error">
          {failure}
        </p>
      ) : null}
      {ahead.length === 0 ? <p>{t('coordination.planning.none')}</p> : null}
      <ul className="stack plain-list">
        {ahead.map((s) => {
          const booked = rows.appointments.filter(
            (a) => a.stopId === s.id && a.status === 'booked',
          );
          return (
            <li key={s.id} className="panel stack">
              <h3>
                {t('coordination.planning.stopLine', {
                  date: formatDate(`${s.date}T12:00:00Z`),
                  commune: s.communeName,
                  opens: s.opensAt,
                  closes: s.closesAt,
                })}
              </h3>
              <p className="muted">
                {t('day.stopStatusLabel', { status: t(`day.stopStatus.${s.status}`) })} ·{' '}
                {tn('coordination.planning.appointments', booked.length)}
              </p>
              <div className="actions">
                <button
                  type="button"
                  className="button"
                  aria-expanded={openId === s.id}
                  onClick={() => setOpenId(openId === s.id ? null : s.id)}
                >
                  {t('coordination.planning.roster')}
                </button>
                {s.status === 'planned' ? (
                  <button type="button" className="button" onClick={() => void cancel(s)}>
                    {t('coordination.planning.cancelStop')}
                  </button>
                ) : null}
              </div>
              {open?.id === s.id ? (
                <DayPage rows={dayOf(rows, s)} deviceId={null} withSync={false} />
              ) : null}
            </li>
          );
        })}
      </ul>
      <form className="panel stack" onSubmit={(e) => void create(e)} noValidate>
        <h3>{t('coordination.planning.addStop')}</h3>
        <div className="form-grid">
          <TextField
            label={t('coordination.planning.date')}
            type="date"
            value={input.date}
            onChange={set('date')}
            error={message(errors, 'date')}
            required
          />
          <TextField
            label={t('coordination.planning.communeName')}
            value={input.communeName}
            onChange={set('communeName')}
            error={message(errors, 'communeName')}
            required
          />
          <TextField
            label={t('coordination.planning.communeInsee')}
            value={input.communeInsee}
            onChange={set('communeInsee')}
            error={message(errors, 'communeInsee')}
            inputMode="numeric"
            required
          />
          <TextField
            label={t('coordination.planning.address')}
            value={input.address}
            onChange={set('address')}
          />
          <TextField
            label={t('coordination.planning.opensAt')}
            type="time"
            value={input.opensAt}
            onChange={set('opensAt')}
          />
          <TextField
            label={t('coordination.planning.closesAt')}
            type="time"
            value={input.closesAt}
            onChange={set('closesAt')}
            error={message(errors, 'closesAt')}
          />
        </div>
        <button type="submit" className="button button--primary">
          {t('coordination.planning.save')}
        </button>
      </form>
    </div>
  );
}
