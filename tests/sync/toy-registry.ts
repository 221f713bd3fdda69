// A small registry covering every field kind, so the merge is specified independently of the
// real domain: a mutable `note` (lww plain and clinical, a queue-like status, a set) and an
// immutable `vital` event.
import { z } from 'zod';
import type { EntitySpec, Registry } from '../../src/sync/fields';

export const statusValue = z.object({
  status: z.enum(['waiting', 'called', 'in_consultation', 'done']),
  epoch: z.int().min(0),
  rank: z.int().min(0),
});

export const RANK = { waiting: 0, called: 1, in_consultation: 2, done: 3 } as const;

export const note: EntitySpec = {
  name: 'note',
  fields: {
    title: { kind: 'lww', schema: z.string().max(50) },
    dose: { kind: 'lww', clinical: true, schema: z.int().min(0).max(1000) },
    status: { kind: 'status', schema: statusValue },
    tags: {
      kind: 'set',
      schema: z.union([z.string().min(1), z.object({ code: z.string(), label: z.string() })]),
    },
  },
};

export const vital: EntitySpec = {
  name: 'vital',
  immutable: true,
  fields: {
    value: { kind: 'event', schema: z.number().min(0).max(300) },
    by: { kind: 'event', schema: z.string().min(1) },
  },
};

const specs: Record<string, EntitySpec> = { note, vital };

export const toyRegistry: Registry = (entity) =>
  Object.hasOwn(specs, entity) ? specs[entity] : undefined;
