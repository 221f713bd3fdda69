// First use of a device: choose the organisation (from the server the app was loaded from) and,
// optionally, the truck's relay; then the sync loop starts and the data arrives.
import { type FormEvent, useEffect, useId, useState } from 'react';
import {
  joinOrganisation,
  listOrganisations,
  type Organisation,
  serverList,
  startSync,
} from '../../device/connection';
import { useDb } from '../data/device-data';
import { t } from '../i18n';

export function JoinOrganisation({ origin = window.location.origin }: { origin?: string }) {
  const db = useDb();
  const [orgs, setOrgs] = useState<Organisation[] | null | 'error'>(null);
  const [org, setOrg] = useState('');
  const [relay, setRelay] = useState('');
  const [error, setError] = useState<string | null>(null);
  const orgId = useId();
  const relayId = useId();
  const hintId = useId();

  useEffect(() => {
    let live = true;
    listOrganisations(origin).then(
      (list) => {
        if (!live) return;
        setOrgs(list);
        if (list[0]) setOrg(list[0].id);
      },
      () => live && setOrgs('error'),
    );
    return () => {
      live = false;
    };
  }, [origin]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!db || !org) return;
    let servers: string[];
    try {
      servers = serverList(relay, origin);
    } catch {
      setError(t('join.badRelay'));
      return;
    }
    setError(null);
    await joinOrganisation(db, { org, servers });
    await startSync(db);
  };

  return (
    <section className="panel stack" aria-labelledby={`${orgId}-title`}>
      <h2 id={`${orgId}-title`}>{t('join.title')}</h2>
      <p>{t('join.intro')}</p>
      {orgs === null && <p>{t('join.loading')}</p>}
      {orgs === 'error' && (
        <p role="alert" className="notice notice--warning">
          {t('join.unreachable')}
        </p>
      )}
      {Array.isArray(orgs) && orgs.length === 0 && <p>{t('join.none')}</p>}
      {Array.isArray(orgs) && orgs.length > 0 && (
        <form className="stack" onSubmit={submit} noValidate>
          <label htmlFor={orgId}>{t('join.organisation')}</label>
          <select id={orgId} value={org} onChange={(e) => setOrg(e.target.value)}>
            {orgs.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
          <label htmlFor={relayId}>{t('join.relay')}</label>
          <input
            id={relayId}
            type="url"
            inputMode="url"
            value={relay}
            aria-describedby={hintId}
            aria-invalid={error ? true : undefined}
            onChange={(e) => setRelay(e.target.value)}
          />
          <p id={hintId} className="muted">
            {t('join.relayHint')}
          </p>
          {error && (
            <p role="alert" className="notice notice--error">
              {error}
            </p>
          )}
          <button type="submit" className="button button--primary">
            {t('join.submit')}
          </button>
        </form>
      )}
    </section>
  );
}
