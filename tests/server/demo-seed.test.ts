import { describe, expect, it } from 'vitest';
import { ENTITY_NAMES, rowSchema } from '../../src/domain/entities';
import { buildDemoDataset } from '../../src/server/seed/demo';

const today = '2026-11-23';

describe('the demo organisation', () => {
  const { data, accounts, todayStopId } = buildDemoDataset({ today });

  it('validates every seeded row against its entity schema', () => {
    for (const name of ENTITY_NAMES) {
      const schema = rowSchema(name);
      for (const row of data[name]) {
        const parsed = schema.safeParse(row);
        expect(parsed.success, `${name} ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
      }
    }
  });

  it('has one truck with Box 1, Box 2, Salle 3 and Salle 4', () => {
    expect(data.unit).toHaveLength(1);
    expect(data.room.map((r) => r.name)).toEqual(['Box 1', 'Box 2', 'Salle 3', 'Salle 4']);
    expect(data.room.map((r) => r.kind)).toEqual(['gp_box', 'gp_box', 'modular', 'modular']);
  });

  it('staffs reception, two supervised interns, their coordinator and visiting professionals', () => {
    const professions = data.staff.map((s) => s.profession).sort();
    expect(professions).toEqual(
      [
        'accueil',
        'assistante_sociale',
        'dentiste',
        'interne',
        'interne',
        'medecin',
        'sage_femme',
      ].sort(),
    );
    const coordinator = data.staff.find((s) => s.roles.includes('coordinateur'))!;
    for (const intern of data.staff.filter((s) => s.profession === 'interne')) {
      expect(intern.supervisorId).toBe(coordinator.id);
    }
    expect(accounts).toHaveLength(data.staff.length);
  });

  it('opens today’s stop with a roster for all four rooms and about fifteen appointments', () => {
    const stop = data.stop.find((s) => s.id === todayStopId)!;
    expect(stop.date).toBe(today);
    expect(stop.status).toBe('open');
    const roomsRostered = new Set(
      data.rosterSlot.filter((s) => s.stopId === todayStopId).map((s) => s.roomId),
    );
    expect(roomsRostered.size).toBe(4);
    const todays = data.appointment.filter((a) => a.stopId === todayStopId);
    expect(todays.length).toBeGreaterThanOrEqual(12);
    expect(todays.length).toBeLessThanOrEqual(20);
  });

  it('tours real communes with INSEE codes and includes returning patients', () => {
    expect(new Set(data.stop.map((s) => s.communeInsee)).size).toBeGreaterThanOrEqual(5);
    const visitsPerPatient = new Map<string, number>();
    for (const v of data.visit)
      visitsPerPatient.set(v.patientId, (visitsPerPatient.get(v.patientId) ?? 0) + 1);
    expect([...visitsPerPatient.values()].some((n) => n >= 2)).toBe(true);
  });

  it('gives every seeded NIR a valid key', () => {
    const withNir = data.patient.filter((p) => p.nir);
    expect(withNir.length).toBeGreaterThan(10);
    for (const p of withNir) {
      const body = BigInt(p.nir!.slice(0, 13));
      expect(Number(p.nir!.slice(13))).toBe(Number(97n - (body % 97n)));
    }
  });

  it('is deterministic for a given day', () => {
    expect(buildDemoDataset({ today }).data).toEqual(data);
  });
});
