import { t } from '../i18n';

/** The document title of a screen (React 19 hoists <title> into <head>). */
export function PageTitle({ page }: { page: string }) {
  return <title>{t('app.pageTitle', { page })}</title>;
}
