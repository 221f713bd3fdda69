// What a coordinator settles (docs/design.md §5 "nothing is silently lost"): the day's contradictions
// (docs/decisions/0004-day-invariants.md) and the field conflicts of the merge, each as a card
// naming the patient, ticket, service, rooms, devices, people and times in French, with the
// actions that fit. Every action goes through the one write path and is audited.
import { useState } from 'react';
import type { Stamp } from '../../device/stamp';
import type { Change } from '../../device/write';
import { deviceLabel } from '../../domain/closure';
import { canMerge, mergedText, resolutionValue } from '../../domain/conflict-resolution';
import { newAddendum } from '../../domain/consultation';
import type { Contradiction } from '../../domain/day-invariants';
import type { ContradictionAck, Device, EntityName, QueueEntry } from '../../domain/entities';
import { statusValue, transition } from '../../domain/queue';
import type { FieldConflict } from '../../sync/merge';
import { useWriter } from '../data/writer';
import { TextAreaField } from '../forms/fields';
import { t, tn } from '../i18n';
import { useUiStore } from '../state/ui-store';
import {
  conflictTitle,
  conflictValue,
  contradictionTitle,
  type Lookup,
  lookup,
  parallelNoteAddendum,
  settlementLine,
  sideLine,
  versionByline,
} from './conflict-text';
import {
  type ContradictionsView,
  type OrgRows,
  sideKey,
  useConflicts,
  useContradictions,
  useServerDevices,
} from './coordination-data';

