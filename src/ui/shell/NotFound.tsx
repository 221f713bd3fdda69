import { Link } from 'react-router';
import { t } from '../i18n';
import { PageTitle } from './PageTitle';

export function NotFound() {
  return (
    <div className="stack">
      <PageTitle page={t('errors.notFoundTitle')} />
      <h1>{t('errors.notFoundTitle')}</h1>
      <p>{t('errors.notFoundBody')}</p>
      <p>
        <Link className="button" to="/">
          {t('errors.backHome')}
        </Link>
      </p>
    </div>
  );
}
