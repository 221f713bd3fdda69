// What reception changes, each through the one write path with its audit event in the same
// transaction. The rules (transitions, tickets, moves, check-in plans) are the domain's.
import { useMemo } from 'react';
import { v7 as uuidv7 } from 'uuid';
import type { Change } from '../../device/write';
import { type CheckInInput, planCheckIn, planServiceMove } from '../../domain/checkin';
import type { Appointment, Patient, QueueEntry, Service, Visit } from '../../domain/entities';
import { transition } from '../../domain/queue';
import { useWriter } from '../data/writer';
import { useUiStore } from '../state/ui-store';
import type { ReceptionAction } from './board-model';

export interface ReceptionActions {
  /** Creates a patient; returns its id. */
  register(fields: Omit<Patient, 'id' | '_deleted'>, suspects: string[]): Promise<string>;
  /** Records that reception opened a suspected duplicate instead of creating a new identity. */
  openedDuplicate(patientId: string, candidate: string): Promise<void>;
  checkIn(
    input: CheckInInput,
    services: readonly Service[],
    stopEntries: readonly QueueEntry[],
  ): Promise<{ visitId: string; tickets: string[] }>;
  endEntry(entry: QueueEntry, action: ReceptionAction, reason: string): Promise<void>;
  setUrgent(visit: Visit, urgent: boolean, reason: string): Promise<void>;
  moveEntry(entry: QueueEntry, target: Service, stopEntries: readonly QueueEntry[]): Promise<void>;
  setAppointmentStatus(appointment: Appointment, status: Appointment['status']): Promise<void>;
  book(fields: Omit<Appointment, 'id' | '_deleted'>): Promise<string>;
}

export function useReceptionActions(deviceId: string | null): ReceptionActions {
  const write = useWriter();
  const staffId = useUiStore((s) => s.staffId);
  return useMemo<ReceptionActions>(
    () => ({
      async register(fields, suspects) {
        const id = uuidv7();
        const row: Omit<Patient, 'id' | '_deleted'> =
          suspects.length > 0
            ? {
                ...fields,
                duplicateDecision: {
                  suspects,
                  choice: 'created_anyway',
                  by: staffId ?? deviceId ?? 'inconnu',
                },
              }
            : fields;
        await write([{ entity: 'patient', id, set: row }], {
          action: suspects.length > 0 ? 'patient.created_despite_duplicates' : 'patient.created',
          entity: 'patient',
          entityId: id,
          detail: suspects.length > 0 ? suspects.join(',') : null,
        });
        return id;
      },

      async openedDuplicate(patientId, candidate) {
        await write([], {
          action: 'patient.duplicate_opened',
          entity: 'patient',
          entityId: patientId,
          detail: `Dossier existant ouvert au lieu de créer « ${candidate} »`,
        });
      },

      async checkIn(input, services, stopEntries) {
        const plan = planCheckIn(input, { services, stopEntries }, new Date().toISOString(), {
          visit: uuidv7(),
          entries: input.serviceIds.map(() => uuidv7()),
        });
        const { id: visitId, ...visit } = plan.visit;
        const changes: Change[] = [{ entity: 'visit', id: visitId, set: visit }];
        for (const { id, ...entry } of plan.entries) {
          changes.push({ entity: 'queueEntry', id, set: entry });
        }
        if (plan.appointment) {
          changes.push({
            entity: 'appointment',
            id: plan.appointment.id,
            set: { status: plan.appointment.status },
          });
        }
        await write(changes, {
          action: 'visit.checked_in',
          entity: 'visit',
          entityId: visitId,
          detail: plan.entries.map((e) => e.ticket).join(','),
        });
        return { visitId, tickets: plan.entries.map((e) => e.ticket) };
      },

      async endEntry(entry, action, reason) {
        const next = transition(entry.status, action);
        if (!next.ok) throw new Error(next.reason);
        const reopened = action === 'reopen';
        await write(
          [
            {
              entity: 'queueEntry',
              id: entry.id,
              set: reopened
                ? {
                    status: next.value,
                    endedAt: null,
                    endReason: null,
                    roomId: null,
                    calledAt: null,
                  }
                : {
                    status: next.value,
                    endedAt: new Date().toISOString(),
                    endReason: reason.trim() === '' ? null : reason.trim(),
                  },
            },
          ],
          {
            action: `queue.${action}`,
            entity: 'queueEntry',
            entityId: entry.id,
            detail: reason.trim() === '' ? entry.ticket : `${entry.ticket} : ${reason.trim()}`,
          },
        );
      },

      async setUrgent(visit, urgent, reason) {
        await write(
          [
            {
              entity: 'visit',
              id: visit.id,
              set: { urgent, urgentReason: urgent ? reason.trim() : null },
            },
          ],
          {
            action: urgent ? 'visit.urgent' : 'visit.urgent_removed',
            entity: 'visit',
            entityId: visit.id,
            detail: urgent ? reason.trim() : null,
          },
        );
      },

      async moveEntry(entry, target, stopEntries) {
        const result = planServiceMove(
          entry,
          target,
          stopEntries,
          uuidv7(),
          new Date().toISOString(),
        );
        if (!result.ok) throw new Error(result.reason);
        const { id: newId, ...created } = result.plan.entry;
        const { id: oldId, ...ended } = result.plan.ended;
        await write(
          [
            { entity: 'queueEntry', id: oldId, set: ended },
            { entity: 'queueEntry', id: newId, set: created },
          ],
          {
            action: 'queue.moved',
            entity: 'queueEntry',
            entityId: newId,
            detail: `${entry.ticket} → ${created.ticket}`,
          },
        );
      },

      async setAppointmentStatus(appointment, status) {
        await write([{ entity: 'appointment', id: appointment.id, set: { status } }], {
          action: `appointment.${status}`,
          entity: 'appointment',
          entityId: appointment.id,
          detail: appointment.time,
        });
      },

      async book(fields) {
        const id = uuidv7();
        await write([{ entity: 'appointment', id, set: fields }], {
          action: 'appointment.booked',
          entity: 'appointment',
          entityId: id,
          detail: `${fields.time}`,
        });
        return id;
      },
    }),
    [write, deviceId, staffId],
  );
}
