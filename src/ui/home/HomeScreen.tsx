import { useConnection, useRooms } from '../data/device-data';
import { t } from '../i18n';
import { isProfile } from '../shell/profiles';
import { useUiStore } from '../state/ui-store';
import { EnrolledHomeView, HomeView } from './HomeView';
import { JoinOrganisation } from './JoinOrganisation';

export function HomeScreen() {
  const rooms = useRooms();
  const profile = useUiStore((s) => s.profile);
  const roomId = useUiStore((s) => s.roomId);
  const chooseProfile = useUiStore((s) => s.chooseProfile);
  const connection = useConnection();
  // An unconnected device first enrols with a code; the profiles need its data.
  if (connection === null) return <JoinOrganisation />;
  if (connection === undefined) return <p role="status">{t('app.loading')}</p>;
  const credential = connection.credential;
  if (credential && isProfile(credential.profile)) {
    return (
      <EnrolledHomeView
        name={credential.name}
        orgName={credential.orgName}
        profile={credential.profile}
        roomId={credential.roomId}
        roomName={rooms?.find((r) => r.id === credential.roomId)?.name}
        onChoose={chooseProfile}
      />
    );
  }
  return (
    <HomeView
      rooms={rooms === null ? [] : rooms?.map((r) => ({ id: r.id, name: r.name }))}
      current={profile ? { profile, roomId } : null}
      onChoose={chooseProfile}
    />
  );
}
