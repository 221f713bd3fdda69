// Clôture de journée (docs/design.md §2): the checklist, bulk ends for what is left, then the sync
// receipt — central's proof, through the relay when there is one — and this device's purge.

import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import {
  beginClosure,
  excuseDevice,
  fetchServerProof,
  localDayProof,
  type PurgeOutcome,
  purgeAfterReceipts,
  retentionDays,
} from '../../device/closure';
import { readConnection, startSync } from '../../device/connection';
import { META, setMeta } from '../../device/db';
import { prunedAt } from '../../device/horizon';
import { unsentCounts } from '../../device/set-aside';
import {
  bookedNotYetDue,
  changedSinceReceipt,
  closureChecklist,
  type DeviceCoverage,
  type DeviceSyncState,
  deviceLabel,
  endOfDayStatus,
  isStale,
  type ReceiptRow,
  receiptVerdict,
  type ServerProof,
} from '../../domain/closure';
import { withEffectiveStatus } from '../../domain/day-invariants';
import type { Stop, SyncReceipt } from '../../domain/entities';
import { isToFollow } from '../../domain/orientation';
import { useDb, useNow } from '../data/device-data';
import { useWriter } from '../data/writer';
import { patientName } from '../day/day-data';
import { ActionButton } from '../feedback/ActionButton';
import { ProgressBar } from '../feedback/ProgressBar';
import { SelectField, TextField } from '../forms/fields';
import { formatDateTime, t, tn } from '../i18n';
import { useUiStore } from '../state/ui-store';
import { originLabel } from './audit-text';
import { type OrgRows, useServerDevices } from './coordination-data';
import { contactText, contactTime } from './liveness';

type Status = { tone: 'ok' | 'error'; text: string } | null;

function Message({ status }: { status: Status }) {
  if (!status) return null;
  return (
    <p
      role={status.tone === 'error' ? 'alert' : 'status'}
      className={`notice ${status.tone === 'error' ? 'notice--warning' : 'notice--success'}`}
    >
      {status.text}
    </p>
  );
}

/** The other devices' unsent work, as the sync server last heard it (null: no server answers),
 * named by their name and room, never by id. */
function useDeviceStates(deviceId: string | null, rows: OrgRows): DeviceSyncState[] | null {
  const { state } = useServerDevices();
  if (typeof state !== 'object' || !('devices' in state)) return null;
  const rooms = new Map(rows.rooms.map((r) => [r.id, r.name]));
  const names = new Map(
    state.enrolled.map((e) => [
      e.deviceId,
      deviceLabel(e.name, e.roomId ? rooms.get(e.roomId) : null),
    ]),
  );
  return state.devices.map((d) => ({
    deviceId: d.deviceId,
    name:
      d.deviceId === deviceId
        ? t('coordination.devices.thisDevice', {
            id: names.get(d.deviceId) ?? t('coordination.closure.unnamedDevice'),
          })
        : (names.get(d.deviceId) ?? t('coordination.closure.unnamedDevice')),
    // This device's own outbox is checked locally at the receipt.
    pending: d.deviceId === deviceId ? 0 : d.pending,
    lastSyncAt: d.lastSyncAt,
    lastError: d.lastError,
  }));
}

type ProofState = { proof: ServerProof } | { error: string } | null;

/**
 * The truck's devices for the closure (docs/decisions/0007-closure-coverage.md): begin it, see
 * which device has proved the day since, with its last contact, and excuse one with a reason.
 */
