// Usable first (src/sync/usable.ts, docs/decisions/0030-usable-first.md): the first part of a
// snapshot holds what a device needs on its day — every reference row, the rows of the day's
// stop and the rows hanging off them, the patients they name — and nothing of another day; and a
// snapshot in parts reads back as the whole one, whatever rows go first.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { entitySpec, SCHEMA_VERSION } from '../../src/domain/entities';
import { buildDemoDataset } from '../../src/server/seed/demo';
import { rowsToOps } from '../../src/server/seed/ops';
import { materialise, type RowState } from '../../src/sync/merge';
import {
  bodiesOf,
  chunkParts,
  emptyFold,
  foldOf,
  foldOps,
  partMatches,
  partStart,
  snapshotBody,
  snapshotParts,
} from '../../src/sync/snapshot';
import { isDay, REFERENCE_ENTITIES, usableRows } from '../../src/sync/usable';
import { historyArb } from './history';
import { toyRegistry } from './toy-registry';

const TODAY = '2026-11-23';
const { data } = buildDemoDataset({ today: TODAY, now: `${TODAY}T10:00:00Z` });
const ops = rowsToOps('org-demo', 'seed', data, Date.parse(`${TODAY}T06:00:00Z`));
const fold = foldOps(
  emptyFold(),
  ops.map((op, i) => ({ s: i + 1, op })),
  ops.length,
  entitySpec,
  SCHEMA_VERSION,
);
const states = [...fold.states.values()];
const rowOf = new Map(states.map((st) => [st, materialise(st, entitySpec)]));
const stopDates = [...new Set((data.stop ?? []).map((s) => s.date))];
const LINKS = ['stopId', 'visitId', 'queueEntryId', 'consultationId'];

describe('the rows a device needs first on its day', () => {
  it('are the reference rows, the day’s rows and what hangs off them, their patients: no more', () => {
    expect(stopDates.length).toBeGreaterThan(3);
    fc.assert(
      fc.property(fc.constantFrom(...stopDates, '2031-01-01'), (day) => {
        const first = usableRows(states, day, entitySpec);
        const ids = new Set(
          [...first]
            .filter(
              (st) =>
                (st.e !== 'patient' && !REFERENCE_ENTITIES.has(st.e)) ||
                (st.e === 'stop' &&
                  rowOf.get(st)!.date === day &&
                  rowOf.get(st)!._deleted !== true),
            )
            .map((st) => st.id),
        );
        const named = new Set(
          [...first].map((st) => rowOf.get(st)!.patientId).filter((x) => typeof x === 'string'),
        );
        for (const st of states) {
          const row = rowOf.get(st)!;
          const linked = LINKS.some((f) => ids.has(row[f] as string));
          if (REFERENCE_ENTITIES.has(st.e)) expect(first.has(st)).toBe(true);
          else if (st.e === 'patient') expect(first.has(st)).toBe(named.has(st.id));
          // A row of the day names a row of the day; any other names none.
          else expect(first.has(st)).toBe(linked);
        }
        return true;
      }),
      { numRuns: stopDates.length + 1 },
    );
  });

  it('on the demo’s day: its stop, roster, queue, visits and their patients, a small part of all', () => {
    const first = usableRows(states, TODAY, entitySpec);
    const stop = (data.stop ?? []).find((s) => s.date === TODAY)!;
    const count = (e: string, pick: (r: Record<string, unknown>) => boolean) =>
      [...first].filter((st) => st.e === e && pick(rowOf.get(st)!)).length;
    for (const e of ['rosterSlot', 'queueEntry', 'visit'] as const) {
      const all = (data[e] ?? []) as { stopId: string }[];
      const expected = all.filter((r) => r.stopId === stop.id).length;
      expect(expected).toBeGreaterThan(0);
      expect(count(e, (r) => r.stopId === stop.id)).toBe(expected);
      expect(count(e, (r) => r.stopId !== stop.id)).toBe(0);
    }
    const visitors = new Set(
      (data.visit ?? []).filter((v) => v.stopId === stop.id).map((v) => v.patientId),
    );
    for (const id of visitors) {
      expect([...first].some((st) => st.e === 'patient' && st.id === id)).toBe(true);
    }
    expect(first.size).toBeLessThan(states.length / 2);
  });

  it('reads a day as the route accepts it', () => {
    expect(isDay('2026-12-05')).toBe(true);
    for (const bad of ['2026-13-01', '2026-12-5', '05/12/2026', '', '2026-12-05T00:00']) {
      expect(isDay(bad)).toBe(false);
    }
  });
});

describe('a snapshot in parts', () => {
  it('reads back as the whole snapshot, whatever rows go first, each part checked alone', () => {
    const meta = { org: 'o', epoch: 'e1', schema: 1 };
    fc.assert(
      fc.property(historyArb, fc.nat(), fc.integer({ min: 16, max: 400 }), (ops, mask, size) => {
        const f = foldOps(
          emptyFold(),
          ops.map((op, i) => ({ s: i + 1, op })),
          ops.length,
          toyRegistry,
          1,
        );
        const all = [...f.states.values()];
        const first = new Set<RowState>(all.filter((_, i) => ((mask >> (i % 30)) & 1) === 1));
        const bodies = snapshotParts(f, meta, first);
        const texts = bodies.map((b) => JSON.stringify(b));
        const cut = chunkParts(
          texts,
          size,
          bodies.map((b) => b.entities.reduce((n, e) => n + e.ids.length, 0)),
        );
        const manifest = {
          id: 'x',
          format: 2,
          seq: f.seq,
          epoch: 'e1',
          schema: 1,
          bytes: cut.bytes,
          sha256: cut.sha256,
          chunks: cut.info,
          parts: cut.parts,
          day: TODAY,
        };
        expect(cut.parts.map((p) => p.rows)).toEqual([first.size, all.length - first.size]);
        cut.parts.forEach((p, k) => {
          const start = partStart(manifest, k);
          expect(partMatches(cut.chunks.slice(start, start + p.chunks), p)).toBe(true);
        });
        const [a, b] = bodiesOf(cut.chunks, manifest);
        const back = foldOf(a!, b!);
        const whole = JSON.stringify(snapshotBody(f, meta));
        expect(JSON.stringify(snapshotBody(back, meta))).toBe(whole);
      }),
      { numRuns: 200 },
    );
  });
});
