// What replication needs to know of each entity: the merge kind of each field. Sync is generic
// and knows nothing of the domain: it defines this contract, and the domain implements it
// (src/domain/entities.ts `entitySpec`), choosing each field's kind (docs/architecture.md).
import type { z } from 'zod';

export type FieldKind = 'lww' | 'status' | 'set' | 'event';

export interface FieldSpec {
  kind: FieldKind;
  /** A concurrent loser on this field is kept as a visible conflict. */
  clinical?: boolean;
  schema: z.ZodType;
}

export interface EntitySpec {
  name: string;
  /** Rows are inserted once, whole, and never changed (append-only events). */
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
