import { t } from '../i18n';

export const MAIN_ID = 'contenu';

export function SkipLink() {
  return (
    <a className="skip-link" href={`#${MAIN_ID}`}>
      {t('shell.skipLink')}
    </a>
  );
}
