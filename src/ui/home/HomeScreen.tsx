import { useConnection, useRooms } from '../data/device-data';
import { useUiStore } from '../state/ui-store';
import { HomeView } from './HomeView';
import { JoinOrganisation } from './JoinOrganisation';

export function HomeScreen() {
  const rooms = useRooms();
  const profile = useUiStore((s) => s.profile);
  const roomId = useUiStore((s) => s.roomId);
  const chooseProfile = useUiStore((s) => s.chooseProfile);
  const connection = useConnection();
  // An unconnected device first joins an organisation; the profiles need its data.
  if (connection === null) return <JoinOrganisation />;
  return (
    <HomeView
      rooms={rooms === null ? [] : rooms?.map((r) => ({ id: r.id, name: r.name }))}
      current={profile ? { profile, roomId } : null}
      onChoose={chooseProfile}
    />
  );
}
