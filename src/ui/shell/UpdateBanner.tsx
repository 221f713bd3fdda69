// "Nouvelle version disponible": shown when a new service worker waits. The update applies only
// when no form holds unsaved edits; otherwise it waits for them and says so.
import { useState } from 'react';
import { t } from '../i18n';
import { requestUpdate } from '../pwa/update';
import { useUiStore } from '../state/ui-store';

export function UpdateBanner() {
  const available = useUiStore((s) => s.updateAvailable);
  const dirtyCount = useUiStore((s) => s.dirtyForms.length);
  const [deferred, setDeferred] = useState(false);
  if (!available) return null;
  const onUpdate = async () => {
    const outcome = await requestUpdate();
    setDeferred(outcome === 'deferred');
  };
  return (
    <section className="update-banner" aria-labelledby="update-banner-title">
      <p id="update-banner-title" className="update-banner__title">
        {t('update.available')}
      </p>
      <div role="status" aria-live="polite">
        {deferred && dirtyCount > 0 ? <p>{t('update.waitingForForms')}</p> : null}
      </div>
      <button type="button" className="button button--primary" onClick={onUpdate}>
        {t('update.apply')}
      </button>
    </section>
  );
}
