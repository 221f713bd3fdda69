// The waiting-room screen: tickets only, never names (docs/design.md §2). The model is built from
// queue entries, services and rooms alone — it never receives patients or visits' identities —
// so a name cannot reach the screen by accident.
import type { QueueEntry, Room, Service, Visit } from '../../domain/entities';
import { orderQueue } from '../../domain/queue-order';
import { byId, live } from '../day/day-data';

export interface CalledTicket {
  ticket: string;
  roomName: string | null;
  calledAt: string | null;
}

export interface ServiceTickets {
  serviceId: string;
  label: string;
  tickets: string[];
}

export interface DisplayModel {
  /** Tickets called now, most recent call first. */
  called: CalledTicket[];
  /** Waiting tickets per service, in queue order. */
  waiting: ServiceTickets[];
}

export interface DisplayInput {
  stopId: string | null;
  entries: readonly QueueEntry[];
  services: readonly Service[];
  rooms: readonly Room[];
  /** Only priority flags and arrival are read (queue order); identities are not. */
  visits: readonly Pick<
    Visit,
    'id' | 'arrivedAt' | 'ald' | 'noMt' | 'urgent' | 'appointmentId' | 'mtStatus'
  >[];
}

export function displayModel(input: DisplayInput): DisplayModel {
  const rooms = byId(live(input.rooms));
  const services = byId(live(input.services));
  const entries = live(input.entries).filter((e) => e.stopId === input.stopId);

  const called = entries
    .filter((e) => e.status.status === 'called')
    .sort((a, b) => (b.calledAt ?? '').localeCompare(a.calledAt ?? ''))
    .map((e) => ({
      ticket: e.ticket,
      roomName: e.roomId ? (rooms.get(e.roomId)?.name ?? null) : null,
      calledAt: e.calledAt,
    }));

  // The queue's one order (src/domain/queue-order.ts), as reception and the rooms see it. The
  // display reads no appointments (its profile sees tickets, not bookings): a booked patient's
  // time comes with their ticket (`bookedTime`, set at check-in), and the services' policies
  // with the services.
  const visits = new Map(input.visits.map((v) => [v.id, v as Visit]));
  const ordered = orderQueue(
    entries.filter((e) => e.status.status === 'waiting'),
    { visits, appointments: new Map(), services },
  );
  const groups = new Map<string, string[]>();
  for (const e of ordered) {
    const list = groups.get(e.serviceId);
    if (list) list.push(e.ticket);
    else groups.set(e.serviceId, [e.ticket]);
  }
  const waiting = [...groups]
    .map(([serviceId, tickets]) => ({
      serviceId,
      label: services.get(serviceId)?.label ?? '',
      tickets,
    }))
    .sort((a, b) => a.label.localeCompare(b.label, 'fr'));

  return { called, waiting };
}