function ConflictCard({
  conflict,
  rows,
  names,
}: {
  conflict: FieldConflict;
  rows: OrgRows;
  names: Lookup;
}) {
  const write = useWriter();
  const staffId = useUiStore((s) => s.staffId);
  const [merging, setMerging] = useState(false);
  const [merged, setMerged] = useState(() => mergedText(conflict));
  const [error, setError] = useState<string | null>(null);
  const resolve = async (chosen: unknown) => {
    const value = resolutionValue(conflict, chosen);
    try {
      await write(({ newId, now }) => {
        const changes: Change[] = [];
        if (conflict.kind !== 'duplicate_insert') {
          changes.push({
            entity: conflict.entity as EntityName,
            id: conflict.id,
            set: { [conflict.field]: value },
          } as Change);
        }
        changes.push({
          entity: 'conflictResolution',
          id: newId(),
          insert: {
            orgId: rows.stops[0]?.orgId ?? '',
            at: now,
            staffId: staffId ?? 'inconnu',
            entity: conflict.entity,
            rowId: conflict.id,
            field: conflict.field,
            versions: conflict.versions.map((v) => ({ value: v.value, hlc: v.hlc })),
            chosen: value,
          },
        });
        return {
          changes,
          audit: {
            action: 'conflict.resolved',
            entity: conflict.entity,
            entityId: conflict.id,
            detail: conflict.field,
          },
        };
      });
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <li className="panel stack conflict">
      <h3>{conflictTitle(names, conflict)}</h3>
      <p className="muted">{t(`coordination.conflicts.kinds.${conflict.kind}`)}</p>
      <div className="conflict__versions">
        {conflict.versions.map((v, i) => (
          <div key={v.hlc} className="conflict__version">
            <h4>{t('coordination.conflicts.version', { n: i + 1 })}</h4>
            <p className="conflict__value">{conflictValue(names, conflict.field, v.value)}</p>
            <p className="muted">{versionByline(names, v)}</p>
            <button type="button" className="button" onClick={() => void resolve(v.value)}>
              {t('coordination.conflicts.keep', { n: i + 1 })}
            </button>
          </div>
        ))}
      </div>
      {canMerge(conflict) ? (
        merging ? (
          <div className="stack">
            <TextAreaField
              label={t('coordination.conflicts.mergeLabel')}
              value={merged}
              onChange={setMerged}
              rows={6}
            />
            <button
              type="button"
              className="button button--primary"
              onClick={() => void resolve(merged)}
            >
              {t('coordination.conflicts.saveMerge')}
            </button>
          </div>
        ) : (
          <button type="button" className="button" onClick={() => setMerging(true)}>
            {t('coordination.conflicts.merge')}
          </button>
        )
      ) : null}
      {error ? (
        <p role="alert" className="notice notice--error">
          {error}
        </p>
      ) : null}
    </li>
  );
}

interface Action {
  label: string;
  decision: ContradictionAck['decision'];
  keptConsultationId?: string;
  changes: (stamp: Stamp) => Change[];
}

/** The actions that fit a contradiction; every one ends with the acknowledgement. */
function actionsFor(c: Contradiction, names: Lookup, staffId: string): Action[] {
  const out: Action[] = [];
  const entryOf = (id: string) => names.entry(id);
  if (c.kind === 'two_consultations') {
    for (const side of c.sides) {
      const keptId = side.consultationId;
      if (!keptId) continue;
      out.push({
        label: t('coordination.contradictions.keepNote', {
          who: names.staff(side.staffId),
          room: names.room(side.roomId),
        }),
        decision: 'addendum',
        keptConsultationId: keptId,
        // Nothing typed is dropped: each other note is copied, attributed, into the kept one.
        changes: ({ newId, now }) =>
          c.consultationIds.flatMap((otherId): Change[] => {
            const other = names.consultation(otherId);
            if (otherId === keptId || !other) return [];
            // Hashed and supervised like any addendum (src/domain/consultation.ts): the
            // server refuses one without its hash.
            const { id, ...insert } = newAddendum(
              {
                id: newId(),
                orgId: other.orgId,
                consultationId: keptId,
                at: now,
                text: parallelNoteAddendum(names, other),
              },
              { id: staffId, supervisorId: names.person(staffId)?.supervisorId ?? null },
            );
            return [{ entity: 'addendum', id, insert }];
          }),
      });
    }
  }
  if ((c.kind === 'ended_with_note' || c.kind === 'stale_call') && c.effective) {
    const eff = c.effective;
    const entry = entryOf(eff.queueEntryId);
    const author = c.sides.find((s) => s.consultationId)?.staffId ?? null;
    if (entry) {
      out.push({
        label: t('coordination.contradictions.confirm', {
          status: t(`queueStatus.${eff.status}`),
          room: names.room(eff.roomId),
        }),
        decision: c.kind === 'stale_call' ? 'room_reassigned' : 'status_kept',
        // Re-issued in a new epoch so it outranks the stale end it settles (decision 0001).
        changes: () => [
          {
            entity: 'queueEntry',
            id: entry.id,
            set: {
              status: statusValue(eff.status, entry.status.epoch + 1),
              roomId: eff.roomId,
              ...(author ? { practitionerId: author } : {}),
            },
          },
        ],
      });
    }
  }
  if (c.kind === 'patient_in_two_rooms' || c.kind === 'room_two_patients') {
    for (const id of c.queueEntryIds) {
      const entry: QueueEntry | undefined = entryOf(id);
      const next = entry ? transition(entry.status, 'requeue') : null;
      if (!entry || !next?.ok) continue;
      out.push({
        label: t('coordination.contradictions.requeue', { ticket: entry.ticket }),
        decision: 'status_kept',
        changes: () => [
          {
            entity: 'queueEntry',
            id: entry.id,
            set: { status: next.value, roomId: null, practitionerId: null, calledAt: null },
          },
        ],
      });
    }
  }
  out.push({
    label: t('coordination.contradictions.acknowledge'),
    decision: 'acknowledged',
    changes: () => [],
  });
  return out;
}

function ContradictionCard({
  contradiction: c,
  view,
  names,
  orgId,
}: {
  contradiction: Contradiction;
  view: ContradictionsView;
  names: Lookup;
  orgId: string;
}) {
  const write = useWriter();
  const staffId = useUiStore((s) => s.staffId);
  const [error, setError] = useState<string | null>(null);
  const act = async (action: Action) => {
    if (!staffId) {
      setError(t('coordination.contradictions.needStaff'));
      return;
    }
    try {
      await write((stamp) => ({
        changes: [
          ...action.changes(stamp),
          {
            entity: 'contradictionAck',
            id: stamp.newId(),
            insert: {
              orgId,
              stopId: c.stopId,
              contradictionId: c.id,
              kind: c.kind,
              at: stamp.now,
              staffId,
              decision: action.decision,
              keptConsultationId: action.keptConsultationId ?? null,
            },
          },
        ],
        audit: {
          action: `contradiction.${action.decision}`,
          entity: 'queueEntry',
          entityId: c.queueEntryIds[0] ?? null,
          detail: c.kind,
        },
      }));
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const actions = actionsFor(c, names, staffId ?? '');
  return (
    <li className="panel stack conflict">
      <h3>{contradictionTitle(names, c)}</h3>
      <p>{t(`coordination.contradictions.explain.${c.kind}`)}</p>
      <ul className="stack plain-list">
        {c.sides.map((side) => {
          const key = sideKey(c.id, side);
          const writer = view.writerOfSide.get(key);
          // An entry side is told by whoever wrote its status or room, not by the practitioner.
          const told =
            side.consultationId || !writer?.staffId ? side : { ...side, staffId: writer.staffId };
          return <li key={key}>{sideLine(names, told, writer?.device ?? null)}</li>;
        })}
      </ul>
      <p className="muted">{settlementLine(names, c)}</p>
      <div className="actions">
        {actions.map((a) => (
          <button key={a.label} type="button" className="button" onClick={() => void act(a)}>
            {a.label}
          </button>
        ))}
      </div>
      {error ? (
        <p role="alert" className="notice notice--error">
          {error}
        </p>
      ) : null}
    </li>
  );
}

/**
 * Devices by the names the coordination gave them at enrolment: the replicated rows, and the
 * sync server's list of enrolled devices when it answers (names live in credentials).
 */
function useDeviceNames(rows: OrgRows): Pick<Device, 'id' | 'name'>[] {
  const { state } = useServerDevices();
  const roomName = new Map(rows.rooms.map((r) => [r.id, r.name]));
  const enrolled =
    typeof state === 'object' && 'enrolled' in state
      ? state.enrolled.map((e) => ({
          id: e.deviceId,
          name: deviceLabel(e.name, e.roomId ? roomName.get(e.roomId) : null),
        }))
      : [];
  return [...rows.devices, ...enrolled];
}

export function ConflictsPage({ rows }: { rows: OrgRows }) {
  const view = useConflicts();
  const day = useContradictions();
  const named = useDeviceNames(rows);
  if (view === undefined || day === undefined) return <p role="status">{t('app.loading')}</p>;
  if (view === null || day === null) return null;
  const names = lookup({
    patients: rows.patients,
    visits: rows.visits,
    entries: rows.entries,
    consultations: rows.consultations,
    services: rows.services,
    rooms: rows.rooms,
    staff: rows.staff,
    devices: named,
  });
  const open = day.all.filter((c) => c.open);
  const acknowledged = day.all.length - open.length;
  const orgId = rows.stops[0]?.orgId ?? '';
  return (
    <div className="stack">
      <section className="stack" aria-labelledby="contradictions-title">
        <h2 id="contradictions-title">{t('coordination.contradictions.title')}</h2>
        <p>{t('coordination.contradictions.intro')}</p>
        {open.length === 0 ? (
          <p role="status" className="notice notice--success">
            {t('coordination.contradictions.none')}
          </p>
        ) : (
          <ul className="stack plain-list">
            {open.map((c) => (
              <ContradictionCard
                key={c.id}
                contradiction={c}
                view={day}
                names={names}
                orgId={orgId}
              />
            ))}
          </ul>
        )}
        {acknowledged > 0 ? (
          <p className="muted">
            {tn('coordination.contradictions.acknowledgedCount', acknowledged)}
          </p>
        ) : null}
      </section>
      <section className="stack" aria-labelledby="conflicts-title">
        <h2 id="conflicts-title">{t('coordination.conflicts.title')}</h2>
        <p>{t('coordination.conflicts.intro')}</p>
        {view.open.length === 0 ? (
          <p role="status" className="notice notice--success">
            {t('coordination.conflicts.none')}
          </p>
        ) : (
          <ul className="stack plain-list">
            {view.open.map((c) => (
              <ConflictCard
                key={`${c.entity}/${c.id}/${c.field}`}
                conflict={c}
                rows={rows}
                names={names}
              />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
