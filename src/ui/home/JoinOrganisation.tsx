// First use of a device: type the enrolment code the coordination created (8 characters, 15
// minutes, single use) and, optionally, the truck's relay; the server the app was loaded from
// exchanges the code for this device's credential and profile, then the sync loop starts and
// the data arrives.
import { type FormEvent, useId, useState } from 'react';
import { EnrolError, enrolDevice, serverList, startSync } from '../../device/connection';
import { normaliseCode } from '../../sync/protocol';
import { useDb } from '../data/device-data';
import { t } from '../i18n';
import { EnrolCodeField } from './EnrolCodeField';
import '../forms/forms.css';

const CODE = /^[A-Z0-9]{8}$/;

export function JoinOrganisation({ origin = window.location.origin }: { origin?: string }) {
  const db = useDb();
  const [code, setCode] = useState('');
  const [relay, setRelay] = useState('');
  const [error, setError] = useState<{ field: 'code' | 'relay' | null; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const titleId = useId();
  const relayId = useId();
  const hintId = useId();
  const errorId = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!db || busy) return;
    if (!CODE.test(normaliseCode(code))) {
      setError({ field: 'code', text: t('join.badCode') });
      return;
    }
    try {
      serverList(relay, origin);
    } catch {
      setError({ field: 'relay', text: t('join.badRelay') });
      return;
    }
    setError(null);
    setBusy(true);
    try {
      await enrolDevice(db, { server: origin, relay: relay.trim() || null, code });
    } catch (e) {
      setError({ field: null, text: e instanceof EnrolError ? e.message : String(e) });
      setBusy(false);
      return;
    }
    // The home screen follows the stored credential; this form goes away with it.
    await startSync(db);
  };

  const describe = (own: string, field: 'code' | 'relay') =>
    error?.field === field ? `${own} ${errorId}` : own;

  return (
    <section className="panel stack" aria-labelledby={titleId}>
      <h2 id={titleId}>{t('join.title')}</h2>
      <p>{t('join.intro')}</p>
      <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
        <EnrolCodeField
          value={code}
          onChange={setCode}
          errorId={error?.field === 'code' ? errorId : null}
        />
        <div className="field">
          <label htmlFor={relayId}>{t('join.relay')}</label>
          <input
            id={relayId}
            type="url"
            inputMode="url"
            value={relay}
            aria-describedby={describe(hintId, 'relay')}
            aria-invalid={error?.field === 'relay' ? true : undefined}
            onChange={(e) => setRelay(e.target.value)}
          />
          <p id={hintId} className="muted">
            {t('join.relayHint')}
          </p>
        </div>
        {error ? (
          <p id={errorId} role="alert" className="notice notice--error">
            {error.text}
          </p>
        ) : null}
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? t('join.submitting') : t('join.submit')}
        </button>
      </form>
    </section>
  );
}
