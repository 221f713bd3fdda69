// A consultation room (box or salle): its queue and calls, the patient inside with the note,
// and any note of the room opened by its address.
import { Link, Route, Routes, useParams } from 'react-router';
import { ConsultationWorkspace } from '../consultation/ConsultationWorkspace';
import { todayOf, useDay, useNow } from '../data/device-data';
import { t } from '../i18n';
import { Loading, NoDatabase } from '../shell/Loading';
import { NotFound } from '../shell/NotFound';
import { RoomPage } from './RoomPage';

function NotePage({ roomId }: { roomId: string }) {
  const { consultationId = '' } = useParams();
  return (
    <div className="stack">
      <p>
        <Link to={`/salle/${roomId}`}>{t('room.backToRoom')}</Link>
      </p>
      <ConsultationWorkspace consultationId={consultationId} />
    </div>
  );
}

export default function RoomScreen() {
  const { roomId = '' } = useParams();
  const now = useNow(15_000);
  const rows = useDay(todayOf(now));
  if (rows === undefined) return <Loading />;
  if (rows === null) return <NoDatabase />;
  return (
    <Routes>
      <Route index element={<RoomPage rows={rows} roomId={roomId} now={now} />} />
      <Route path="consultation/:consultationId" element={<NotePage roomId={roomId} />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
