// Planning the round: a new stop needs a free future date, a commune and sensible hours.
import { describe, expect, it } from 'vitest';
import { stopErrors, stopsAhead } from '../../src/domain/planning';

const ok = {
  date: '2026-12-10',
  communeName: 'Mamers',
  communeInsee: '72180',
  address: 'Place de la République',
  opensAt: '09:00',
  closesAt: '17:00',
};
const today = '2026-11-30';

describe('a new stop', () => {
  it('is accepted with a free future date, a commune and hours in order', () => {
    expect(stopErrors(ok, [], today)).toEqual({});
    expect(stopErrors({ ...ok, communeInsee: '2A004' }, [], today)).toEqual({});
  });

  it('is refused in the past, on a day already taken, or with a malformed date', () => {
    expect(stopErrors({ ...ok, date: '2026-11-01' }, [], today).date).toBe('past');
    expect(stopErrors(ok, [{ date: ok.date, status: 'planned' }], today).date).toBe('taken');
    expect(stopErrors(ok, [{ date: ok.date, status: 'cancelled' }], today)).toEqual({});
    expect(stopErrors({ ...ok, date: '10/12/2026' }, [], today).date).toBe('date');
  });

  it('needs a commune, a valid INSEE code and closing after opening', () => {
    expect(
      stopErrors({ ...ok, communeName: ' ', communeInsee: '7218', closesAt: '08:00' }, [], today),
    ).toEqual({
      communeName: 'communeName',
      communeInsee: 'communeInsee',
      closesAt: 'hours',
    });
  });
});

describe('the stops ahead', () => {
  it('are those from today on, in date order', () => {
    const stops = [
      { date: '2026-12-03' },
      { date: '2026-11-29' },
      { date: '2026-11-30' },
      { date: '2026-12-01', _deleted: true },
    ];
    expect(stopsAhead(stops, today).map((s) => s.date)).toEqual(['2026-11-30', '2026-12-03']);
  });
});
