// /supervision: the notes awaiting validation, and one of them opened for review.
import { useLiveQuery } from 'dexie-react-hooks';
import { Link, Route, Routes, useParams } from 'react-router';
import { staffList } from '../../device/queries';
import { ConsultationWorkspace } from '../consultation/ConsultationWorkspace';
import { useDb } from '../data/device-data';
import { t } from '../i18n';
import { StaffPicker } from '../room/StaffPicker';
import { NotFound } from '../shell/NotFound';
import { PageTitle } from '../shell/PageTitle';
import { SupervisionList } from './SupervisionList';

function Review() {
  const { consultationId = '' } = useParams();
  return (
    <div className="stack">
      <p>
        <Link to="/supervision">{t('supervision.back')}</Link>
      </p>
      <ConsultationWorkspace consultationId={consultationId} />
    </div>
  );
}

export default function SupervisionScreen() {
  const db = useDb();
  const staff = useLiveQuery(async () => (db ? staffList(db, { activeOnly: true }) : []), [db]);
  const coordinators = (staff ?? [])
    .filter((s) => s.roles.includes('coordinateur'))
    .map((s) => s.id);
  return (
    <div className="stack">
      <PageTitle page={t('supervision.title')} />
      <div className="page-header">
        <h1>{t('supervision.title')}</h1>
        <StaffPicker staff={staff ?? []} suggested={coordinators} />
      </div>
      <Routes>
        <Route index element={<SupervisionList />} />
        <Route path=":consultationId" element={<Review />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </div>
  );
}
