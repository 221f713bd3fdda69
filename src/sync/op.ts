// The replicated operation (decision 0001): one field change, identified by (dev, seq) and
// stamped with a unique HLC. `opSchema` checks structure and sizes only; values are checked
// against the domain's field schemas by validateOp (merge.ts).
import { z } from 'zod';
import { HLC_PATTERN } from './hlc';
import { isServerStamp } from './origins';

export type OpKind = 'set' | 'add' | 'rem' | 'ins' | 'del';

export interface Op {
  /** Schema version of the writer (SCHEMA_VERSION in src/domain). */
  v: number;
  /** Organisation id (tenant). */
  org: string;
  /** Origin device id. */
  dev: string;
  /** Origin device sequence, 1-based, gapless per device. */
  seq: number;
  /** Hybrid logical clock stamp, unique and totally ordered. */
  hlc: string;
  /** Staff id of the signed-in user. */
  user?: string;
  /** Entity name, e.g. 'queueEntry'. */
  e: string;
  /** Row id (UUIDv7, made offline). */
  id: string;
  /** Field name ('*' for the insert of an immutable row, '_deleted' for a delete). */
  f: string;
  k: OpKind;
  /** The new value (set), the element (add/rem), the whole row (ins). */
  val?: unknown;
  /** set/del on a register: the hlcs of the heads the writer saw. */
  base?: string[];
  /** rem: the add-tags (hlcs) of the element the writer saw. */
  tags?: string[];
}

export const MAX_NAME = 64;
export const MAX_HLC = 128;
export const MAX_BASE = 64;
export const MAX_TAGS = 256;
/** The largest integer every store holds (PostgreSQL's `integer`): sequences, versions, counts. */
export const MAX_INT = 2 ** 31 - 1;

/** Control characters (NUL included), which PostgreSQL refuses or which no id or name needs. */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** Ids and names as every store holds them: no control character, no lone surrogate. */
export function isStorableName(text: string): boolean {
  return !hasControl(text) && text.isWellFormed();
}

/**
 * A JSON value every store keeps as it came: no NUL in any string or key (PostgreSQL refuses it
 * in text and jsonb), no lone surrogate, numbers finite. Recursion is bounded by the body limit.
 */
export function isStorableValue(value: unknown): boolean {
  if (typeof value === 'string') return !value.includes('\u0000') && value.isWellFormed();
  if (typeof value === 'number') return Number.isFinite(value);
  if (value === null || typeof value === 'boolean' || value === undefined) return true;
  if (Array.isArray(value)) return value.every(isStorableValue);
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).every(
      ([k, v]) => isStorableValue(k) && isStorableValue(v),
    );
  }
  return false;
}

/** A wire integer: within what every store holds. */
export const wireInt = () => z.int().min(0).max(MAX_INT);

export const nameSchema = z
  .string()
  .min(1)
  .max(MAX_NAME)
  .refine(isStorableName, 'caractère de contrôle ou invalide dans un identifiant');
const name = nameSchema;
const hlc = z
  .string()
  .max(MAX_HLC)
  .regex(HLC_PATTERN, 'horodatage HLC mal formé')
  .refine(isStorableName, 'caractère de contrôle ou invalide dans un horodatage');

// Loose: an op from a newer writer may carry keys this version does not know; it is parked
// verbatim rather than stripped (decision 0001, Versions).
export const opSchema: z.ZodType<Op> = z
  .looseObject({
    v: wireInt().min(1),
    org: name,
    dev: name.refine((d) => !d.includes(':'), 'identifiant d’appareil sans « : »'),
    seq: wireInt().min(1),
    hlc,
    user: name.optional(),
    e: name,
    id: name,
    f: name,
    k: z.enum(['set', 'add', 'rem', 'ins', 'del']),
    // Checked by validateOp (an invalid_value naming the op, not a malformed request).
    val: z.unknown().optional(),
    base: z.array(hlc).max(MAX_BASE).optional(),
    tags: z.array(hlc).max(MAX_TAGS).optional(),
  })
  // The stamp embeds the origin device: this is what makes hlcs unique across devices. Central's
  // own origins (`server.partner@<epoch tag>`) may stamp with another name of the same base: a
  // task's creation carries a stamp fixed by its cause, the same in every epoch (decision 0029).
  .refine((op) => op.hlc.endsWith(`:${op.dev}`) || isServerStamp(op.hlc, op.dev), {
    message: 'le HLC doit se terminer par l’identifiant de l’appareil',
    path: ['hlc'],
  });

/** Identity of an op: pushes are idempotent by (device, device sequence). */
export function opKey(op: Pick<Op, 'dev' | 'seq'>): string {
  return `${op.dev}#${op.seq}`;
}
