import { useParams } from 'react-router';
import { todayOf, useDay, useNow } from '../data/device-data';
import { Loading, NoDatabase } from '../shell/Loading';
import { RoomView } from './RoomView';
import { roomModel } from './room-model';

export default function RoomScreen() {
  const { roomId = '' } = useParams();
  const now = useNow();
  const rows = useDay(todayOf(now));
  if (rows === undefined) return <Loading />;
  if (rows === null) return <NoDatabase />;
  return <RoomView model={roomModel(rows.day, rows.patients, roomId, now)} />;
}
