// What the reception screen shows (read-only for now): today's stop, the roster per room and
// today's appointments in time order.
import type { Appointment, Patient, Stop } from '../../domain/entities';
import {
  byId,
  type DayData,
  live,
  patientName,
  serviceLabels,
  sortedRooms,
  staffNames,
} from '../day/day-data';

export interface RosterLine {
  start: string;
  end: string;
  services: string[];
  staff: string[];
}

export interface RoomRoster {
  roomId: string;
  roomName: string;
  slots: RosterLine[];
}

export interface AppointmentLine {
  id: string;
  time: string;
  patient: string | null;
  service: string | null;
  status: Appointment['status'];
}

export interface ReceptionModel {
  stop: Stop | null;
  roster: RoomRoster[];
  appointments: AppointmentLine[];
}

export function receptionModel(day: DayData, patients: readonly Patient[]): ReceptionModel {
  const services = byId(live(day.services));
  const staff = byId(live(day.staff));
  const people = byId(live(patients));
  const stopId = day.stop?.id;
  const slots = live(day.slots).filter((s) => s.stopId === stopId);
  const roster = sortedRooms(day.rooms).map((room) => ({
    roomId: room.id,
    roomName: room.name,
    slots: slots
      .filter((s) => s.roomId === room.id)
      .sort((a, b) => a.start.localeCompare(b.start))
      .map((s) => ({
        start: s.start,
        end: s.end,
        services: serviceLabels(s.serviceIds, services),
        staff: staffNames(s.staffIds, staff),
      })),
  }));
  const appointments = live(day.appointments)
    .filter((a) => a.stopId === stopId)
    .sort((a, b) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id))
    .map((a) => {
      const p = people.get(a.patientId);
      return {
        id: a.id,
        time: a.time,
        patient: p ? patientName(p) : null,
        service: services.get(a.serviceId)?.label ?? null,
        status: a.status,
      };
    });
  return { stop: day.stop, roster, appointments };
}
