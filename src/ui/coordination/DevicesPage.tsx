// The organisation's devices (docs/design.md §2, §6; issue 8): enrol a new one with a single-use code
// for one profile (and room); the enrolled devices and what the sync server last heard from each
// — last sync, pending ops, app version and last error — so the coordinator knows which device
// still holds work; a lost device is withdrawn here: it is refused at its next contact and wipes
// itself.
import { useState } from 'react';
import { AccountError, createEnrolmentCode, type EnrolmentProfile } from '../../device/accounts';
import { wallClock } from '../../device/stamp';
import type { DeviceProfile, PartnerService } from '../../domain/entities';
import { PARTNER_SERVICES } from '../../domain/partner-tasks';
import type { DeviceSeen, EnrolledDevice, QuarantinedView } from '../../sync/protocol';
import { useDb, useNow } from '../data/device-data';
import { useWriter } from '../data/writer';
import { sortedRooms } from '../day/day-data';
import { CheckboxField, FieldGroup, SelectField, TextField } from '../forms/fields';
import { formatDateTime, formatTime, t } from '../i18n';
import { profileLabel } from '../shell/profiles';
import { originLabel } from './audit-text';
import { type OrgRows, useServerDevices } from './coordination-data';
import { contactText, pendingText } from './liveness';
import { serviceLabel } from './partner-text';

const ENROL_PROFILES: readonly EnrolmentProfile[] = [
  'reception',
  'room',
  'coordination',
  'display',
  'relay',
  'partner',
];

/** One line of the list: a device enrolled, heard from, or both. */
interface DeviceLine {
  deviceId: string;
  /** The name given at enrolment (null: not enrolled with a code). */
  name: string | null;
  profile: EnrolmentProfile | null;
  roomId: string | null;
  enrolledAt: number | null;
  revoked: boolean;
  seen: DeviceSeen | null;
}

function mergeLines(
  seen: readonly DeviceSeen[],
  enrolled: readonly EnrolledDevice[],
): DeviceLine[] {
  const byId = new Map(enrolled.map((e) => [e.deviceId, e]));
  const lines: DeviceLine[] = seen.map((s) => {
    const e = byId.get(s.deviceId);
    return {
      deviceId: s.deviceId,
      name: e?.name ?? null,
      profile: e?.profile ?? s.profile ?? null,
      roomId: e?.roomId ?? null,
      enrolledAt: e?.enrolledAt ?? null,
      revoked: e?.revoked ?? false,
      seen: s,
    };
  });
  const heard = new Set(seen.map((s) => s.deviceId));
  const waiting = enrolled
    .filter((e) => !heard.has(e.deviceId))
    .sort((a, b) => b.enrolledAt - a.enrolledAt);
  for (const e of waiting) {
    lines.push({
      deviceId: e.deviceId,
      name: e.name,
      profile: e.profile,
      roomId: e.roomId,
      enrolledAt: e.enrolledAt,
      revoked: e.revoked,
      seen: null,
    });
  }
  return lines;
}

/**
 * Its enrolment name. Every device enrolled with a code has one; the server's own events and the
 * first data load are named as such; only a device from before enrolment names is shown by its id
 * (the one thing that tells two of them apart).
 */
const nameOf = (line: Pick<DeviceLine, 'deviceId' | 'name'>) =>
  line.name ?? originLabel(line.deviceId) ?? line.deviceId;

function profileText(line: DeviceLine, rows: OrgRows): string {
  if (!line.profile) return t('coordination.devices.unknownProfile');
  if (line.profile === 'relay' || line.profile === 'partner')
    return t(`coordination.devices.enrol.profiles.${line.profile}`);
  const room = line.roomId ? rows.rooms.find((r) => r.id === line.roomId)?.name : null;
  return profileLabel(line.profile, room);
}

