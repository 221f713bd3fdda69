import { useEffect } from 'react';
import { t } from '../i18n';

/**
 * The document title of a screen. Set from an effect rather than rendered as a <title>: React 19
 * hoists a rendered <title> into <head>, Preact (what ships, decision 0032) leaves it in the body
 * where it titles nothing. One screen shows at a time; the next one sets its own.
 */
export function PageTitle({ page }: { page: string }) {
  const title = t('app.pageTitle', { page });
  useEffect(() => {
    document.title = title;
  }, [title]);
  return null;
}
