// UI state only (docs/design.md §7): which profile and room this device plays, whether an update waits,
// which forms hold unsaved edits. Never rows of the database. The profile and room are small
// device preferences persisted in idb-keyval, apart from the domain database.
import { del, get, set } from 'idb-keyval';
import { create } from 'zustand';
import { createJSONStorage, persist, type StateStorage } from 'zustand/middleware';

export type Profile = 'reception' | 'room' | 'coordination' | 'display';

export interface UiState {
  profile: Profile | null;
  roomId: string | null;
  /** A new service worker is installed and waits for the user's go-ahead. */
  updateAvailable: boolean;
  /** Ids of the forms with edits not yet written; an update never reloads over them. */
  dirtyForms: string[];
  /** French message from start-up the user must see (e.g. the database was wiped). */
  startNotice: string | null;
  /** Staff member working on this device now (stamps every write; unlocked by their PIN). */
  staffId: string | null;
  /** The screen is locked (patient data hidden) or shows the PIN setup. */
  lock: 'open' | 'locked' | 'setup';
  /** The waiting-room screen's sound, set on the screen itself and kept on this device. */
  displaySound: DisplaySound;
  /** The coordination's recall intervals (months after the last visit), kept on this device. */
  recallMonths: number[];
  setRecallMonths(months: number[]): void;
  setDisplaySound(sound: Partial<DisplaySound>): void;
  setLock(lock: 'open' | 'locked' | 'setup'): void;
  setStaff(staffId: string | null): void;
  chooseProfile(profile: Profile, roomId?: string | null): void;
  forgetProfile(): void;
  setUpdateAvailable(available: boolean): void;
  setFormDirty(formId: string, dirty: boolean): void;
  setStartNotice(message: string | null): void;
}

export interface DisplaySound {
  /** A chime at each call. */
  chime: boolean;
  /** The call read out in French by the browser's speech synthesis (ticket and room only). */
  speech: boolean;
}

export const UI_STORE_KEY = 'escale.ui';

const idbStorage: StateStorage = {
  getItem: async (name) => (await get<string>(name)) ?? null,
  setItem: (name, value) => set(name, value),
  removeItem: (name) => del(name),
};

export const useUiStore = create<UiState>()(
  persist(
    (setState) => ({
      profile: null,
      roomId: null,
      updateAvailable: false,
      dirtyForms: [],
      startNotice: null,
      staffId: null,
      lock: 'open',
      // Off until someone turns them on: a screen must not start talking in a room unasked.
      displaySound: { chime: false, speech: false },
      recallMonths: [1, 3],
      setRecallMonths: (recallMonths) => {
        setState({ recallMonths });
      },
      setDisplaySound: (sound) => {
        setState((s) => ({ displaySound: { ...s.displaySound, ...sound } }));
      },
      setLock: (lock) => {
        setState({ lock });
      },
      setStaff: (staffId) => {
        setState({ staffId });
      },
      // Block bodies: persist's setState returns a promise that callers must not mistake for work.
      chooseProfile: (profile, roomId = null) => {
        setState({ profile, roomId: profile === 'room' ? roomId : null });
      },
      forgetProfile: () => {
        setState({ profile: null, roomId: null });
      },
      setUpdateAvailable: (updateAvailable) => {
        setState({ updateAvailable });
      },
      setStartNotice: (startNotice) => {
        setState({ startNotice });
      },
      setFormDirty: (formId, dirty) => {
        setState((s) => {
          const has = s.dirtyForms.includes(formId);
          if (dirty === has) return s;
          return {
            dirtyForms: dirty
              ? [...s.dirtyForms, formId]
              : s.dirtyForms.filter((f) => f !== formId),
          };
        });
      },
    }),
    {
      name: UI_STORE_KEY,
      version: 1,
      storage: createJSONStorage(() => idbStorage),
      // Only the device's role (and the display's sound) are preferences; update and dirty flags
      // belong to this page's life.
      partialize: (s) => ({
        profile: s.profile,
        roomId: s.roomId,
        staffId: s.staffId,
        displaySound: s.displaySound,
        recallMonths: s.recallMonths,
      }),
    },
  ),
);

export function hasDirtyForms(state: Pick<UiState, 'dirtyForms'> = useUiStore.getState()): boolean {
  return state.dirtyForms.length > 0;
}

/** Forgets this device's preferences (profile, room, person): the device was withdrawn. */
export async function clearUiState(): Promise<void> {
  useUiStore.setState({ profile: null, roomId: null, staffId: null, lock: 'open' });
  await useUiStore.persist.clearStorage();
}
