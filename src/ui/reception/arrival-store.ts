// The arrival in progress at the desk (UI state, not rows): the search typed, the registration
// form being filled, the patient chosen. Kept in idb-keyval so a tab switch, a reload or a dead
// battery does not lose what reception typed; cleared once the check-in is recorded.
import { del, get, set } from 'idb-keyval';
import { create } from 'zustand';
import { createJSONStorage, persist, type StateStorage } from 'zustand/middleware';
import type { MtStatus } from '../../domain/entities';
import { EMPTY_REGISTRATION, type RegistrationInput } from '../../domain/registration';

export type ArrivalStep = 'search' | 'register' | 'checkin' | 'done';

/** The check-in form as typed (services in the order chosen). */
export interface CheckInDraft {
  patientId: string;
  appointment: string;
  motif: string;
  chosen: string[];
  /** The médecin traitant state asked at check-in (absent on drafts kept from before). */
  mtStatus?: MtStatus;
  /** Drafts kept from before the state was asked carried a tick only. */
  noMt?: boolean;
  ald: boolean;
  urgent: boolean;
  urgentReason: string;
}

export interface ArrivalState {
  step: ArrivalStep;
  query: string;
  form: RegistrationInput;
  patientId: string | null;
  appointmentId: string | null;
  checkin: CheckInDraft | null;
  /** Visit and tickets just recorded (step 'done'). */
  done: { visitId: string; tickets: string[] } | null;
  setQuery(query: string): void;
  startRegistration(prefill: Partial<RegistrationInput>): void;
  editForm(patch: Partial<RegistrationInput>): void;
  choosePatient(patientId: string, appointmentId?: string | null): void;
  editCheckIn(draft: CheckInDraft): void;
  finish(done: { visitId: string; tickets: string[] }): void;
  reset(): void;
}

const idbStorage: StateStorage = {
  getItem: async (name) => (await get<string>(name)) ?? null,
  setItem: (name, value) => set(name, value),
  removeItem: (name) => del(name),
};

const INITIAL = {
  step: 'search' as ArrivalStep,
  query: '',
  form: EMPTY_REGISTRATION,
  patientId: null,
  appointmentId: null,
  checkin: null,
  done: null,
};

export const useArrivalStore = create<ArrivalState>()(
  persist(
    (setState) => ({
      ...INITIAL,
      setQuery: (query) => {
        setState({ query });
      },
      startRegistration: (prefill) => {
        setState({ step: 'register', form: { ...EMPTY_REGISTRATION, ...prefill } });
      },
      editForm: (patch) => {
        setState((s) => ({ form: { ...s.form, ...patch } }));
      },
      choosePatient: (patientId, appointmentId = null) => {
        setState({ step: 'checkin', patientId, appointmentId, checkin: null });
      },
      editCheckIn: (checkin) => {
        setState({ checkin });
      },
      finish: (done) => {
        setState({ ...INITIAL, step: 'done', done });
      },
      reset: () => {
        setState({ ...INITIAL });
      },
    }),
    { name: 'escale.reception.arrival', version: 1, storage: createJSONStorage(() => idbStorage) },
  ),
);

/** A registration form holds typed text not yet saved as a patient. */
export function isFormStarted(form: RegistrationInput): boolean {
  return (Object.keys(form) as (keyof RegistrationInput)[]).some(
    (k) => form[k] !== EMPTY_REGISTRATION[k],
  );
}
