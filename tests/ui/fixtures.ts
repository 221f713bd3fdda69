// Today's demo day (the seed the server loads on first start), plus a morning in progress:
// three arrivals waiting for general practice, one called into Box 2, one in the dentist's room.
import type { Patient, QueueEntry, Stop, Visit } from '../../src/domain/entities';
import { statusValue } from '../../src/domain/queue';
import { zonedIso } from '../../src/domain/time';
import { buildDemoDataset } from '../../src/server/seed/demo';
import type { DayData } from '../../src/ui/day/day-data';

export const TODAY = '2026-11-23';
export const NOW = zonedIso(TODAY, '10:00');

export interface DemoDay {
  day: DayData;
  /** Every stop of the round (today's is day.stop). */
  stops: Stop[];
  patients: Patient[];
  /** Patients with a visit today, in arrival order. */
  arrived: Patient[];
  roomId(name: string): string;
  serviceId(code: string): string;
  entries: Record<'waiting1' | 'waiting2' | 'waitingUrgent' | 'called' | 'inDentist', QueueEntry>;
}

export function demoDay(): DemoDay {
  const { data, todayStopId } = buildDemoDataset({ today: TODAY });
  const stop = data.stop.find((s) => s.id === todayStopId)!;
  const roomId = (name: string) => data.room.find((r) => r.name === name)!.id;
  const serviceId = (code: string) => data.service.find((s) => s.code === code)!.id;
  const orgId = stop.orgId;
  const arrived = data.patient.slice(40, 45);
  const visits: Visit[] = [];
  const entries: QueueEntry[] = [];
  const arrive = (
    p: Patient,
    hhmm: string,
    service: string,
    ticket: string,
    status: QueueEntry['status'],
    extra: Partial<Visit> & Partial<QueueEntry> = {},
  ): QueueEntry => {
    const visit: Visit = {
      id: `visit-${ticket}`,
      orgId,
      patientId: p.id,
      stopId: stop.id,
      appointmentId: null,
      arrivedAt: zonedIso(TODAY, hhmm),
      motif: 'Consultation',
      noMt: p.mtStatus === 'none',
      ald: p.ald,
      urgent: extra.urgent ?? false,
      urgentReason: extra.urgentReason ?? null,
    };
    const entry: QueueEntry = {
      id: `entry-${ticket}`,
      orgId,
      visitId: visit.id,
      stopId: stop.id,
      serviceId: serviceId(service),
      position: 0,
      ticket,
      status,
      roomId: extra.roomId ?? null,
      practitionerId: null,
      calledAt: extra.calledAt ?? null,
      startedAt: extra.startedAt ?? null,
      endedAt: null,
      comingFromRoomId: null,
      endReason: null,
    };
    visits.push(visit);
    entries.push(entry);
    return entry;
  };
  const [a, b, c, d, e] = arrived as [Patient, Patient, Patient, Patient, Patient];
  const called = arrive(a, '09:10', 'MG', 'MG-001', statusValue('called'), {
    roomId: roomId('Box 2'),
    calledAt: zonedIso(TODAY, '09:55'),
  });
  const waiting1 = arrive(b, '09:20', 'MG', 'MG-002', statusValue('waiting'));
  const waiting2 = arrive(c, '09:40', 'MG', 'MG-003', statusValue('waiting'));
  const waitingUrgent = arrive(d, '09:50', 'MG', 'MG-004', statusValue('waiting'), {
    urgent: true,
    urgentReason: 'Douleur thoracique',
  });
  const inDentist = arrive(e, '09:15', 'DENT', 'DE-001', statusValue('in_consultation'), {
    roomId: roomId('Salle 4'),
    calledAt: zonedIso(TODAY, '09:40'),
    startedAt: zonedIso(TODAY, '09:42'),
  });
  return {
    day: {
      stop,
      rooms: data.room,
      services: data.service,
      staff: data.staff,
      slots: data.rosterSlot.filter((s) => s.stopId === stop.id),
      appointments: data.appointment.filter((x) => x.stopId === stop.id),
      visits,
      entries,
    },
    stops: data.stop,
    patients: data.patient,
    arrived,
    roomId,
    serviceId,
    entries: { waiting1, waiting2, waitingUrgent, called, inDentist },
  };
}
