// Priority as the coordination's policy, per service (issue 17 item 1): reserved booking capacity,
// eligibility, and the French refusal of a policy that would make a service unbookable.
import { describe, expect, it } from 'vitest';
import { checkInErrors, planCheckIn } from '../../src/domain/checkin';
import type { PriorityPolicy, RosterSlot, Service, Stop } from '../../src/domain/entities';
import {
  bookableStarts,
  eligibilityRefusal,
  heldStarts,
  isPriorityPatient,
  policyErrors,
  reservationReleased,
} from '../../src/domain/priority';

const policy = (p: Partial<PriorityPolicy> = {}): PriorityPolicy => ({
  queue: 'no_mt',
  reservedSlots: 0,
  reservedUntil: null,
  eligibility: 'all',
  ...p,
});
const mg = (p?: Partial<PriorityPolicy>): Service => ({
  id: 'mg',
  orgId: 'org',
  code: 'MG',
  label: 'Médecine générale',
  ticketPrefix: 'MG',
  typicalMinutes: 30,
  roomKinds: ['gp_box'],
  professions: ['medecin'],
  confidentiality: 'standard',
  priorityPolicy: policy(p),
});
const stop: Stop = {
  id: 'stop',
  orgId: 'org',
  unitId: 'u',
  date: '2026-12-10',
  communeInsee: '72180',
  communeName: 'Mamers',
  address: 'Place',
  opensAt: '09:00',
  closesAt: '12:00',
  status: 'planned',
};
// One room offers the GP from 09:00 to 11:00: four starts of 30 minutes.
const slots: RosterSlot[] = [
  {
    id: 's1',
    orgId: 'org',
    stopId: 'stop',
    roomId: 'box1',
    start: '09:00',
    end: '11:00',
    serviceIds: ['mg'],
    staffIds: [],
  },
];
const before = { date: '2026-12-03', time: '10:00' };

describe('reserved booking capacity', () => {
  it('holds the day’s last starts for priority patients until the set time', () => {
    const services = [mg({ reservedSlots: 2, reservedUntil: '09:00' })];
    const book = (priority: boolean, at = before) =>
      bookableStarts(stop, slots, services, [], 'mg', { priority, at });
    expect(book(false)).toEqual(['09:00', '09:30']);
    expect(book(true)).toEqual(['09:00', '09:30', '10:00', '10:30']);
    // On the stop's day, from the set time, the held starts are open to everyone.
    expect(book(false, { date: '2026-12-10', time: '08:59' })).toEqual(['09:00', '09:30']);
    expect(book(false, { date: '2026-12-10', time: '09:00' })).toEqual([
      '09:00',
      '09:30',
      '10:00',
      '10:30',
    ]);
  });

  it('holds nothing without a reservation, and releases after the stop’s day', () => {
    expect(heldStarts(['09:00', '09:30'], policy())).toEqual(new Set());
    expect(heldStarts(['09:30', '09:00', '10:00'], policy({ reservedSlots: 1 }))).toEqual(
      new Set(['10:00']),
    );
    expect(reservationReleased(policy({ reservedSlots: 1 }), '2026-12-10', before)).toBe(false);
    expect(
      reservationReleased(policy({ reservedSlots: 1 }), '2026-12-10', {
        date: '2026-12-11',
        time: '00:00',
      }),
    ).toBe(true);
  });

  it('counts only a known « sans MT » as priority (ALD without MT only when the policy says so)', () => {
    expect(isPriorityPatient('none', false, policy())).toBe(true);
    expect(isPriorityPatient('unknown', true, policy())).toBe(false);
    expect(isPriorityPatient('declared', true, policy())).toBe(false);
    expect(isPriorityPatient('none', false, policy({ queue: 'ald_no_mt' }))).toBe(false);
    expect(isPriorityPatient('none', true, policy({ queue: 'ald_no_mt' }))).toBe(true);
  });
});

