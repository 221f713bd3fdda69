// Notes the room tests start from, written through the device's write path as Box 1 would.
import type { EscaleDb } from '../../src/device/db';
import { writeChanges } from '../../src/device/write';
import type { Consultation, Visit } from '../../src/domain/entities';
import { statusValue } from '../../src/domain/queue';
import { NOW } from './fixtures';
import type { seedDemoDay } from './support';

type Demo = Awaited<ReturnType<typeof seedDemoDay>>;

/**
 * MG-004 (the urgent waiting patient) taken into Box 1 by Thomas Garnier, intern supervised by
 * Hélène Morvan, with a draft note `id` (motif « Toux ») open; `over` changes the note's fields.
 */
export async function openDraftInBox1(
  db: EscaleDb,
  demo: Demo,
  id: string,
  over: Partial<Consultation> = {},
): Promise<Visit> {
  const staffId = (last: string) => demo.day.staff.find((s) => s.lastName === last)!.id;
  const e = demo.entries.waitingUrgent;
  const visit = demo.day.visits.find((v) => v.id === e.visitId)!;
  const org = demo.day.stop!.orgId;
  await writeChanges(db, { deviceId: 'box-1', org }, [
    {
      entity: 'queueEntry',
      id: e.id,
      set: { status: statusValue('in_consultation'), roomId: demo.roomId('Box 1'), startedAt: NOW },
    },
    {
      entity: 'consultation',
      id,
      set: {
        orgId: org,
        queueEntryId: e.id,
        visitId: visit.id,
        patientId: visit.patientId,
        stopId: e.stopId,
        serviceId: e.serviceId,
        authorId: staffId('Garnier'),
        supervisorId: staffId('Morvan'),
        motif: 'Toux',
        subjective: '',
        objective: '',
        assessment: '',
        plan: '',
        codes: [],
        orientation: { kind: 'none' },
        confidentiality: 'standard',
        status: 'draft',
        returnComment: null,
        createdAt: NOW,
        ...over,
      },
    },
  ]);
  return visit;
}
