import { todayOf, useDay, useNow } from '../data/device-data';
import { Loading, NoDatabase } from '../shell/Loading';
import { CoordinationView } from './CoordinationView';
import { coordinationModel } from './coordination-model';

export default function CoordinationScreen() {
  const now = useNow();
  const rows = useDay(todayOf(now));
  if (rows === undefined) return <Loading />;
  if (rows === null) return <NoDatabase />;
  return <CoordinationView stop={rows.day.stop} model={coordinationModel(rows.day, now)} />;
}
