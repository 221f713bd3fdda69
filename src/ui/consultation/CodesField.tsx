// Codes of the note from the catalogue, searched offline: CISP-2 as reason or result, CIM-10 as
// an optional diagnosis. Each change is written at once (a set field: concurrent additions merge).
import { useMemo, useState } from 'react';
import type { Code, Consultation } from '../../domain/entities';
import { searchTerms, type Term } from '../../domain/terminology';
import { FieldGroup, TextField } from '../forms/fields';
import { t } from '../i18n';
import type { ConsultationActions } from './consultation-actions';
import { useTerminology } from './consultation-data';

const USES = {
  'CISP-2': ['reason', 'result'],
  'CIM-10': ['diagnosis'],
} as const satisfies Record<Term['system'], readonly Code['use'][]>;

export function CodesField({
  consultation,
  actions,
  editable,
  onError,
}: {
  consultation: Consultation;
  actions: ConsultationActions;
  editable: boolean;
  onError(message: string): void;
}) {
  const terminology = useTerminology();
  const [query, setQuery] = useState('');
  const hits = useMemo(
    () =>
      terminology.state === 'ready'
        ? searchTerms(terminology.terminology, query, { limit: 8 })
        : [],
    [terminology, query],
  );
  const run = (p: Promise<void>) =>
    p.catch((e: unknown) => onError(e instanceof Error ? e.message : String(e)));
  const codes = [...consultation.codes].sort(
    (a, b) => a.use.localeCompare(b.use) || a.code.localeCompare(b.code),
  );
  return (
    <FieldGroup legend={t('consultation.codes.title')}>
      {codes.length === 0 ? (
        <p className="muted">{t('consultation.codes.none')}</p>
      ) : (
        <ul className="code-list" aria-label={t('consultation.codes.chosen')}>
          {codes.map((c) => (
            <li key={`${c.system}|${c.code}|${c.use}`}>
              <span className="status-tag">{t(`consultation.codes.uses.${c.use}`)}</span>{' '}
              {t('consultation.codes.line', { system: c.system, code: c.code, label: c.label })}
              {editable ? (
                <button
                  type="button"
                  className="button"
                  onClick={() => void run(actions.removeCode(consultation, c))}
                  aria-label={t('consultation.codes.removeFor', { code: c.code })}
                >
                  {t('consultation.codes.remove')}
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {editable ? (
        <div className="stack">
          <TextField
            type="search"
            enterKeyHint="search"
            label={t('consultation.codes.search')}
            hint={t('consultation.codes.searchHint')}
            value={query}
            onChange={setQuery}
          />
          {terminology.state === 'error' ? (
            <p className="notice notice--warning" role="status">
              {t('consultation.codes.unavailable', { reason: terminology.message })}
            </p>
          ) : null}
          {hits.length > 0 ? (
            <ul className="result-list" aria-label={t('consultation.codes.results')}>
              {hits.map((term) => (
                <li key={`${term.system}|${term.code}`} className="result">
                  <span>
                    {t('consultation.codes.line', {
                      system: term.system,
                      code: term.code,
                      label: term.label,
                    })}
                  </span>
                  <span className="actions">
                    {USES[term.system].map((use) => (
                      <button
                        key={use}
                        type="button"
                        className="button"
                        aria-label={t('consultation.codes.addAs', {
                          code: term.code,
                          use: t(`consultation.codes.uses.${use}`),
                        })}
                        onClick={() => {
                          void run(
                            actions.addCode(consultation, {
                              system: term.system,
                              code: term.code,
                              label: term.label,
                              use,
                            }),
                          );
                          setQuery('');
                        }}
                      >
                        {t(`consultation.codes.uses.${use}`)}
                      </button>
                    ))}
                  </span>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </FieldGroup>
  );
}