function Withdraw({ line, rows }: { line: DeviceLine; rows: OrgRows }) {
  const write = useWriter();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const known = rows.devices.find((d) => d.id === line.deviceId);
  if (known?.revoked || line.revoked) return <span>{t('coordination.devices.withdrawn')}</span>;
  // The relay is not a device row: withdrawing it is done on the server.
  if (line.profile === 'relay') return <span>{t('day.none')}</span>;
  const name = nameOf(line);
  const withdraw = async () => {
    const orgId = rows.stops[0]?.orgId ?? rows.staff[0]?.orgId ?? '';
    const since = line.enrolledAt ?? line.seen?.lastSyncAt ?? wallClock.ms();
    const profile: DeviceProfile | 'partner' =
      line.profile && line.profile !== 'relay' ? line.profile : 'reception';
    try {
      await write(
        [
          {
            entity: 'device',
            id: line.deviceId,
            set: known
              ? { revoked: true }
              : {
                  orgId,
                  name,
                  profile,
                  roomId: line.roomId,
                  enrolledAt: new Date(since).toISOString(),
                  revoked: true,
                },
          },
        ],
        { action: 'device.revoked', entity: 'device', entityId: line.deviceId },
      );
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <div className="actions">
      {confirming ? (
        <>
          <button type="button" className="button button--danger" onClick={() => void withdraw()}>
            {t('coordination.devices.confirmWithdraw', { id: name })}
          </button>
          <button type="button" className="button" onClick={() => setConfirming(false)}>
            {t('coordination.devices.keep')}
          </button>
        </>
      ) : (
        <button
          type="button"
          className="button"
          aria-label={t('coordination.devices.withdrawFor', { id: name })}
          onClick={() => setConfirming(true)}
        >
          {t('coordination.devices.withdraw')}
        </button>
      )}
      {error ? (
        <span role="alert" className="field__error">
          {error}
        </span>
      ) : null}
    </div>
  );
}

interface Created {
  name: string;
  code: string;
  expiresAt: number;
}

/** A code for a new device: its profile, its room for a room device, and its name. */
function EnrolDevice({ rows }: { rows: OrgRows }) {
  const db = useDb();
  const [profile, setProfile] = useState<EnrolmentProfile>('reception');
  const [roomId, setRoomId] = useState('');
  const [name, setName] = useState('');
  const [services, setServices] = useState<PartnerService[]>([]);
  const [errors, setErrors] = useState<{ room?: string; name?: string; services?: string }>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<Created | null>(null);
  const rooms = sortedRooms(rows.rooms);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!db || busy) return;
    const found: typeof errors = {};
    if (!name.trim()) found.name = t('coordination.devices.enrol.nameMissing');
    if (profile === 'room' && !roomId) found.room = t('coordination.devices.enrol.roomMissing');
    if (profile === 'partner' && services.length === 0) {
      found.services = t('coordination.devices.enrol.servicesMissing');
    }
    setErrors(found);
    setFailure(null);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const answer = await createEnrolmentCode(db, {
        profile,
        roomId: profile === 'room' ? roomId : null,
        name: name.trim(),
        services,
      });
      setCreated({ name: name.trim(), ...answer });
    } catch (e) {
      const reason = e instanceof AccountError ? e.message : (e as Error).message;
      setFailure(t('coordination.devices.enrol.failed', { reason }));
    } finally {
      setBusy(false);
    }
  };

  if (created) {
    const code = created.code.toUpperCase();
    return (
      <section className="panel stack" aria-labelledby="enrol-code-title" aria-live="polite">
        <h3 id="enrol-code-title">
          {t('coordination.devices.enrol.codeTitle', { name: created.name })}
        </h3>
        <p className="enrol-code">
          <span>{code.slice(0, 4)}</span> <span>{code.slice(4)}</span>
        </p>
        <p>
          <strong>
            {t('coordination.devices.enrol.expires', { time: formatTime(created.expiresAt) })}
          </strong>
        </p>
        <p>{t('coordination.devices.enrol.instruction')}</p>
        <button
          type="button"
          className="button"
          onClick={() => {
            setCreated(null);
            setName('');
          }}
        >
          {t('coordination.devices.enrol.another')}
        </button>
      </section>
    );
  }

  return (
    <form
      className="panel stack"
      onSubmit={(e) => void submit(e)}
      noValidate
      aria-labelledby="enrol-title"
    >
      <h3 id="enrol-title">{t('coordination.devices.enrol.title')}</h3>
      <p>{t('coordination.devices.enrol.intro')}</p>
      <div className="form-grid">
        <SelectField
          label={t('coordination.devices.enrol.profile')}
          value={profile}
          onChange={(v: EnrolmentProfile) => setProfile(v)}
          options={ENROL_PROFILES.map((p) => ({
            value: p,
            label: t(`coordination.devices.enrol.profiles.${p}`),
          }))}
          required
        />
        {profile === 'room' ? (
          <SelectField
            label={t('coordination.devices.enrol.room')}
            value={roomId}
            onChange={setRoomId}
            options={[
              { value: '', label: t('coordination.devices.enrol.chooseRoom') },
              ...rooms.map((r) => ({ value: r.id, label: r.name })),
            ]}
            error={errors.room}
            required
          />
        ) : null}
        {profile === 'partner' ? (
          <FieldGroup legend={t('coordination.devices.enrol.services')} error={errors.services}>
            {PARTNER_SERVICES.map((service) => (
              <CheckboxField
                key={service}
                label={serviceLabel(service)}
                checked={services.includes(service)}
                onChange={(on) =>
                  setServices((held) =>
                    on ? [...held, service] : held.filter((s) => s !== service),
                  )
                }
              />
            ))}
          </FieldGroup>
        ) : null}
        <TextField
          label={t('coordination.devices.enrol.name')}
          value={name}
          onChange={setName}
          hint={t('coordination.devices.enrol.nameHint')}
          error={errors.name}
          required
        />
      </div>
      {failure ? (
        <p role="alert" className="notice notice--error">
          {failure}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? t('coordination.devices.enrol.busy') : t('coordination.devices.enrol.submit')}
        </button>
      </div>
    </form>
  );
}

