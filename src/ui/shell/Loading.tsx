import { t } from '../i18n';

export function Loading() {
  return <p role="status">{t('app.loading')}</p>;
}

/** No device database could be opened: say so instead of showing empty screens. */
export function NoDatabase() {
  return (
    <p className="notice notice--error" role="alert">
      {t('errors.noDatabase')}
    </p>
  );
}
