// docs/entities.md, generated from the domain's schemas so the protocol's field reference cannot
// drift from what devices and servers check: `npm run docs:entities` writes it, and
// tests/docs/entities-doc.test.ts fails when the committed file differs from what this produces.
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import {
  CONSULTATION_FAMILY,
  NOTE_FIXED_FIELDS,
  READABLE,
  SIGNED_NOTE_WRITABLE,
  STAMPED,
  SUMMARY_ENTITIES,
  SUMMARY_FIXED_FIELDS,
  WRITABLE,
} from '../../src/domain/access';
import {
  type DeviceProfile,
  ENTITY_NAMES,
  ENTITY_SPECS,
  type EntityName,
  SCHEMA_VERSION,
} from '../../src/domain/entities';

type Json = Record<string, unknown>;

const KIND: Record<string, string> = {
  lww: 'register (last writer wins)',
  status: 'queue status (monotonic, epochs)',
  set: 'add-wins set',
  event: 'event (immutable row)',
};

/** A short reading of a JSON Schema: what a value of the field may be. */
function describe(s: Json): string {
  if (Array.isArray(s.anyOf)) return (s.anyOf as Json[]).map(describe).join(' or ');
  if (Array.isArray(s.oneOf)) return (s.oneOf as Json[]).map(describe).join(' or ');
  if (Array.isArray(s.enum))
    return `one of ${(s.enum as unknown[]).map((v) => `\`${JSON.stringify(v)}\``).join(', ')}`;
  if ('const' in s) return `\`${JSON.stringify(s.const)}\``;
  switch (s.type) {
    case 'null':
      return 'null';
    case 'boolean':
      return 'boolean';
    case 'string': {
      const parts: string[] = [];
      if (s.format) parts.push(String(s.format));
      if (s.pattern) parts.push(`matching \`${String(s.pattern)}\``);
      if (s.minLength !== undefined && s.minLength !== 0) parts.push(`≥ ${s.minLength} characters`);
      if (s.maxLength !== undefined) parts.push(`≤ ${s.maxLength} characters`);
      return `string${parts.length ? ` (${parts.join(', ')})` : ''}`;
    }
    case 'integer':
    case 'number': {
      const parts: string[] = [];
      if (s.minimum !== undefined) parts.push(`≥ ${s.minimum}`);
      if (s.exclusiveMinimum !== undefined) parts.push(`> ${s.exclusiveMinimum}`);
      if (s.maximum !== undefined) parts.push(`≤ ${s.maximum}`);
      if (s.exclusiveMaximum !== undefined) parts.push(`< ${s.exclusiveMaximum}`);
      return `${String(s.type)}${parts.length ? ` (${parts.join(', ')})` : ''}`;
    }
    case 'array': {
      const items = s.items ? describe(s.items as Json) : 'anything';
      const bound = s.maxItems !== undefined ? `, ≤ ${s.maxItems} items` : '';
      return `array of ${items}${bound}`;
    }
    case 'object': {
      const props = Object.entries((s.properties as Record<string, Json>) ?? {});
      const required = new Set((s.required as string[]) ?? []);
      return `{ ${props.map(([k, v]) => `${k}${required.has(k) ? '' : '?'}: ${describe(v)}`).join('; ')} }`;
    }
    default:
      return Object.keys(s).length === 0 ? 'any JSON value' : `\`${JSON.stringify(s)}\``;
  }
}

function schemaOf(schema: z.ZodType): Json {
  const json = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as Json;
  delete json.$schema;
  return json;
}

const PROFILES: readonly DeviceProfile[] = ['reception', 'room', 'coordination', 'display'];

