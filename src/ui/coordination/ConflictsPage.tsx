// Sync conflicts a person must settle (DESIGN.md §5): both versions side by side with who and
// when; keep one or merge texts. The choice is written over every version and recorded.
import { useState } from 'react';
import { v7 as uuidv7 } from 'uuid';
import type { Change } from '../../device/write';
import { canMerge, mergedText, resolutionValue } from '../../domain/conflict-resolution';
import type { EntityName } from '../../domain/entities';
import { decodeHlc, isHlc } from '../../sync/hlc';
import type { FieldConflict } from '../../sync/merge';
import { useWriter } from '../data/writer';
import { staffName } from '../day/day-data';
import { TextAreaField } from '../forms/fields';
import { formatDateTime, t } from '../i18n';
import { useUiStore } from '../state/ui-store';
import type { OrgRows } from './coordination-data';
import { useConflicts } from './coordination-data';

const KNOWN = [
  'patient',
  'consultation',
  'queueEntry',
  'visit',
  'vitals',
  'signature',
  'addendum',
] as const;

function entityLabel(entity: string): string {
  return (KNOWN as readonly string[]).includes(entity)
    ? t(`coordination.conflicts.entities.${entity as (typeof KNOWN)[number]}`)
    : t('coordination.conflicts.entities.other', { entity });
}

/** The physical time of an HLC, when it reads as one. */
function timeOf(hlc: string): string | null {
  return isHlc(hlc) ? formatDateTime(decodeHlc(hlc).ms) : null;
}

function show(value: unknown): string {
  if (value === null || value === undefined || value === '')
    return t('coordination.conflicts.emptyValue');
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value && 'status' in value) {
    return t(`queueStatus.${(value as { status: 'waiting' }).status}`);
  }
  return JSON.stringify(value);
}

function ConflictCard({ conflict, rows }: { conflict: FieldConflict; rows: OrgRows }) {
  const write = useWriter();
  const staffId = useUiStore((s) => s.staffId);
  const [merging, setMerging] = useState(false);
  const [merged, setMerged] = useState(() => mergedText(conflict));
  const [error, setError] = useState<string | null>(null);
  const staff = new Map(rows.staff.map((s) => [s.id, s]));
  const resolve = async (chosen: unknown) => {
    const value = resolutionValue(conflict, chosen);
    const changes: Change[] = [];
    if (conflict.kind !== 'duplicate_insert') {
      changes.push({
        entity: conflict.entity as EntityName,
        id: conflict.id,
        set: { [conflict.field]: value },
      } as Change);
    }
    changes.push({
      entity: 'conflictResolution',
      id: uuidv7(),
      insert: {
        orgId: rows.stops[0]?.orgId ?? '',
        at: new Date().toISOString(),
        staffId: staffId ?? 'inconnu',
        entity: conflict.entity,
        rowId: conflict.id,
        field: conflict.field,
        versions: conflict.versions.map((v) => ({ value: v.value, hlc: v.hlc })),
        chosen: value,
      },
    });
    try {
      await write(changes, {
        action: 'conflict.resolved',
        entity: conflict.entity,
        entityId: conflict.id,
        detail: conflict.field,
      });
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const title = t('coordination.conflicts.what', {
    entity: entityLabel(conflict.entity),
    field: conflict.field,
  });
  return (
    <li className="panel stack conflict">
      <h3>{title}</h3>
      <p className="muted">{t(`coordination.conflicts.kinds.${conflict.kind}`)}</p>
      <div className="conflict__versions">
        {conflict.versions.map((v, i) => {
          const who = v.user ? staff.get(v.user) : undefined;
          const at = timeOf(v.hlc);
          return (
            <div key={v.hlc} className="conflict__version">
              <h4>{t('coordination.conflicts.version', { n: i + 1 })}</h4>
              <p className="conflict__value">{show(v.value)}</p>
              <p className="muted">
                {t('coordination.conflicts.by', {
                  who: who ? staffName(who) : t('coordination.conflicts.unknownAuthor'),
                  at: at ?? v.hlc,
                })}
              </p>
              <button type="button" className="button" onClick={() => void resolve(v.value)}>
                {t('coordination.conflicts.keep', { n: i + 1 })}
              </button>
            </div>
          );
        })}
      </div>
      {canMerge(conflict) ? (
        merging ? (
          <div className="stack">
            <TextAreaField
              label={t('coordination.conflicts.mergeLabel')}
              value={merged}
              onChange={setMerged}
              rows={6}
            />
            <button
              type="button"
              className="button button--primary"
              onClick={() => void resolve(merged)}
            >
              {t('coordination.conflicts.saveMerge')}
            </button>
          </div>
        ) : (
          <button type="button" className="button" onClick={() => setMerging(true)}>
            {t('coordination.conflicts.merge')}
          </button>
        )
      ) : null}
      {error ? (
        <p role="alert" className="notice notice--error">
          {error}
        </p>
      ) : null}
    </li>
  );
}

export function ConflictsPage({ rows }: { rows: OrgRows }) {
  const view = useConflicts();
  if (view === undefined) return <p role="status">{t('app.loading')}</p>;
  if (view === null) return null;
  return (
    <section className="stack" aria-labelledby="conflicts-title">
      <h2 id="conflicts-title">{t('coordination.conflicts.title')}</h2>
      <p>{t('coordination.conflicts.intro')}</p>
      {view.open.length === 0 ? (
        <p role="status" className="notice notice--success">
          {t('coordination.conflicts.none')}
        </p>
      ) : (
        <ul className="stack plain-list">
          {view.open.map((c) => (
            <ConflictCard key={`${c.entity}/${c.id}/${c.field}`} conflict={c} rows={rows} />
          ))}
        </ul>
      )}
    </section>
  );
}
