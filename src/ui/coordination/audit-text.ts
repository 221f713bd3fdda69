// How the journal words an audit event for people (docs/decisions/0010-i18n.md): the action in
// French, the device and the record by their names, dates in French — never an action code, a
// UUID or an ISO date. The stored event keeps its codes and ids (they are what is filtered and
// exported); only what is shown is translated here.
import type { AuditEvent, BreakGlassReason, Device } from '../../domain/entities';
import { BREAK_GLASS_REASONS } from '../../domain/reading';
import { originBase } from '../../sync/origins';
import { patientName, staffName } from '../day/day-data';
import { formatBirthDate, formatDateTime, t } from '../i18n';
import { fr as common } from '../i18n/fr';
import { frScreens } from '../i18n/fr-screens';
import type { OrgRows } from './coordination-data';

const fr = { ...common, ...frScreens };

type Entities = typeof fr.coordination.audit.entities;

/** Every action code the journal knows a French label for. */
export const KNOWN_ACTIONS = Object.keys(
  fr.coordination.audit.actions,
) as (keyof typeof fr.coordination.audit.actions)[];

/**
 * « Patient appelé » for queue.call; an unknown code is never shown as such. Read from the
 * catalogue directly: the codes hold a dot, which t() reads as a path.
 */
export function auditActionLabel(action: string): string {
  const actions: Readonly<Record<string, string>> = fr.coordination.audit.actions;
  return Object.hasOwn(actions, action) ? actions[action]! : t('coordination.audit.unknownAction');
}

/** Origins that are not devices: the server's own events and the first data load. */
const ORIGINS: Record<string, 'server' | 'partner' | 'seed'> = {
  'server.audit': 'server',
  'server.partner': 'partner',
  seed: 'seed',
};

/** « Serveur central » or « Données de départ » for those origins (central's in any epoch:
 * `server.partner@1a2b3c4d`), null for a device. */
export function originLabel(deviceId: string): string | null {
  const origin = ORIGINS[deviceId] ?? ORIGINS[originBase(deviceId)];
  return origin ? t(`coordination.audit.origins.${origin}`) : null;
}

/** A device by the name the coordination gave it at enrolment. */
export function deviceLabel(deviceId: string, devices: readonly Pick<Device, 'id' | 'name'>[]) {
  const origin = originLabel(deviceId);
  if (origin) return origin;
  const name = devices.find((d) => d.id === deviceId)?.name;
  return name && name.trim() !== '' ? name : t('coordination.audit.origins.unnamed');
}

export type Names = ReadonlyMap<string, string>;

/** What a record id stands for, as a person reads it: a name, a ticket, a room, a commune. */
export function recordNames(rows: OrgRows): Names {
  const names = new Map<string, string>();
  const patients = new Map(rows.patients.map((p) => [p.id, p]));
  const patientOf = (id: string) => {
    const p = patients.get(id);
    return p ? patientName(p) : null;
  };
  for (const p of rows.patients) names.set(p.id, patientOf(p.id)!);
  for (const s of rows.staff) names.set(s.id, staffName(s));
  for (const r of rows.rooms) names.set(r.id, r.name);
  for (const s of rows.services) names.set(s.id, s.label);
  for (const d of rows.devices) names.set(d.id, d.name);
  for (const s of rows.stops) {
    names.set(
      s.id,
      t('coordination.audit.stopName', { commune: s.communeName, date: formatBirthDate(s.date) }),
    );
  }
  const visits = new Map(rows.visits.map((v) => [v.id, v]));
  for (const v of rows.visits) {
    const who = patientOf(v.patientId);
    if (who) names.set(v.id, who);
  }
  for (const e of rows.entries) {
    const visit = visits.get(e.visitId);
    const who = visit ? patientOf(visit.patientId) : null;
    names.set(e.id, who ? `${e.ticket} (${who})` : e.ticket);
  }
  for (const c of rows.consultations) {
    const who = patientOf(c.patientId);
    if (who) names.set(c.id, who);
  }
  for (const a of rows.appointments) {
    const who = patientOf(a.patientId);
    if (who) names.set(a.id, who);
  }
  return names;
}

/** « Patient : LEBRUN Noël » — the kind of record and, when the device holds it, its name. */
export function recordLabel(event: Pick<AuditEvent, 'entity' | 'entityId'>, names: Names): string {
  if (!event.entity) return t('day.none');
  const kind = Object.hasOwn(fr.coordination.audit.entities, event.entity)
    ? t(`coordination.audit.entities.${event.entity as keyof Entities}`)
    : t('coordination.audit.entities.other');
  const name = event.entityId ? names.get(event.entityId) : undefined;
  return name ? t('coordination.audit.recordNamed', { kind, name }) : kind;
}

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const ISO_INSTANT = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?/g;
const ISO_DATE = /\b\d{4}-\d{2}-\d{2}\b/g;

/**
 * An event's detail as written by the device, made readable: ids become names (or « dossier non
 * présent sur cet appareil »), ISO dates French dates, a bris de glace's reason code its words. Details written before the journal spoke
 * French are shown the same way.
 */
export function readableDetail(detail: string | null, names: Names, action?: string): string {
  if (detail === null || detail.trim() === '') return t('day.none');
  // A bris de glace keeps its reason's code (never the precision typed with it).
  if (action === 'breakGlass.declared' && BREAK_GLASS_REASONS.includes(detail as never)) {
    return t(`reading.breakGlass.reasons.${detail as BreakGlassReason}`);
  }
  return detail
    .replace(
      UUID,
      (id) => names.get(id.toLowerCase()) ?? names.get(id) ?? t('coordination.audit.unknownRecord'),
    )
    .replace(ISO_INSTANT, (iso) => formatDateTime(iso))
    .replace(ISO_DATE, (date) => formatBirthDate(date));
}