describe('a policy before it is saved', () => {
  const ctx = { stops: [stop], slots, services: [mg()], from: '2026-12-03' };

  it('accepts a reservation that leaves starts to everyone', () => {
    expect(policyErrors(mg(), policy({ reservedSlots: 3, reservedUntil: '10:00' }), ctx)).toEqual(
      {},
    );
  });

  it('refuses, in French, a reservation that would make the service unbookable', () => {
    expect(policyErrors(mg(), policy({ reservedSlots: 4, reservedUntil: '10:00' }), ctx)).toEqual({
      reservedSlots:
        'Cette politique rendrait « Médecine générale » impossible à réserver le jeudi 10 décembre 2026 à Mamers : ses 4 créneaux seraient tous réservés. Réserver au plus 3 créneaux.',
    });
  });

  it('asks until when a reservation holds, and refuses a count that is not a whole number', () => {
    expect(policyErrors(mg(), policy({ reservedSlots: 1 }), ctx).reservedUntil).toMatch(
      /jusqu’à quelle heure/,
    );
    expect(policyErrors(mg(), policy({ reservedSlots: -1 }), ctx).reservedSlots).toMatch(
      /nombre entier/,
    );
    expect(policyErrors(mg(), policy({ reservedSlots: 1.5 }), ctx).reservedSlots).toMatch(
      /nombre entier/,
    );
  });

  it('ignores past and cancelled stops', () => {
    const past = { ...ctx, from: '2026-12-11' };
    expect(policyErrors(mg(), policy({ reservedSlots: 4, reservedUntil: '10:00' }), past)).toEqual(
      {},
    );
    const cancelled = { ...ctx, stops: [{ ...stop, status: 'cancelled' as const }] };
    expect(
      policyErrors(mg(), policy({ reservedSlots: 4, reservedUntil: '10:00' }), cancelled),
    ).toEqual({});
  });
});

describe('eligibility', () => {
  const forNoMt = mg({ eligibility: 'no_mt' });
  it('keeps a service for patients without MT, and says to ask when the MT is unknown', () => {
    expect(eligibilityRefusal(forNoMt, 'none')).toBeNull();
    expect(eligibilityRefusal(forNoMt, 'unknown')).toMatch(/demander d’abord au patient/);
    expect(eligibilityRefusal(forNoMt, 'declared')).toMatch(/ce patient en a un/);
    expect(eligibilityRefusal(mg(), 'declared')).toBeNull();
  });

  it('refuses such a check-in, and records the MT state asked (unknown is not « sans MT »)', () => {
    const input = {
      orgId: 'org',
      stopId: 'stop',
      patientId: 'p',
      appointmentId: null,
      motif: 'Toux',
      serviceIds: ['mg'],
      noMt: true,
      mtStatus: 'unknown' as const,
      ald: true,
      urgent: false,
      urgentReason: '',
    };
    const ctx = { services: [forNoMt], stopEntries: [], visits: [] };
    expect(checkInErrors(input, ctx).serviceIds).toMatch(/réservé aux patients sans médecin/);
    const plan = planCheckIn(input, { services: [mg()], stopEntries: [] }, '2026-12-10T08:00:00Z', {
      visit: 'v',
      entries: ['e'],
    });
    expect(plan.visit).toMatchObject({ mtStatus: 'unknown', noMt: false });
  });

  it('gives the honoured appointment’s time to the ticket of the service booked only', () => {
    const input = {
      orgId: 'org',
      stopId: 'stop',
      patientId: 'p',
      appointmentId: 'a',
      motif: 'Suivi',
      serviceIds: ['mg', 'dep'],
      noMt: false,
      mtStatus: 'declared' as const,
      ald: false,
      urgent: false,
      urgentReason: '',
    };
    const dep = { ...mg(), id: 'dep', ticketPrefix: 'DP', label: 'Dépistage' };
    const plan = planCheckIn(
      input,
      {
        services: [mg(), dep],
        stopEntries: [],
        appointments: [{ id: 'a', serviceId: 'mg', time: '08:30' }],
      },
      '2026-12-10T08:00:00Z',
      { visit: 'v', entries: ['e1', 'e2'] },
    );
    expect(plan.entries.map((e) => e.bookedTime)).toEqual(['08:30', null]);
  });
});
