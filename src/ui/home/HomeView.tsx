// Home: choose what this device is — reception, a room (then which one), coordination or the
// waiting-room display — plus the device-health link. The choice is remembered on the device.
// An enrolled device plays only the profile (and room) of its credential: one big button.
import { useId, useState } from 'react';
import { Link } from 'react-router';
import { t } from '../i18n';
import { PageTitle } from '../shell/PageTitle';
import { profileLabel, profilePath } from '../shell/profiles';
import type { Profile } from '../state/ui-store';

export interface RoomChoice {
  id: string;
  name: string;
}

export interface HomeViewProps {
  /** undefined while the rooms are being read. */
  rooms: RoomChoice[] | undefined;
  /** The profile this device played last, to resume it in one tap. */
  current: { profile: Profile; roomId: string | null } | null;
  onChoose(profile: Profile, roomId?: string): void;
}

export function HomeView({ rooms, current, onChoose }: HomeViewProps) {
  const [roomsOpen, setRoomsOpen] = useState(false);
  const roomListId = useId();
  const currentRoom = current?.roomId ? rooms?.find((r) => r.id === current.roomId) : undefined;
  const canResume = current && (current.profile !== 'room' || currentRoom);
  const simple = (profile: Exclude<Profile, 'room'>) => (
    <li>
      <Link className="choice" to={profilePath(profile)} onClick={() => onChoose(profile)}>
        <span className="choice__title">{t(`profiles.${profile}`)}</span>{' '}
        <span>{t(`profileHints.${profile}`)}</span>
      </Link>
    </li>
  );
  return (
    <div className="stack">
      <PageTitle page={t('home.title')} />
      <h1>{t('home.title')}</h1>
      <p>{t('home.intro')}</p>
      {canResume ? (
        <p>
          <Link
            className="button button--primary"
            to={profilePath(current.profile, current.roomId)}
          >
            {t('home.resume', { profile: profileLabel(current.profile, currentRoom?.name) })}
          </Link>
        </p>
      ) : null}
      <ul className="choice-list">
        {simple('reception')}
        <li>
          <button
            type="button"
            className="choice"
            aria-expanded={roomsOpen}
            aria-controls={roomListId}
            onClick={() => setRoomsOpen((open) => !open)}
          >
            <span className="choice__title">{t('profiles.room')}</span>{' '}
            <span>{t('profileHints.room')}</span>
          </button>
        </li>
        {simple('coordination')}
        {simple('display')}
      </ul>
      <section id={roomListId} hidden={!roomsOpen} aria-labelledby={`${roomListId}-title`}>
        <h2 id={`${roomListId}-title`}>{t('home.chooseRoom')}</h2>
        {rooms === undefined ? (
          <p>{t('app.loading')}</p>
        ) : rooms.length === 0 ? (
          <p>{t('home.noRooms')}</p>
        ) : (
          <ul className="choice-list">
            {rooms.map((room) => (
              <li key={room.id}>
                <Link
                  className="choice"
                  to={profilePath('room', room.id)}
                  onClick={() => onChoose('room', room.id)}
                >
                  <span className="choice__title">{room.name}</span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>
      <p>
        <Link className="choice" to="/appareil">
          <span className="choice__title">{t('shell.deviceHealth')}</span>{' '}
          <span>{t('home.deviceHealthHint')}</span>
        </Link>
      </p>
    </div>
  );
}

export interface EnrolledHomeViewProps {
  /** The device's name and organisation, as the coordination enrolled it. */
  name: string;
  orgName: string;
  profile: Profile;
  roomId: string | null;
  /** The room's name once the rooms are on the device. */
  roomName: string | null | undefined;
  onChoose(profile: Profile, roomId?: string): void;
}

export function EnrolledHomeView({
  name,
  orgName,
  profile,
  roomId,
  roomName,
  onChoose,
}: EnrolledHomeViewProps) {
  const label = profileLabel(profile, roomName);
  return (
    <div className="stack">
      <PageTitle page={t('home.enrolledTitle', { name })} />
      <h1>{t('home.enrolledTitle', { name })}</h1>
      <p>{t('home.enrolledIntro', { org: orgName, profile: label })}</p>
      <p>
        <Link
          className="button button--primary button--big"
          to={profilePath(profile, roomId)}
          onClick={() => onChoose(profile, roomId ?? undefined)}
        >
          {t('home.open', { profile: label })}
        </Link>
      </p>
      <p className="muted">{t('home.enrolledHint')}</p>
      <p>
        <Link className="choice" to="/appareil">
          <span className="choice__title">{t('shell.deviceHealth')}</span>{' '}
          <span>{t('home.deviceHealthHint')}</span>
        </Link>
      </p>
    </div>
  );
}
