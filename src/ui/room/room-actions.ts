// What a consultation room changes: calls, taking a patient in (which opens the note), requeue,
// absent, end of consultation and sending the patient on to another service. Each through the
// one write path with its audit event; the rules are the domain's (transition, canCall, plans).
import { useMemo } from 'react';
import { planTransfer } from '../../domain/checkin';
import type { Consultation, QueueEntry, Service, Staff, Visit } from '../../domain/entities';
import { transition } from '../../domain/queue';
import { canCall, type QueueContext } from '../../domain/queue-order';
import { useWriter } from '../data/writer';
import { t } from '../i18n';

export interface RoomActions {
  call(entry: QueueEntry, entries: readonly QueueEntry[], ctx: QueueContext): Promise<void>;
  /** Takes the patient in and opens their note (draft); returns the note's id. */
  start(
    entry: QueueEntry,
    entries: readonly QueueEntry[],
    ctx: QueueContext,
    visit: Visit | undefined,
    service: Service | undefined,
  ): Promise<string>;
  requeue(entry: QueueEntry): Promise<void>;
  noShow(entry: QueueEntry): Promise<void>;
  finish(entry: QueueEntry): Promise<void>;
  transfer(entry: QueueEntry, target: Service, entries: readonly QueueEntry[]): Promise<void>;
}

export function useRoomActions(roomId: string, staff: Staff | undefined): RoomActions {
  const write = useWriter();
  return useMemo<RoomActions>(() => {
    const step = (entry: QueueEntry, action: Parameters<typeof transition>[1]) => {
      const next = transition(entry.status, action);
      if (!next.ok) throw new Error(next.reason);
      return next.value;
    };
    const audit = (action: string, entry: QueueEntry) => ({
      action,
      entity: 'queueEntry',
      entityId: entry.id,
      detail: entry.ticket,
    });
    return {
      async call(entry, entries, ctx) {
        const check = canCall(roomId, entries, entry, ctx);
        if (!check.ok) throw new Error(check.reason);
        const status = step(entry, 'call');
        await write(
          ({ now }) => [
            {
              entity: 'queueEntry',
              id: entry.id,
              set: { status, roomId, practitionerId: staff?.id ?? null, calledAt: now },
            },
          ],
          audit('queue.call', entry),
        );
      },

      async start(entry, entries, ctx, visit, service) {
        if (!staff) throw new Error(t('room.errors.whoAreYou'));
        if (!visit) throw new Error(t('room.errors.visitMissing'));
        // A waiting patient taken in directly must be callable here; a called one is ours.
        if (entry.status.status === 'waiting') {
          const check = canCall(roomId, entries, entry, ctx);
          if (!check.ok) throw new Error(check.reason);
        } else if (entry.roomId !== roomId) {
          throw new Error(t('room.errors.calledElsewhere', { ticket: entry.ticket }));
        }
        const status = step(entry, 'start');
        let id = '';
        await write(
          ({ newId, now }) => {
            id = newId();
            const note: Omit<Consultation, 'id' | '_deleted'> = {
              orgId: entry.orgId,
              queueEntryId: entry.id,
              visitId: entry.visitId,
              patientId: visit.patientId,
              stopId: entry.stopId,
              serviceId: entry.serviceId,
              authorId: staff.id,
              supervisorId: staff.supervisorId,
              motif: visit.motif,
              subjective: '',
              objective: '',
              assessment: '',
              plan: '',
              codes: [],
              orientation: { kind: 'none' },
              confidentiality: service?.confidentiality ?? 'standard',
              status: 'draft',
              returnComment: null,
              createdAt: now,
              // The note's own room: the clinical evidence that wins the entry's room
              // (docs/decisions/0004) when a stale device later writes another.
              roomId,
            };
            return [
              {
                entity: 'queueEntry',
                id: entry.id,
                set: {
                  status,
                  roomId,
                  practitionerId: staff.id,
                  startedAt: now,
                  ...(entry.calledAt ? {} : { calledAt: now }),
                },
              },
              { entity: 'consultation', id, set: note },
            ];
          },
          audit('queue.start', entry),
        );
        return id;
      },

      async requeue(entry) {
        const status = step(entry, 'requeue');
        await write(
          [
            {
              entity: 'queueEntry',
              id: entry.id,
              set: { status, roomId: null, practitionerId: null, calledAt: null },
            },
          ],
          audit('queue.requeue', entry),
        );
      },

      async noShow(entry) {
        const status = step(entry, 'no_show');
        await write(
          ({ now }) => [
            { entity: 'queueEntry', id: entry.id, set: { status, endedAt: now, endReason: null } },
          ],
          audit('queue.no_show', entry),
        );
      },

      async finish(entry) {
        const status = step(entry, 'finish');
        await write(
          ({ now }) => [{ entity: 'queueEntry', id: entry.id, set: { status, endedAt: now } }],
          audit('queue.finish', entry),
        );
      },

      async transfer(entry, target, entries) {
        await write(({ newId, now }) => {
          const result = planTransfer(entry, target, roomId, entries, newId(), now);
          if (!result.ok) throw new Error(result.reason);
          const { id: oldId, ...ended } = result.plan.ended;
          const { id: createdId, ...created } = result.plan.entry;
          return {
            changes: [
              { entity: 'queueEntry', id: oldId, set: ended },
              { entity: 'queueEntry', id: createdId, set: created },
            ],
            audit: {
              action: 'queue.transfer',
              entity: 'queueEntry',
              entityId: createdId,
              detail: `${entry.ticket} → ${created.ticket}`,
            },
          };
        });
      },
    };
  }, [write, roomId, staff]);
}
