// What reception changes, each through the one write path with its audit event in the same
// transaction. The rules (transitions, tickets, moves, check-in plans) are the domain's.
import { useMemo } from 'react';
import { mtStatusChange } from '../../device/orientation-commands';
import type { Change } from '../../device/write';
import { type CheckInInput, planCheckIn, planServiceMove } from '../../domain/checkin';
import type { Appointment, Patient, QueueEntry, Service, Visit } from '../../domain/entities';
import { transition } from '../../domain/queue';
import { answeredSurvey, declinedSurvey, type SurveyDraft } from '../../domain/survey';
import { useWriter } from '../data/writer';
import { useUiStore } from '../state/ui-store';
import type { ReceptionAction } from './board-model';

export interface ReceptionActions {
  /** Creates a patient; returns its id. */
  register(fields: Omit<Patient, 'id' | '_deleted'>, suspects: string[]): Promise<string>;
  /** Records that reception opened a suspected duplicate instead of creating a new identity. */
  openedDuplicate(patientId: string): Promise<void>;
  checkIn(
    input: CheckInInput,
    services: readonly Service[],
    stopEntries: readonly QueueEntry[],
    day?: { appointments: readonly Appointment[]; patient: Patient },
  ): Promise<{ visitId: string; tickets: string[] }>;
  endEntry(entry: QueueEntry, action: ReceptionAction, reason: string): Promise<void>;
  setUrgent(visit: Visit, urgent: boolean, reason: string): Promise<void>;
  /** The end-of-visit questionnaire, answered (`draft`) or declined (null); never required. */
  recordSurvey(visit: Visit, draft: SurveyDraft | null): Promise<void>;
  moveEntry(entry: QueueEntry, target: Service, stopEntries: readonly QueueEntry[]): Promise<void>;
  setAppointmentStatus(appointment: Appointment, status: Appointment['status']): Promise<void>;
  book(fields: Omit<Appointment, 'id' | '_deleted' | 'createdAt'>): Promise<string>;
}

export function useReceptionActions(deviceId: string | null): ReceptionActions {
  const write = useWriter();
  const staffId = useUiStore((s) => s.staffId);
  return useMemo<ReceptionActions>(
    () => ({
      async register(fields, suspects) {
        let id = '';
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
        await write(({ newId }) => {
          id = newId();
          return {
            changes: [{ entity: 'patient', id, set: row }],
            audit: {
              action:
                suspects.length > 0 ? 'patient.created_despite_duplicates' : 'patient.created',
              entity: 'patient',
              entityId: id,
              detail: suspects.length > 0 ? suspects.join(',') : null,
            },
          };
        });
        return id;
      },

      async openedDuplicate(patientId) {
        // No name in the audit (it is never purged): the record opened is the reference.
        await write([], {
          action: 'patient.duplicate_opened',
          entity: 'patient',
          entityId: patientId,
          detail: null,
        });
      },

      async checkIn(input, services, stopEntries, day) {
        let done = { visitId: '', tickets: [] as string[] };
        await write(({ newId, now }) => {
          const plan = planCheckIn(input, { services, stopEntries, ...day }, now, {
            visit: newId(),
            entries: input.serviceIds.map(() => newId()),
          });
          const { id: visitId, ...visit } = plan.visit;
          const changes: Change[] = [{ entity: 'visit', id: visitId, set: visit }];
          for (const { id, ...entry } of plan.entries) {
            changes.push({ entity: 'queueEntry', id, set: entry });
          }
          // The MT state the patient gave at the desk, when it tells more than the record:
          // dated and sourced « check-in » (an unknown answer never erases a known state).
          const mt = plan.visit.mtStatus;
          if (day && mt && mt !== 'unknown' && mt !== day.patient.mtStatus) {
            changes.push(mtStatusChange(day.patient, mt, day.patient.mtName, 'checkin', now));
          }
          if (plan.appointment) {
            changes.push({
              entity: 'appointment',
              id: plan.appointment.id,
              set: { status: plan.appointment.status },
            });
          }
          done = { visitId, tickets: plan.entries.map((e) => e.ticket) };
          return {
            changes,
            audit: {
              action: 'visit.checked_in',
              entity: 'visit',
              entityId: visitId,
              detail: done.tickets.join(','),
            },
          };
        });
        return done;
      },

      async endEntry(entry, action, reason) {
        const next = transition(entry.status, action);
        if (!next.ok) throw new Error(next.reason);
        const reopened = action === 'reopen';
        await write(
          ({ now }) => [
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
                    endedAt: now,
                    endReason: reason.trim() === '' ? null : reason.trim(),
                  },
            },
          ],
          {
            action: `queue.${action}`,
            entity: 'queueEntry',
            entityId: entry.id,
            // The reason stays on the entry; the audit names the ticket only (no free text).
            detail: entry.ticket,
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
            detail: null,
          },
        );
      },

      async recordSurvey(visit, draft) {
        const by = staffId ?? deviceId ?? 'inconnu';
        await write(({ now }) => {
          const result = draft ? answeredSurvey(draft, now, by) : null;
          if (result && !result.ok) throw new Error(result.reason);
          const survey = result?.ok ? result.survey : declinedSurvey(now, by);
          return {
            changes: [{ entity: 'visit', id: visit.id, set: { survey } }],
            // The answers stay on the visit: the journal says only that it was asked.
            audit: {
              action: survey.answered ? 'visit.survey_answered' : 'visit.survey_declined',
              entity: 'visit',
              entityId: visit.id,
              detail: null,
            },
          };
        });
      },

      async moveEntry(entry, target, stopEntries) {
        await write(({ newId, now }) => {
          const result = planServiceMove(entry, target, stopEntries, newId(), now);
          if (!result.ok) throw new Error(result.reason);
          const { id: createdId, ...created } = result.plan.entry;
          const { id: oldId, ...ended } = result.plan.ended;
          return {
            changes: [
              { entity: 'queueEntry', id: oldId, set: ended },
              { entity: 'queueEntry', id: createdId, set: created },
            ],
            audit: {
              action: 'queue.moved',
              entity: 'queueEntry',
              entityId: createdId,
              detail: `${entry.ticket} → ${created.ticket}`,
            },
          };
        });
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
        let id = '';
        await write(({ newId, now }) => {
          id = newId();
          return {
            changes: [{ entity: 'appointment', id, set: { ...fields, createdAt: now } }],
            audit: {
              action: 'appointment.booked',
              entity: 'appointment',
              entityId: id,
              detail: fields.time,
            },
          };
        });
        return id;
      },
    }),
    [write, deviceId, staffId],
  );
}
