// What replication needs to know from the domain: the merge kind of each field (DESIGN.md §5).
// The domain implements `Registry` (src/domain/entities.ts `entitySpec`); sync only applies it.
import type { EntitySpec } from '../domain/entities';

// The field kinds and specs are the domain's own definitions (sync depends on domain).
export type { EntitySpec, FieldKind, FieldSpec } from '../domain/entities';

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
