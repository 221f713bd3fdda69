import { todayOf, useDay, useNow } from '../data/device-data';
import { Loading, NoDatabase } from '../shell/Loading';
import { DisplayView } from './DisplayView';
import { displayModel } from './display-model';

export default function DisplayScreen() {
  const rows = useDay(todayOf(useNow()));
  if (rows === undefined) return <Loading />;
  if (rows === null) return <NoDatabase />;
  // Patients are deliberately not passed: the waiting-room screen shows tickets, never names.
  const { stop, entries, services, rooms, visits } = rows.day;
  return (
    <DisplayView
      model={displayModel({ stopId: stop?.id ?? null, entries, services, rooms, visits })}
    />
  );
}
