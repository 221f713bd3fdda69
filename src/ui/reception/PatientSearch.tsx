// Search before any creation (docs/design.md §2): results as you type over the whole local registry,
// insensitive to accents, case and hyphens, tolerant of a typo (the domain's search index).
import { useDeferredValue, useMemo } from 'react';
import { ageYears } from '../../domain/age';
import type { Patient } from '../../domain/entities';
import { type SearchIndex, searchIndex } from '../../domain/identity';
import { effectiveIdentityStatus } from '../../domain/identity-lifecycle';
import { formatNir } from '../../domain/nir';
import { patientName } from '../day/day-data';
import { TextField } from '../forms/fields';
import { formatBirthDate, t, tn } from '../i18n';

export function PatientSearch({
  index,
  query,
  onQuery,
  onChoose,
  onRegister,
  today,
  registryLoading = false,
}: {
  index: SearchIndex<Patient> | undefined;
  /** 'YYYY-MM-DD' in France, for the age shown beside the birth date. */
  today: string;
  query: string;
  onQuery(query: string): void;
  onChoose(patient: Patient): void;
  onRegister(): void;
  /** The device's first bootstrap has not brought the whole registry yet: a miss proves nothing. */
  registryLoading?: boolean;
}) {
  // Typing stays fluid on a slow tablet: results follow one render behind if they must.
  const deferred = useDeferredValue(query);
  const hits = useMemo(
    () => (index && deferred.trim() !== '' ? searchIndex(index, deferred, 20) : []),
    [index, deferred],
  );
  return (
    <section className="stack" aria-labelledby="search-title">
      <h2 id="search-title">{t('reception.search.title')}</h2>
      <search>
        <TextField
          type="search"
          enterKeyHint="search"
          label={t('reception.search.label')}
          hint={t('reception.search.hint')}
          value={query}
          onChange={onQuery}
          autoFocus
        />
      </search>
      {index === undefined ? <p>{t('app.loading')}</p> : null}
      {registryLoading ? (
        <p role="status" className="notice">
          {t('reception.search.registryLoading')}
        </p>
      ) : null}
      {deferred.trim() !== '' && index ? (
        <p role="status" className="muted">
          {tn('reception.search.count', hits.length)}
        </p>
      ) : null}
      {hits.length > 0 ? (
        <ul className="result-list" aria-label={t('reception.search.results')}>
          {hits.map(({ record: p }) => (
            <li key={p.id} className="result">
              <div>
                <strong>{patientName(p)}</strong>
                <span className="muted">
                  {' '}
                  {t('reception.search.born', { date: formatBirthDate(p.birthDate) })}
                  {p.birthDate <= today
                    ? ` · ${tn('reception.search.age', ageYears(p.birthDate, today))}`
                    : ''}
                  {p.nir ? ` · ${formatNir(p.nir)}` : ''}
                </span>
                <span className="status-tag">
                  {t(`reception.identityStatus.${effectiveIdentityStatus(p)}`)}
                </span>
              </div>
              <button
                type="button"
                className="button button--primary"
                onClick={() => onChoose(p)}
                aria-label={t('reception.search.chooseFor', { name: patientName(p) })}
              >
                {t('reception.search.choose')}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <p>
        <button type="button" className="button" onClick={onRegister}>
          {t('reception.search.register')}
        </button>
      </p>
    </section>
  );
}

/** What the search already says about the new identity: names typed, and a full date. */
export function prefillFromQuery(query: string): {
  birthName: string;
  firstNames: string;
  birthDate: string;
} {
  const words = query.trim().split(/\s+/u).filter(Boolean);
  const names = words.filter((w) => !/\d/u.test(w));
  const date = words
    .map((w) => /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/u.exec(w))
    .find((m) => m !== null);
  return {
    birthName: names[0]?.toUpperCase() ?? '',
    firstNames: names.slice(1).join(' '),
    birthDate: date ? `${date[3]}-${date[2]!.padStart(2, '0')}-${date[1]!.padStart(2, '0')}` : '',
  };
}
