import { useRooms } from '../data/device-data';
import { useUiStore } from '../state/ui-store';
import { HomeView } from './HomeView';

export function HomeScreen() {
  const rooms = useRooms();
  const profile = useUiStore((s) => s.profile);
  const roomId = useUiStore((s) => s.roomId);
  const chooseProfile = useUiStore((s) => s.chooseProfile);
  return (
    <HomeView
      rooms={rooms === null ? [] : rooms?.map((r) => ({ id: r.id, name: r.name }))}
      current={profile ? { profile, roomId } : null}
      onChoose={chooseProfile}
    />
  );
}