/** Who writes and who receives an entity, from the server's own tables (src/domain/access.ts). */
function accessLines(name: EntityName): string[] {
  const writers = PROFILES.filter((p) => WRITABLE[p].has(name));
  const readers = PROFILES.flatMap((p) => {
    const rule = READABLE[p][name];
    if (rule === undefined) return [];
    return [rule === 'all' ? p : `${p} (only ${rule.map((f) => `\`${f}\``).join(', ')})`];
  });
  const lines = [
    `**Written by:** ${writers.length ? writers.join(', ') : 'no device (the server only)'}. ` +
      `**Received by:** ${[...readers, 'relays'].join(', ')}.`,
  ];
  if (STAMPED.has(name)) {
    lines.push(
      "**Stamped:** every op carries `user`, a person of the organisation holding a session on the sending device at the op's time (`403 session_required` otherwise).",
    );
  }
  if (CONSULTATION_FAMILY[name] !== undefined) {
    lines.push(
      '**Restricted notes:** a note whose `confidentiality` is not `"standard"`, and its vitals, signatures and addenda, reach only the coordination and the room device of the room holding it (the note\'s own `roomId`, or its queue entry\'s for a note written without one); no other room writes them.',
    );
  }
  if (CONSULTATION_FAMILY[name] !== undefined || name === 'transmission') {
    lines.push(
      '**Per person (schema 6):** a room device receives a note and its events only if one of the people who signed in on it may read the note itself, and a transmission only if one of them reads transmissions (the social roles) or the note (`src/domain/reading.ts`, decision 0015).',
    );
  }
  return lines;
}

/** The server's field rules (fieldRefusal, pushRefusal in src/domain/access.ts), per field. */
function fieldRule(entity: EntityName, field: string): string {
  if (entity === 'consultation') {
    const rules: string[] = [];
    if (NOTE_FIXED_FIELDS.has(field))
      rules.push('fixed once set: only the coordination changes it');
    if (field === 'roomId') rules.push('a room writes its own room only');
    if (field === 'status') {
      rules.push(
        "`validated` or `returned` only by the author's supervisor, a coordinating doctor, or (`validated`) an author without supervisor",
      );
    }
    if (field === 'confidentiality') {
      rules.push(
        'lifted from a restricted value by its author before signature or the coordination; on a signed note, the coordination only',
      );
    }
    rules.push(
      SIGNED_NOTE_WRITABLE.has(field)
        ? 'still written once the note is signed'
        : 'frozen once the note is signed (`to_validate`, `validated`): add an addendum',
    );
    return rules.join('; ');
  }
  if (entity === 'queueEntry' && field === 'roomId') {
    return "a room sets its own room or null; a stale room or reception writing it is accepted and named by the day's contradictions; an entry with a note is deleted only by the coordination";
  }
  if ((SUMMARY_ENTITIES as readonly string[]).includes(entity)) {
    const rules: string[] = [];
    if (SUMMARY_FIXED_FIELDS.has(field))
      rules.push('fixed once set: only the coordination changes it');
    if (field === 'recordedBy') rules.push('names the person at work (`op.user`)');
    if (rules.length > 0) return rules.join('; ');
  }
  if (entity === 'orientation') {
    if (field === 'createdBy') return 'names the person at work (`op.user`)';
    if (field === 'state') {
      return "rank fixed by the state (proposed 0, contacted 1, accepted / refused 2, abandoned 3, mt_declared 4); `by` names the person at work (`op.user`); an abandon carries its reason; transitions are src/domain/orientation.ts's";
    }
    if (field === 'steps') return 'each added step names the person at work (`op.user`) in `by`';
  }
  if (entity === 'signature' && field === 'staffId') {
    return 'an `author` signature is inserted by its `staffId` (`op.user`); the review of an addendum too';
  }
  if (entity === 'signature' && field === 'addendumId') {
    return "the review (`supervisor` or `return`, never `author`) of that addendum, by the supervisor it names or a coordinating doctor, never its author, carrying the addendum's `contentHash`";
  }
  if (entity === 'addendum' && field === 'contentHash') {
    return 'SHA-256 of the canonical JSON of `{ id, consultationId, authorId, at, text }` (checked by the server)';
  }
  if (entity === 'addendum' && field === 'supervisorId') {
    return "the author's supervisor (null for an autonomous author): the addendum awaits their validation";
  }
  if (entity === 'addendum' && field === 'authorId') return 'the person at work (`op.user`)';
  if (entity === 'transmission' && field === 'authorId') return 'the person at work (`op.user`)';
  if (entity === 'sharingObjection' && field === 'staffId') return 'the person at work (`op.user`)';
  if (entity === 'breakGlass' && field === 'staffId') {
    return 'the person at work (`op.user`), a clinician';
  }
  if (entity === 'breakGlass' && field === 'until') return 'at most four hours after `at`';
  if (entity === 'syncReceipt' && field === 'digest') {
    return "must equal the server's own proof of that day for the sender's view (`409 receipt_mismatch`)";
  }
  return '';
}

export function entitiesMarkdown(): string {
  const out: string[] = [
    '# Entities and fields (generated)',
    '',
    `Generated from \`src/domain/entities.ts\` by \`npm run docs:entities\` — do not edit by hand. Schema version ${SCHEMA_VERSION}.`,
    'Every op names an entity (`e`), a row id (`id`, ≤ 64 characters) and a field (`f`); its value must fit the',
    'field below, and its kind (`k`) must fit the merge kind: `set` on a register or queue status, `add`/`rem` on',
    'a set (the value is one element), `ins` with `f: "*"` and the whole row on an immutable entity, `del`',
    '(`f: "_deleted"`) on a mutable one. *Clinical* registers keep a concurrent loser as a visible conflict.',
    'Each entity says which device profiles write it and which receive it (from `WRITABLE` and `READABLE`,',
    '`src/domain/access.ts`), and each field the rule the server applies to it beyond its value, if any',
    '(`fieldRefusal`, `pushRefusal`); the whole authorisation is in `docs/protocol.md` (Authorisation).',
    'A refused op gets `400 invalid_op` (value, kind, field) or `403 forbidden_op` (profile, rule).',
    '',
  ];
  for (const name of ENTITY_NAMES) {
    const spec = ENTITY_SPECS[name];
    out.push(`## \`${name}\`${spec.immutable ? ' — immutable (inserted once, whole)' : ''}`, '');
    for (const line of accessLines(name)) out.push(line, '');
    out.push('| field | merge | value | rule |', '|---|---|---|---|');
    for (const [field, f] of Object.entries(spec.fields)) {
      const kind = `${KIND[f.kind] ?? f.kind}${f.clinical ? ', clinical' : ''}`;
      const value = describe(schemaOf(f.schema)).replaceAll('|', '\\|');
      out.push(`| \`${field}\` | ${kind} | ${value} | ${fieldRule(name, field)} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

if (process.argv[1]?.endsWith('entities.ts')) {
  writeFileSync('docs/entities.md', entitiesMarkdown());
  console.log('docs/entities.md written');
}
