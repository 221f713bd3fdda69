// Finds a place's INSEE code by its name, offline: a French commune (the birth place, the commune
// of residence) and, for the birth place, a foreign country or territory (99xxx), with « lieu de
// naissance inconnu » (99999) offered for a walk-in. The index (public/geo/communes.json, built
// by scripts/geo/places.ts) is loaded on first use, never with the app's first screen.
import { useEffect, useId, useState } from 'react';
import {
  type CommuneIndex,
  isCountry,
  loadCommunes,
  type Place,
  placeByCode,
  searchPlaces,
} from '../../domain/communes';
import { UNKNOWN_BIRTH_PLACE } from '../../domain/identity-lifecycle';
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

/** A line of the results as read aloud and shown (« Algérie (pays) — 99352 »). */
export function placeLabel(p: Place): string {
  return isCountry(p)
    ? t(`reception.places.kinds.${p.kind}`, { name: p.name, code: p.code })
    : t(`reception.places.kinds.${p.kind}`, {
        name: p.name,
        department: p.department,
        code: p.code,
      });
}

/**
 * A recorded code as people read it (« Mamers (72) — 72180 », « lieu de naissance inconnu —
 * 99999 »), or null while the index loads, when it cannot be loaded or does not hold the code.
 * Loads the index: for pages that show a recorded place, never the app's first screen.
 */
export function usePlaceText(): (code: string) => string | null {
  const [index, setIndex] = useState<CommuneIndex | null>(null);
  useEffect(() => {
    let live = true;
    fetchCommunes().then(
      (loaded) => live && setIndex(loaded),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  return (code) => {
    if (code === UNKNOWN_BIRTH_PLACE) return t('reception.places.unknownPicked');
    const place = index ? placeByCode(index, code) : undefined;
    return place ? placeLabel(place) : null;
  };
}

export function PlacePicker({
  label,
  onPick,
  birthPlace = false,
}: {
  label: string;
  onPick(code: string): void;
  /** The birth place: countries too, and « lieu de naissance inconnu » (99999). */
  birthPlace?: boolean;
}) {
  const id = useId();
  const [query, setQuery] = useState('');
  const [index, setIndex] = useState<CommuneIndex | null>(null);
  const [failed, setFailed] = useState(false);
  const [picked, setPicked] = useState<string | null>(null);
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
  const results = index ? searchPlaces(index, query, { countries: birthPlace }) : [];
  const pick = (code: string, text: string) => {
    onPick(code);
    setPicked(text);
  };
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
        // Enter chooses the first line rather than submitting the form the picker sits in.
        onKeyDown={(e) => {
          if (e.key !== 'Enter') return;
          e.preventDefault();
          const first = picked ? undefined : results[0];
          if (first) pick(first.code, placeLabel(first));
        }}
      />
      <p id={`${id}-hint`} className="muted">
        {t(birthPlace ? 'reception.places.hintBirth' : 'reception.places.hint')}
      </p>
      {birthPlace ? (
        <button
          type="button"
          className="button"
          onClick={() => pick(UNKNOWN_BIRTH_PLACE, t('reception.places.unknownPicked'))}
        >
          {t('reception.places.unknown')}
        </button>
      ) : null}
      {failed ? (
        <p className="notice notice--warning" role="alert">
          {t('reception.places.unavailable')}
        </p>
      ) : null}
      {picked ? (
        <p role="status">{t('reception.places.picked', { place: picked })}</p>
      ) : query.trim().length >= 2 && index ? (
        results.length === 0 ? (
          <p role="status" className="muted">
            {t(birthPlace ? 'reception.places.noneBirth' : 'reception.places.none')}
          </p>
        ) : (
          <ul
            className="place-picker__results"
            aria-label={t(
              birthPlace ? 'reception.places.resultsBirth' : 'reception.places.results',
            )}
          >
            {results.map((p) => (
              <li key={`${p.code}-${p.kind}-${p.name}`}>
                <button
                  type="button"
                  className="button"
                  onClick={() => pick(p.code, placeLabel(p))}
                >
                  {placeLabel(p)}
                </button>
              </li>
            ))}
          </ul>
        )
      ) : null}
    </div>
  );
}
