import { todayOf, useDay, useNow } from '../data/device-data';
import { Loading, NoDatabase } from '../shell/Loading';
import { ReceptionView } from './ReceptionView';
import { receptionModel } from './reception-model';

export default function ReceptionScreen() {
  const rows = useDay(todayOf(useNow()));
  if (rows === undefined) return <Loading />;
  if (rows === null) return <NoDatabase />;
  return <ReceptionView model={receptionModel(rows.day, rows.patients)} />;
}