function CoveragePanel({
  stop,
  proof,
  setProof,
  now,
}: {
  stop: Stop;
  proof: ProofState;
  setProof: (p: ProofState) => void;
  now: number;
}) {
  const db = useDb();
  const write = useWriter();
  const [busy, setBusy] = useState(false);
  const [excusing, setExcusing] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | undefined>();
  const [status, setStatus] = useState<Status>(null);

  // The server's answer may arrive after the screen is gone: it is then dropped.
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const check = async () => {
    if (!db) return;
    setBusy(true);
    let next: Parameters<typeof setProof>[0];
    try {
      const connection = await readConnection(db);
      if (!connection) throw new Error(t('errors.deviceNotConnected'));
      const answer = await fetchServerProof(connection, stop.id, fetch, await prunedAt(db));
      next = answer.ok ? { proof: answer.proof } : { error: answer.message };
    } catch (e) {
      next = { error: (e as Error).message };
    }
    if (!mounted.current) return;
    setProof(next);
    setBusy(false);
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: checked once per stop on opening
  useEffect(() => {
    void check();
  }, [db, stop.id]);

  const begin = async () => {
    if (!db) return;
    setStatus(null);
    const connection = await readConnection(db);
    if (!connection) return setStatus({ tone: 'error', text: t('errors.deviceNotConnected') });
    const answer = await beginClosure(connection, stop.id);
    if (!answer.ok) return setStatus({ tone: 'error', text: answer.message });
    // This device reports its own day with its next sync.
    await (await startSync(db))?.syncNow();
    await check();
  };

  const excuse = async (deviceId: string, name: string) => {
    if (!db) return;
    if (reason.trim().length < 3) {
      setReasonError(t('coordination.closure.excuseMissing'));
      return;
    }
    setReasonError(undefined);
    const connection = await readConnection(db);
    if (!connection) return setStatus({ tone: 'error', text: t('errors.deviceNotConnected') });
    const answer = await excuseDevice(connection, stop.id, deviceId, reason.trim());
    if (!answer.ok) return setStatus({ tone: 'error', text: answer.message });
    await write([], {
      action: 'closure.device_excused',
      entity: 'stop',
      entityId: stop.id,
      detail: `${name} — ${reason.trim()}`,
    });
    setExcusing(null);
    setReason('');
    setStatus({ tone: 'ok', text: t('coordination.closure.excused', { name }) });
    await check();
  };

  const coverage = proof && 'proof' in proof ? proof.proof.coverage : null;
  const contact = (d: DeviceCoverage) => {
    if (d.lastContactAt === null) return t('coordination.devices.neverSynced');
    const base = contactText(d.lastContactAt, now);
    return d.pending && d.pending > 0
      ? `${base}, ${t('coordination.devices.pendingStale', { count: d.pending, time: contactTime(d.lastContactAt, now) })}`
      : base;
  };
  const stateText = (d: DeviceCoverage) => {
    switch (d.state) {
      case 'reported':
        return t('coordination.closure.state.reported', {
          time: contactTime(d.lastContactAt ?? now, now),
        });
      case 'excused':
        return t('coordination.closure.state.excused', { reason: d.excuse?.reason ?? '' });
      case 'never_heard':
        return t('coordination.closure.state.never_heard');
      default:
        return t(`coordination.closure.state.${d.state}`, { contact: contact(d) });
    }
  };
  return (
    <section className="panel stack" aria-labelledby="closure-coverage">
      <h3 id="closure-coverage">{t('coordination.closure.coverageTitle')}</h3>
      <p>{t('coordination.closure.coverageIntro')}</p>
      {proof && 'error' in proof ? (
        <p className="notice notice--warning" role="status">
          {t('coordination.closure.coverageUnknown', { reason: proof.error })}
        </p>
      ) : null}
      {coverage && coverage.startedAt === null ? <p>{t('coordination.closure.notBegun')}</p> : null}
      {coverage && coverage.startedAt !== null ? (
        <p>{t('coordination.closure.begun', { time: contactTime(coverage.startedAt, now) })}</p>
      ) : null}
      {coverage?.startedAt !== null && coverage?.devices.length ? (
        <ul>
          {coverage.devices.map((d) => (
            <li key={d.deviceId}>
              <strong>{d.name}</strong> — {stateText(d)}
              {d.state !== 'reported' && d.state !== 'excused' ? (
                excusing === d.deviceId ? (
                  <div className="stack">
                    <TextField
                      label={t('coordination.closure.excuseReason', { name: d.name })}
                      value={reason}
                      onChange={setReason}
                      error={reasonError}
                    />
                    <div className="actions">
                      <button
                        type="button"
                        className="button"
                        onClick={() => void excuse(d.deviceId, d.name)}
                      >
                        {t('coordination.closure.excuseConfirm')}
                      </button>
                      <button type="button" className="button" onClick={() => setExcusing(null)}>
                        {t('coordination.closure.excuseCancel')}
                      </button>
                    </div>
                  </div>
                ) : (
                  <>
                    {' '}
                    <button
                      type="button"
                      className="button"
                      aria-label={t('coordination.closure.excuseFor', { name: d.name })}
                      onClick={() => {
                        setExcusing(d.deviceId);
                        setReason('');
                      }}
                    >
                      {t('coordination.closure.excuse')}
                    </button>
                  </>
                )
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      <div className="actions">
        {coverage?.startedAt === null ? (
          <button type="button" className="button" disabled={busy} onClick={() => void begin()}>
            {t('coordination.closure.begin')}
          </button>
        ) : null}
        <button type="button" className="button" disabled={busy} onClick={() => void check()}>
          {busy ? t('coordination.closure.checking') : t('coordination.closure.checkDevices')}
        </button>
      </div>
      <Message status={status} />
    </section>
  );
}

function Section({
  title,
  count,
  children,
  action,
}: {
  title: string;
  count: number;
  children?: React.ReactNode;
  /** Shown even once the list is empty: the result of the action stays where it was pressed. */
  action?: React.ReactNode;
}) {
  const id = `closure-${title.replace(/\W+/g, '-')}`;
  return (
    <section className="panel stack" aria-labelledby={id}>
      <h3 id={id}>{t('coordination.closure.count', { title, count })}</h3>
      {count === 0 ? <p className="muted">{t('coordination.closure.empty')}</p> : children}
      {action}
    </section>
  );
}

export function ClosurePage({
  rows,
  stop,
  deviceId,
  today,
}: {
  rows: OrgRows;
  stop: Stop | null;
  deviceId: string | null;
  today: string;
}) {
  const db = useDb();
  const write = useWriter();
  const staffId = useUiStore((s) => s.staffId);
  const devices = useDeviceStates(deviceId, rows);
  const nowIso = useNow();
  const now = Date.parse(nowIso);
  const [proof, setProof] = useState<ProofState>(null);
  const [reopened, setReopened] = useState<ReceiptRow[]>([]);
  const latestReceipt = stop
    ? rows.receipts.filter((r) => r.stopId === stop.id).sort((a, b) => (a.at < b.at ? 1 : -1))[0]
    : undefined;
  // A day synced after its receipt is open again: derived from the receipt's rows against the
  // day as this device now holds it (changedSinceReceipt), recomputed whenever rows change.
  useEffect(() => {
    if (!db || !stop || !latestReceipt) {
      setReopened([]);
      return;
    }
    let live = true;
    // At the receipt's horizon: its row hashes are of that form (decision 0027).
    void localDayProof(db, stop.id, latestReceipt.hz ?? null).then((current) => {
      if (live) setReopened(changedSinceReceipt(latestReceipt, current));
    });
    return () => {
      live = false;
    };
  }, [db, stop, latestReceipt]);
  const [endChoice, setEndChoice] = useState<'leave' | 'cancel'>('leave');
  const [endReason, setEndReason] = useState(t('coordination.closure.endReasonDefault'));
  const [receiptStatus, setReceiptStatus] = useState<Status>(null);
  const [busy, setBusy] = useState(false);

  if (!stop) return <p>{t('coordination.closure.noStop')}</p>;
  const patients = new Map(rows.patients.map((p) => [p.id, p]));
  const visits = new Map(rows.visits.map((v) => [v.id, v]));
  const closure = closureChecklist({
    stop,
    patients: rows.patients,
    appointments: rows.appointments,
    visits: rows.visits,
    // Clinical evidence wins the status (docs/decisions/0004): a patient whose note is signed is
    // not « still in the queue » because nobody clicked « Terminer ».
    entries: withEffectiveStatus({
      visits: rows.visits,
      queueEntries: rows.entries,
      consultations: rows.consultations,
    }),
    consultations: rows.consultations,
    devices: devices ?? [],
    changedSinceReceipt: reopened,
  });
  // Orientations proposed in the day's notes and not yet followed to their outcome.
  const dayNotes = new Set(rows.consultations.filter((c) => c.stopId === stop.id).map((c) => c.id));
  const openOfDay = rows.orientations.filter(
    (o) => o.consultationId !== null && dayNotes.has(o.consultationId) && isToFollow(o),
  ).length;
  const receipts = rows.receipts
    .filter((r) => r.stopId === stop.id)
    .sort((a, b) => (a.at < b.at ? 1 : -1));
  const nameOfPatient = (id: string) => {
    const p = patients.get(id);
    return p ? patientName(p) : t('day.unknownPatient');
  };

  const notYetDue = bookedNotYetDue(rows.appointments, stop, nowIso);
  const bookedLeft = closure.notHonoured.filter((a) => a.status === 'booked');
  const endAll = async () => {
    await write(({ now }) => {
      const changes = closure.stillOpen.flatMap((e) => {
        const next = endOfDayStatus(e.status, endChoice);
        return next
          ? [
              {
                entity: 'queueEntry' as const,
                id: e.id,
                set: { status: next, endedAt: now, endReason: endReason.trim() || null },
              },
            ]
          : [];
      });
      return {
        changes,
        // The reason stays on each entry; the audit counts, it holds no free text.
        audit: {
          action: 'closure.end_queue',
          entity: 'stop',
          entityId: stop.id,
          detail: `${endChoice} : ${changes.length}`,
        },
      };
    });
  };

  const markAbsent = async () => {
    const booked = bookedLeft;
    await write(
      booked.map((a) => ({
        entity: 'appointment' as const,
        id: a.id,
        set: { status: 'no_show' as const },
      })),
      {
        action: 'closure.no_shows',
        entity: 'stop',
        entityId: stop.id,
        detail: String(booked.length),
      },
    );
  };

  const askReceipt = async () => {
    if (!db) return;
    if (!staffId) {
      setReceiptStatus({ tone: 'error', text: t('coordination.closure.needStaff') });
      return;
    }
    setBusy(true);
    setReceiptStatus({ tone: 'ok', text: t('coordination.closure.asking') });
    try {
      const connection = await readConnection(db);
      if (!connection) throw new Error(t('errors.deviceNotConnected'));
      const client = await startSync(db);
      await client?.syncNow();
      const answer = await fetchServerProof(connection, stop.id, fetch, await prunedAt(db));
      if (!answer.ok) throw new Error(answer.message);
      // The relay forwarded everything for the proof: sync again so this device learns its ops
      // are durable at central and empties its outbox (docs/protocol.md, Acknowledgement).
      await client?.syncNow();
      // At the proof's horizon (the one this device asked at; decision 0027).
      // What it still has to send: a set-aside op, refused for good and kept, is not.
      const [local, unsent] = await Promise.all([
        localDayProof(db, stop.id, answer.proof.hz ?? null),
        unsentCounts(db),
      ]);
      const pending = unsent.actions;
      setProof({ proof: answer.proof });
      const verdict = receiptVerdict(answer.proof, local, pending);
      if (!verdict.ok) throw new Error(verdict.message);
      const excused = answer.proof.coverage.devices.flatMap((d) =>
        d.excuse ? [{ dev: d.deviceId, name: d.name, reason: d.excuse.reason }] : [],
      );
      await write(({ newId, now }) => {
        const receipt: Omit<SyncReceipt, 'id' | '_deleted'> = {
          orgId: connection.org,
          stopId: stop.id,
          at: now,
          staffId,
          digest: answer.proof.digest,
          via: answer.via,
          devices: answer.proof.devices,
          ...(excused.length ? { excused } : {}),
          ...(answer.proof.hz ? { hz: answer.proof.hz } : {}),
          rows: answer.proof.rows,
        };
        return {
          changes: [
            { entity: 'syncReceipt', id: newId(), insert: receipt },
            { entity: 'stop', id: stop.id, set: { status: 'closed' } },
          ],
          audit: {
            action: 'sync.receipt',
            entity: 'stop',
            entityId: stop.id,
            detail: `${answer.via} ${answer.proof.digest} (${answer.proof.rows.length} lignes)`,
          },
        };
      });
      await client?.syncNow();
      setReceiptStatus(null);
    } catch (error) {
      setReceiptStatus({
        tone: 'error',
        text: t('coordination.closure.refused', { reason: (error as Error).message }),
      });
    } finally {
      setBusy(false);
    }
  };

  const latest = receipts[0];
  return (
    <div className="stack closure">
      <h2>{t('coordination.closure.title')}</h2>
      <p>{t('coordination.closure.intro')}</p>
      {stop.status === 'closed' ? (
        <p className="notice notice--success">{t('coordination.closure.alreadyClosed')}</p>
      ) : null}

      <h3>{t('coordination.closure.blockingTitle')}</h3>
      {closure.blocking.length === 0 ? (
        <p className="notice notice--success">{t('coordination.closure.allClear')}</p>
      ) : null}
      <Section
        title={t('coordination.closure.devicesTitle')}
        count={closure.unsyncedDevices.length}
      >
        <ul>
          {closure.unsyncedDevices.map((d) => (
            <li key={d.deviceId}>
              {d.lastSyncAt !== null && isStale(d.lastSyncAt, now)
                ? t('coordination.closure.devicePendingStale', {
                    name: d.name,
                    count: d.pending,
                    time: contactTime(d.lastSyncAt, now),
                  })
                : t('coordination.closure.devicePending', {
                    name: d.name,
                    count: d.pending,
                    time: d.lastSyncAt === null ? '' : contactTime(d.lastSyncAt, now),
                  })}
            </li>
          ))}
        </ul>
      </Section>
      {devices === null ? (
        <p className="muted">{t('coordination.closure.devicesUnknown')}</p>
      ) : null}
      <CoveragePanel stop={stop} proof={proof} setProof={setProof} now={now} />
      {closure.reopened.length > 0 ? (
        <section className="panel stack" aria-labelledby="closure-reopened">
          <h3 id="closure-reopened">{t('coordination.closure.reopenedTitle')}</h3>
          <p role="alert" className="notice notice--warning">
            {t('coordination.closure.reopened', { count: closure.reopened.length })}
          </p>
        </section>
      ) : null}
      <Section title={t('coordination.closure.unsignedTitle')} count={closure.unsigned.length}>
        <ul>
          {closure.unsigned.map((c) => (
            <li key={c.id}>
              {nameOfPatient(c.patientId)} — {t(`consultation.status.${c.status}`)}{' '}
              <Link to={`/supervision/${c.id}`}>{t('coordination.closure.open')}</Link>
            </li>
          ))}
        </ul>
      </Section>
      <Section title={t('coordination.closure.toValidateTitle')} count={closure.toValidate.length}>
        <ul>
          {closure.toValidate.map((c) => (
            <li key={c.id}>
              {nameOfPatient(c.patientId)}{' '}
              <Link to={`/supervision/${c.id}`}>{t('coordination.closure.open')}</Link>
            </li>
          ))}
        </ul>
      </Section>
      <Section
        title={t('coordination.closure.stillOpenTitle')}
        count={closure.stillOpen.length}
        action={
          <div className="actions">
            <ActionButton
              onAction={endAll}
              disabledReason={
                closure.stillOpen.length === 0 ? t('coordination.closure.nobodyOpen') : null
              }
              success={tn('coordination.closure.ended', closure.stillOpen.length)}
              confirm={{
                title: tn('coordination.closure.confirmEnd.title', closure.stillOpen.length),
                body: (
                  <p>
                    {t(
                      endChoice === 'leave'
                        ? 'coordination.closure.confirmEnd.bodyLeave'
                        : 'coordination.closure.confirmEnd.bodyCancel',
                    )}
                  </p>
                ),
                confirmLabel: t('coordination.closure.confirmEnd.confirm'),
              }}
            >
              {t('coordination.closure.endAll')}
            </ActionButton>
          </div>
        }
      >
        <ul>
          {closure.stillOpen.map((e) => (
            <li key={e.id}>
              {e.ticket} — {nameOfPatient(visits.get(e.visitId)?.patientId ?? '')} —{' '}
              {t(`queueStatus.${e.status.status}`)}
            </li>
          ))}
        </ul>
        <div className="form-grid">
          <SelectField
            label={t('coordination.closure.endAction')}
            value={endChoice}
            onChange={(v) => setEndChoice(v)}
            options={[
              { value: 'leave', label: t('coordination.closure.endLeft') },
              { value: 'cancel', label: t('coordination.closure.endCancelled') },
            ]}
          />
          <TextField
            label={t('coordination.closure.endReason')}
            value={endReason}
            onChange={setEndReason}
          />
        </div>
      </Section>

      <h3>{t('coordination.closure.infoTitle')}</h3>
      <Section
        title={t('coordination.closure.notHonouredTitle')}
        count={closure.notHonoured.length}
        action={
          closure.notHonoured.length > 0 ? (
            <div className="actions">
              <ActionButton
                onAction={markAbsent}
                disabledReason={
                  bookedLeft.length === 0 ? t('coordination.closure.nobodyBooked') : null
                }
                success={tn('coordination.closure.markedAbsent', bookedLeft.length)}
                confirm={{
                  title: tn('coordination.closure.confirmAbsent.title', bookedLeft.length),
                  body: (
                    <>
                      <p>{t('coordination.closure.confirmAbsent.body')}</p>
                      {notYetDue.length > 0 ? (
                        <p className="notice notice--warning">
                          {tn('coordination.closure.confirmAbsent.notYetDue', notYetDue.length, {
                            times: notYetDue.map((a) => a.time).join(', '),
                          })}
                        </p>
                      ) : null}
                    </>
                  ),
                  confirmLabel: t('coordination.closure.confirmAbsent.confirm'),
                }}
              >
                {t('coordination.closure.markAbsent')}
              </ActionButton>
            </div>
          ) : null
        }
      >
        <ul>
          {closure.notHonoured.map((a) => (
            <li key={a.id}>
              {a.time} — {nameOfPatient(a.patientId)} — {t(`appointmentStatus.${a.status}`)}
            </li>
          ))}
        </ul>
      </Section>
      <Section
        title={t('coordination.closure.provisionalTitle')}
        count={closure.provisional.length}
      >
        <ul>
          {closure.provisional.map((p) => (
            <li key={p.id}>
              {patientName(p)}{' '}
              <Link
                to={`/coordination/patient/${p.id}`}
                aria-label={t('identity.qualifyFor', { name: patientName(p) })}
              >
                {t('identity.qualify.title')}
              </Link>
            </li>
          ))}
        </ul>
      </Section>
      <Section
        title={t('coordination.closure.orientationsTitle')}
        count={closure.orientations.length}
        action={
          // The orientations themselves are followed from the worklist, whatever the notes say.
          <>
            {openOfDay > 0 ? <p>{tn('pathway.closure.open', openOfDay)}</p> : null}
            <p>
              <Link to="/coordination/suivi">{t('pathway.closure.followUp')}</Link>
            </p>
          </>
        }
      >
        <ul>
          {closure.orientations.map((c) => (
            <li key={c.id}>
              {nameOfPatient(c.patientId)} —{' '}
              {t(`consultation.orientation.kinds.${c.orientation.kind}`)}
              {c.orientation.detail ? ` (${c.orientation.detail})` : ''}
              {c.orientation.mtName ? ` (${c.orientation.mtName})` : ''}
            </li>
          ))}
        </ul>
      </Section>

      <section className="panel stack" aria-labelledby="receipt-title">
        <h3 id="receipt-title">{t('coordination.closure.receiptTitle')}</h3>
        {latest && closure.reopened.length === 0 ? (
          <div role="status" className="notice notice--success">
            <p>
              {t('coordination.closure.granted', {
                at: formatDateTime(latest.at),
                digest: latest.digest.slice(0, 12),
              })}
            </p>
            <p>{t(`coordination.closure.via.${latest.via}`)}</p>
            <p>
              {t('coordination.closure.devicesCovered', {
                devices: latest.devices
                  .map(
                    (d) => d.name ?? originLabel(d.dev) ?? t('coordination.closure.unnamedDevice'),
                  )
                  .join(', '),
              })}
            </p>
            {latest.excused?.length ? (
              <p>
                {t('coordination.closure.excusedInReceipt', {
                  devices: latest.excused
                    .map((x) =>
                      t('coordination.closure.excusedLine', { name: x.name, reason: x.reason }),
                    )
                    .join(' ; '),
                })}
              </p>
            ) : null}
          </div>
        ) : null}
        {closure.blocking.length > 0 ? (
          <p className="muted">{t('coordination.closure.blocked')}</p>
        ) : null}
        <Message status={receiptStatus} />
        <button
          type="button"
          className="button button--primary"
          disabled={busy || closure.blocking.length > 0}
          onClick={() => void askReceipt()}
        >
          {t('coordination.closure.askReceipt')}
        </button>
      </section>
      <PurgePanel today={today} />
    </div>
  );
}

function PurgePanel({ today }: { today: string }) {
  const db = useDb();
  const staffId = useUiStore((s) => s.staffId);
  const [days, setDays] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [status, setStatus] = useState<Status>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  useEffect(() => {
    if (db) void retentionDays(db, 'coordination').then((d) => setDays(String(d)));
  }, [db]);
  if (!db) return null;

  const save = async () => {
    const n = Number(days);
    if (!/^\d+$/.test(days.trim()) || n > 3650) {
      setError(t('coordination.closure.retentionError'));
      return;
    }
    setError(undefined);
    await setMeta(db, META.retentionDays, n);
    setStatus({ tone: 'ok', text: t('coordination.closure.retentionSaved') });
  };
  const purge = async () => {
    try {
      const outcome: PurgeOutcome = await purgeAfterReceipts(db, {
        profile: 'coordination',
        today,
        staffId,
        onProgress: (done, total) => setProgress({ done, total }),
      });
      const text =
        outcome.removed === 0
          ? t('coordination.closure.nothingToPurge')
          : `${tn('coordination.closure.purged', outcome.removed)} ${
              outcome.kept.length
                ? t('coordination.closure.purgeKept', { count: outcome.kept.length })
                : ''
            }`;
      setStatus({ tone: 'ok', text });
    } catch (e) {
      setStatus({ tone: 'error', text: (e as Error).message });
    } finally {
      setProgress(null);
    }
  };
  return (
    <section className="panel stack" aria-labelledby="purge-title">
      <h3 id="purge-title">{t('coordination.closure.purgeTitle')}</h3>
      {progress ? (
        <ProgressBar
          label={t('coordination.closure.purging')}
          value={progress.done}
          max={progress.total}
          text={t('coordination.closure.purgeProgress', progress)}
        />
      ) : null}
      <div className="form-grid">
        <TextField
          label={t('coordination.closure.retention')}
          hint={t('coordination.closure.retentionHint')}
          value={days}
          onChange={setDays}
          inputMode="numeric"
          error={error}
        />
      </div>
      <div className="actions">
        <button type="button" className="button" onClick={() => void save()}>
          {t('coordination.closure.saveRetention')}
        </button>
        <button type="button" className="button" onClick={() => void purge()}>
          {t('coordination.closure.purgeNow')}
        </button>
      </div>
      <Message status={status} />
    </section>
  );
}
