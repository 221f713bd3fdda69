// The replicated-state digest (decision 0001): SHA-256 over the canonical JSON of every row state
// sorted by (entity, id). Equal digests on device, relay and central prove they hold the same ops'
// effects, before anything is purged.
import type { RowState } from './merge';
import { Sha256 } from './sha256';

/**
 * JSON with object keys sorted (UTF-16 order) at every depth, so equal values give equal text
 * whatever the key order they were built or stored with (PostgreSQL jsonb reorders keys).
 * Follows JSON.stringify otherwise: undefined members are dropped, undefined/functions in arrays
 * and non-finite numbers become null.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          const item = value[i];
          out += item === undefined || typeof item === 'function' ? 'null' : canonicalJson(item);
        }
        return `${out}]`;
      }
      const toJson = (value as { toJSON?: () => unknown }).toJSON;
      if (typeof toJson === 'function') return canonicalJson(toJson.call(value));
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj);
      if (!isSorted(keys)) keys.sort();
      let out = '{';
      let first = true;
      for (const k of keys) {
        const item = obj[k];
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
        if (!first) out += ',';
        first = false;
        out += `${JSON.stringify(k)}:${canonicalJson(item)}`;
      }
      return `${out}}`;
    }
    case 'bigint':
      throw new TypeError('canonicalJson : bigint non représentable en JSON');
    default:
      return 'null';
  }
}

function isSorted(keys: string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return false;
  return true;
}

/** Hex SHA-256 over `canonicalJson(row) + "\n"` for every row, sorted by (entity, id). */
export function digestRows(rows: readonly RowState[]): string {
  const sorted = [...rows].sort(compareRows);
  const hash = new Sha256();
  for (const row of sorted) hash.update(`${canonicalJson(row)}\n`);
  return hash.hex();
}

function compareRows(a: RowState, b: RowState): number {
  if (a.e !== b.e) return a.e < b.e ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}
