// Duplicates to merge (coordination): identities created despite a likely duplicate, side by
// side, one kept; strict traits that differ are shown and need a confirmation; the day's merges
// can be undone. The rules are the domain's (src/domain/identity-lifecycle.ts).
import { useState } from 'react';
import { Link } from 'react-router';
import type { Patient } from '../../domain/entities';
import type { TraitDifference } from '../../domain/identity-lifecycle';
import { localDate } from '../../domain/time';
import { useNow } from '../data/device-data';
import {
  type MergeRecord,
  useIdentityActions,
  useLivePatients,
  useMerges,
} from '../data/identity-actions';
import { patientName } from '../day/day-data';
import { formatBirthDate, formatDateTime, formatTime, t } from '../i18n';
import { usePlaceText } from '../reception/PlacePicker';

interface Pair {
  key: string;
  older: Patient;
  newer: Patient;
}

/** Pairs recorded by reception's « créer quand même », both identities still distinct. */
function suspectedPairs(patients: readonly Patient[]): Pair[] {
  const byId = new Map(patients.map((p) => [p.id, p]));
  const out: Pair[] = [];
  for (const p of patients) {
    for (const s of p.duplicateDecision?.suspects ?? []) {
      const other = byId.get(s);
      if (other && other.id !== p.id) out.push({ key: `${s}/${p.id}`, older: other, newer: p });
    }
  }
  return out;
}

export function MergePage({ identityPath }: { identityPath: string }) {
  const patients = useLivePatients();
  const merges = useMerges();
  if (patients === undefined || merges === undefined) {
    return <p role="status">{t('app.loading')}</p>;
  }
  const pairs = suspectedPairs(patients);
  return (
    <div className="stack">
      <h2>{t('identity.merge.title')}</h2>
      <p className="muted">{t('identity.merge.explain')}</p>
      {pairs.length === 0 ? <p>{t('identity.merge.empty')}</p> : null}
      {pairs.map((pair) => (
        <MergePair key={pair.key} pair={pair} identityPath={identityPath} />
      ))}
      <TodayMerges merges={merges} />
    </div>
  );
}

function MergePair({ pair, identityPath }: { pair: Pair; identityPath: string }) {
  const actions = useIdentityActions();
  const placeText = usePlaceText();
  // A birth place reads as its name beside its code (« Mamers (72) — 72180 »).
  const shown = (d: TraitDifference, value: string) =>
    d.trait === 'birthPlaceCode' ? (placeText(value) ?? value) : value;
  const [keep, setKeep] = useState(pair.older.id);
  const [differences, setDifferences] = useState<TraitDifference[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const survivor = keep === pair.older.id ? pair.older : pair.newer;
  const absorbed = keep === pair.older.id ? pair.newer : pair.older;

  const merge = async (confirmed: boolean) => {
    setBusy(true);
    setMessage(null);
    try {
      const decision = await actions.merge(survivor.id, absorbed.id, confirmed);
      if (decision.ok) setDifferences(null);
      else {
        setDifferences(decision.differences ?? null);
        setMessage(decision.reason);
      }
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const titleId = `merge-${pair.key}`;
  return (
    <section className="panel stack" aria-labelledby={titleId}>
      <h3 id={titleId}>{t('identity.merge.pair')}</h3>
      <fieldset className="stack">
        <legend>{t('identity.merge.keepLabel')}</legend>
        {[pair.older, pair.newer].map((p) => (
          <div key={p.id}>
            <label className="checkbox">
              <input
                type="radio"
                name={titleId}
                checked={keep === p.id}
                onChange={() => {
                  setKeep(p.id);
                  setDifferences(null);
                  setMessage(null);
                }}
              />{' '}
              {t('identity.merge.keep', {
                name: patientName(p),
                date: formatBirthDate(p.birthDate),
                place: placeText(p.birthPlaceCode) ?? p.birthPlaceCode,
                created: formatDateTime(p.createdAt),
              })}
            </label>{' '}
            <Link to={`${identityPath}/${p.id}`}>{t('identity.open')}</Link>
          </div>
        ))}
      </fieldset>
      {message ? (
        <p className="notice notice--warning" role="alert">
          {message}
        </p>
      ) : null}
      {differences && differences.length > 0 ? (
        <div className="stack">
          <h4>{t('identity.merge.differencesTitle')}</h4>
          <ul>
            {differences.map((d) => (
              <li key={d.trait}>
                {t('identity.merge.differenceLine', {
                  label: d.label,
                  survivor: shown(d, d.survivor),
                  absorbed: shown(d, d.absorbed),
                })}
              </li>
            ))}
          </ul>
          <div className="actions">
            <button
              type="button"
              className="button button--primary"
              disabled={busy}
              onClick={() => void merge(true)}
            >
              {t('identity.merge.confirm')}
            </button>
            <button
              type="button"
              className="button"
              onClick={() => {
                setDifferences(null);
                setMessage(null);
              }}
            >
              {t('identity.merge.cancel')}
            </button>
          </div>
        </div>
      ) : (
        <div className="actions">
          <button
            type="button"
            className="button button--primary"
            disabled={busy}
            onClick={() => void merge(false)}
          >
            {t('identity.merge.submit')}
          </button>
        </div>
      )}
    </section>
  );
}

function TodayMerges({ merges }: { merges: MergeRecord[] }) {
  const actions = useIdentityActions();
  const [message, setMessage] = useState<string | null>(null);
  const today = localDate(useNow());
  // A merge still in force: the latest act on that identity is the merge itself.
  const latest = new Map<string, MergeRecord>();
  for (const m of merges) if (!latest.has(m.event.patientId)) latest.set(m.event.patientId, m);
  const inForce = [...latest.values()].filter(
    (m) => m.event.kind === 'merge' && localDate(m.event.at) === today,
  );
  return (
    <section className="panel stack" aria-labelledby="merges-today">
      <h3 id="merges-today">{t('identity.merge.todayTitle')}</h3>
      {message ? (
        <p className="notice" role="status">
          {message}
        </p>
      ) : null}
      {inForce.length === 0 ? <p className="muted">{t('identity.merge.todayEmpty')}</p> : null}
      <ul className="stack">
        {inForce.map(({ event, absorbed, survivor }) => (
          <li key={event.id}>
            {t('identity.merge.todayLine', {
              absorbed: absorbed ? patientName(absorbed) : t('identity.history.someone'),
              survivor: survivor ? patientName(survivor) : t('identity.history.someone'),
              time: formatTime(event.at),
            })}{' '}
            <button
              type="button"
              className="button"
              onClick={async () => {
                try {
                  const refusal = await actions.undoMerge(event);
                  setMessage(refusal ?? t('identity.merge.undone'));
                } catch (e) {
                  setMessage(e instanceof Error ? e.message : String(e));
                }
              }}
            >
              {t('identity.merge.undo')}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
