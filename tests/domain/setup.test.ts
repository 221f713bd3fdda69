// A new centre's checklist (src/domain/setup.ts): which steps are done, and when the coordination
// opens on it rather than on the live view.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RosterSlot, Staff, Stop } from '../../src/domain/entities';
import { needsSetup, nextStop, type SetupRows, setupSteps } from '../../src/domain/setup';
import { newOrganisation } from '../../src/server/seed/organisation';

let n = 0;
const fresh = newOrganisation({
  name: 'Centre',
  coordinator: { firstName: 'Anne', lastName: 'Le Clerc' },
  id: () => `id-${++n}`,
});
const orgId = fresh.organisation[0]!.id;
const base: SetupRows = {
  units: fresh.unit,
  rooms: fresh.room,
  services: fresh.service,
  stops: [],
  slots: [],
  staff: fresh.staff,
  patients: [],
};
const stop = (id: string, date: string, status: Stop['status'] = 'planned'): Stop => ({
  id,
  orgId,
  unitId: fresh.unit[0]!.id,
  date,
  communeName: 'Mamers',
  communeInsee: '72180',
  address: '',
  opensAt: '08:30',
  closesAt: '17:30',
  status,
});
const reception: Staff = {
  id: 'sophie',
  orgId,
  firstName: 'Sophie',
  lastName: 'Leroy',
  profession: 'accueil',
  roles: ['accueil'],
  supervisorId: null,
  active: true,
};
const slot = (stopId: string): RosterSlot => ({
  id: `slot-${stopId}`,
  orgId,
  stopId,
  roomId: fresh.room[0]!.id,
  start: '08:30',
  end: '12:00',
  serviceIds: [fresh.service[0]!.id],
  staffIds: [fresh.staff[0]!.id],
});
const done = (rows: SetupRows, today = '2026-12-04') =>
  Object.fromEntries(setupSteps(rows, today).map((s) => [s.id, s.done]));

describe('the setup checklist', () => {
  it('shows a centre as org create makes it: truck, rooms and services done, the rest to do', () => {
    expect(done(base)).toEqual({
      truck: true,
      rooms: true,
      services: true,
      stops: false,
      roster: false,
      staff: false,
      patients: false,
    });
    expect(
      setupSteps(base, '2026-12-04')
        .filter((s) => s.optional)
        .map((s) => s.id),
    ).toEqual(['patients']);
    expect(needsSetup(base)).toBe(true);
  });

  it('counts the next stop ahead (not a past or cancelled one) and its roster', () => {
    const rows = {
      ...base,
      stops: [
        stop('past', '2026-11-30'),
        stop('off', '2026-12-05', 'cancelled'),
        stop('next', '2026-12-08'),
      ],
      slots: [slot('past')],
      staff: [...base.staff, reception],
    };
    expect(nextStop(rows.stops, '2026-12-04')?.id).toBe('next');
    expect(done(rows)).toMatchObject({ stops: true, roster: false, staff: true });
    expect(done({ ...rows, slots: [slot('next')] })).toMatchObject({ roster: true });
    expect(needsSetup(rows)).toBe(false);
  });

  it('never sends back a centre that has had a stop and a team, whatever the day (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.date({
            min: new Date('2020-01-01'),
            max: new Date('2030-12-31'),
            noInvalidDate: true,
          }),
          {
            minLength: 1,
            maxLength: 5,
          },
        ),
        (dates) => {
          const rows = {
            ...base,
            stops: dates.map((d, i) => stop(`s${i}`, d.toISOString().slice(0, 10))),
            staff: [...base.staff, reception],
          };
          expect(needsSetup(rows)).toBe(false);
        },
      ),
    );
  });

  it('opens on the checklist while the team is the doctor alone, or has nobody at reception', () => {
    const withStop = { ...base, stops: [stop('next', '2026-12-08')] };
    expect(needsSetup(withStop)).toBe(true);
    expect(
      needsSetup({ ...withStop, staff: [...base.staff, { ...reception, active: false }] }),
    ).toBe(true);
    expect(needsSetup({ ...withStop, staff: [...base.staff, reception] })).toBe(false);
  });
});
