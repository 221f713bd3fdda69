// No server recognises this device any more (401: central restored from a backup older than its
// enrolment, docs/operations.md « Credentials follow the backup »): say so on every screen and
// take a new code from the coordination right here. The device enrols again under the same id,
// so everything it holds — its unsent work above all — stays and leaves once it is known again.
import { useLiveQuery } from 'dexie-react-hooks';
import { type FormEvent, useId, useState } from 'react';
import { EnrolError, rejoinOrganisation } from '../../device/connection';
import { getMeta, META } from '../../device/db';
import { normaliseCode } from '../../sync/protocol';
import { useDb } from '../data/device-data';
import { EnrolCodeField } from '../home/EnrolCodeField';
import { t } from '../i18n';

const CODE = /^[A-Z0-9]{8}$/;

export function useUnrecognised(): { message: string; at: string } | null | undefined {
  const db = useDb();
  return useLiveQuery(
    async () =>
      db ? ((await getMeta<{ message: string; at: string }>(db, META.unrecognised)) ?? null) : null,
    [db],
  );
}

export function RejoinBanner() {
  const db = useDb();
  const notice = useUnrecognised();
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const titleId = useId();
  const errorId = useId();
  if (!notice) return null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!db || busy) return;
    if (!CODE.test(normaliseCode(code))) {
      setError(t('join.badCode'));
      return;
    }
    setError(null);
    setBusy(true);
    try {
      // The banner goes away with the notice, which this removes with the new credential.
      await rejoinOrganisation(db, code);
      setCode('');
    } catch (e) {
      setError(e instanceof EnrolError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="notice notice--error banner stack" role="alert" aria-labelledby={titleId}>
      <h2 id={titleId}>{t('rejoin.title')}</h2>
      <p>{t('rejoin.text')}</p>
      <form className="rejoin-form" onSubmit={(e) => void submit(e)} noValidate>
        <EnrolCodeField value={code} onChange={setCode} errorId={error ? errorId : null} />
        {error ? (
          <p id={errorId} className="notice notice--error">
            {error}
          </p>
        ) : null}
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? t('join.submitting') : t('rejoin.submit')}
        </button>
      </form>
    </section>
  );
}
