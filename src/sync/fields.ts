// What replication needs to know from the domain: the merge kind of each field (DESIGN.md §5).
// The domain implements `Registry` (src/domain/entities.ts `entitySpec`); sync only applies it.
import type { z } from 'zod';

export type FieldKind = 'lww' | 'status' | 'set' | 'event';

export interface FieldSpec {
  kind: FieldKind;
  /** A concurrent loser on this field is kept as a visible conflict. */
  clinical?: boolean;
  /** Value schema (for a set: the element schema). */
  schema: z.ZodType;
}

export interface EntitySpec {
  name: string;
  /** Event rows inserted once, whole, with k:'ins' on field '*', never changed. */
  immutable?: boolean;
  fields: Record<string, FieldSpec>;
}

export type Registry = (entity: string) => EntitySpec | undefined;

/** A queue status as replicated. The domain gives the rank; epoch grows on an explicit reversal. */
export interface StatusValue {
  status: string;
  epoch: number;
  rank: number;
}

/** The tombstone register, written by `del` on every mutable entity. */
export const DELETED_FIELD = '_deleted';
/** The field of the single `ins` op of an immutable row. */
export const INSERT_FIELD = '*';
