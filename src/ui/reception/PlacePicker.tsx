// Finds a French commune's INSEE code by its name, offline (the birth place, the commune of
// residence): the index (public/geo/communes.json, built from @etalab/decoupage-administratif) is
// loaded on first use, never with the app's first screen. Countries keep their code typed (99…).
import { useEffect, useId, useState } from 'react';
import {
  type Commune,
  type CommuneIndex,
  loadCommunes,
  searchCommunes,
} from '../../domain/communes';
import { t } from '../i18n';

/** Where the app finds the index (served from public/, precached for offline use). */
export const COMMUNES_URL = '/geo/communes.json';

let cached: Promise<CommuneIndex> | null = null;

/** The index, loaded once per page; a failed load is retried on the next use. */
export function fetchCommunes(): Promise<CommuneIndex> {
  cached ??= fetch(COMMUNES_URL)
    .then((res) => {
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return res.json();
    })
    .then(loadCommunes)
    .catch((error: unknown) => {
      cached = null;
      throw error;
    });
  return cached;
}

function resultLabel(c: Commune): string {
  return t(`reception.places.kinds.${c.kind}`, {
    name: c.name,
    department: c.department,
    code: c.code,
  });
}

export function PlacePicker({ label, onPick }: { label: string; onPick(code: string): void }) {
  const id = useId();
  const [query, setQuery] = useState('');
  const [index, setIndex] = useState<CommuneIndex | null>(null);
  const [failed, setFailed] = useState(false);
  const [picked, setPicked] = useState<Commune | null>(null);
  useEffect(() => {
    if (query.trim().length < 2 || index) return;
    let live = true;
    fetchCommunes().then(
      (loaded) => live && setIndex(loaded),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [query, index]);
  const results = index ? searchCommunes(index, query) : [];
  return (
    <div className="field place-picker">
      <label htmlFor={`${id}-q`}>{label}</label>
      <input
        id={`${id}-q`}
        type="search"
        autoComplete="off"
        value={query}
        aria-describedby={`${id}-hint`}
        onChange={(e) => {
          setQuery(e.target.value);
          setPicked(null);
        }}
      />
      <p id={`${id}-hint`} className="muted">
        {t('reception.places.hint')}
      </p>
      {failed ? (
        <p className="notice notice--warning" role="alert">
          {t('reception.places.unavailable')}
        </p>
      ) : null}
      {picked ? (
        <p role="status">{t('reception.places.picked', { place: resultLabel(picked) })}</p>
      ) : query.trim().length >= 2 && index ? (
        results.length === 0 ? (
          <p role="status" className="muted">
            {t('reception.places.none')}
          </p>
        ) : (
          <ul className="place-picker__results" aria-label={t('reception.places.results')}>
            {results.map((c) => (
              <li key={`${c.code}-${c.kind}-${c.name}`}>
                <button
                  type="button"
                  className="button"
                  onClick={() => {
                    onPick(c.code);
                    setPicked(c);
                  }}
                >
                  {resultLabel(c)}
                </button>
              </li>
            ))}
          </ul>
        )
      ) : null}
    </div>
  );
}