export function DevicesPage({ deviceId, rows }: { deviceId: string | null; rows: OrgRows }) {
  const { state, reload } = useServerDevices();
  const answered = typeof state === 'object' && 'devices' in state ? state : null;
  const lines = answered ? mergeLines(answered.devices, answered.enrolled) : [];
  const now = Date.parse(useNow());
  return (
    <section className="stack" aria-labelledby="devices-title">
      <div className="page-header">
        <h2 id="devices-title">{t('coordination.devices.title')}</h2>
        <button type="button" className="button" onClick={reload}>
          {t('coordination.devices.refresh')}
        </button>
      </div>
      <EnrolDevice rows={rows} />
      <p>{t('coordination.devices.intro')}</p>
      {state === 'loading' ? <p role="status">{t('app.loading')}</p> : null}
      {state === 'unreachable' ? (
        <p role="status" className="notice notice--warning">
          {t('coordination.devices.unreachable')}
        </p>
      ) : null}
      {typeof state === 'object' && 'refused' in state ? (
        <p role="status" className="notice notice--warning">
          {t('coordination.devices.refused', { reason: state.refused })}
        </p>
      ) : null}
      {answered ? (
        <>
          <p className="muted">{t('coordination.devices.server', { server: answered.server })}</p>
          {lines.length === 0 ? (
            <p>{t('coordination.devices.none')}</p>
          ) : (
            <div className="table-scroll">
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col">{t('coordination.devices.columns.device')}</th>
                    <th scope="col">{t('coordination.devices.columns.profile')}</th>
                    <th scope="col">{t('coordination.devices.columns.enrolledAt')}</th>
                    <th scope="col">{t('coordination.devices.columns.lastSync')}</th>
                    <th scope="col">{t('coordination.devices.columns.pending')}</th>
                    <th scope="col">{t('coordination.devices.columns.version')}</th>
                    <th scope="col">{t('coordination.devices.columns.error')}</th>
                    <th scope="col">{t('coordination.devices.columns.withdraw')}</th>
                  </tr>
                </thead>
                <tbody>
                  {lines.map((d) => (
                    <tr key={d.deviceId}>
                      <th scope="row">
                        {d.deviceId === deviceId
                          ? t('coordination.devices.thisDevice', { id: nameOf(d) })
                          : nameOf(d)}
                      </th>
                      <td>{profileText(d, rows)}</td>
                      <td>
                        {d.enrolledAt === null
                          ? t('coordination.devices.notEnrolled')
                          : formatDateTime(d.enrolledAt)}
                      </td>
                      <td>{contactText(d.seen?.lastSyncAt ?? null, now)}</td>
                      <td className={d.seen && d.seen.pending > 0 ? 'text-warning' : undefined}>
                        {d.seen
                          ? pendingText(d.seen.pending, d.seen.lastSyncAt, now)
                          : t('day.none')}
                      </td>
                      <td>{d.seen?.appVersion ?? t('day.none')}</td>
                      <td>
                        {d.seen
                          ? (d.seen.lastError ?? t('coordination.devices.noError'))
                          : t('day.none')}
                      </td>
                      <td>
                        {d.deviceId === deviceId ? (
                          t('day.none')
                        ) : (
                          <Withdraw line={d} rows={rows} />
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Quarantined ops={answered.quarantined} lines={lines} />
        </>
      ) : null}
    </section>
  );
}

/** Ops the server set apart (docs/protocol.md, Quarantine): which device, and why, in French. */
function Quarantined({
  ops,
  lines,
}: {
  ops: readonly QuarantinedView[];
  lines: readonly DeviceLine[];
}) {
  if (ops.length === 0) return null;
  const names = new Map(lines.flatMap((l) => (l.name ? [[l.deviceId, l.name] as const] : [])));
  return (
    <section className="panel stack" aria-labelledby="quarantine-title">
      <h3 id="quarantine-title">{t('coordination.devices.quarantine.title')}</h3>
      <p>{t('coordination.devices.quarantine.intro')}</p>
      <ul>
        {ops.map((q) => (
          <li key={`${q.dev}#${q.seq}`}>
            {t('coordination.devices.quarantine.line', {
              at: formatDateTime(Date.parse(q.at)),
              device:
                q.deviceName ??
                names.get(q.dev) ??
                t('coordination.devices.quarantine.unknownDevice'),
              reason: q.reason,
            })}
          </li>
        ))}
      </ul>
    </section>
  );
}
