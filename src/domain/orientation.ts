// Orientations followed to their outcome (issue 17 item 2, docs/design.md §1: bringing patients
// back to a médecin traitant is the truck's purpose). A consultation proposes several orientations,
// each with a purpose (find a médecin traitant, a specialist's opinion, follow-up care, social
// support) and a target (a doctor, an MSP, a CPTS, a specialist, a social service). The
// coordination follows each through its states:
//
//   proposé → contact pris → accepté → MT déclaré        (MT déclaré: a médecin traitant search only)
//                          ↘ refusé
//   any state before an outcome → abandonné (with a reason)
//
// The state is replicated as a status value (greatest epoch, rank wins, src/sync/merge.ts): a
// stale device never pulls an orientation back, and « MT déclaré » wins over a concurrent
// abandon. Every step is also kept, with its date and who, in the `steps` set.
import {
  type FollowedOrientation,
  ORIENTATION_RANK,
  type OrientationState,
  type OrientationStateName,
  type OrientationStep,
  orientationPurposeSchema,
  orientationTargetSchema,
} from './entities';

export type OrientationPurpose = FollowedOrientation['purpose'];
export type OrientationTarget = FollowedOrientation['target'];
export const ORIENTATION_PURPOSES = orientationPurposeSchema.options;
export const ORIENTATION_TARGETS = orientationTargetSchema.options;

export type OrientationAction = 'contact' | 'accept' | 'refuse' | 'declare_mt' | 'abandon';
export const ORIENTATION_ACTIONS: readonly OrientationAction[] = [
  'contact',
  'accept',
  'refuse',
  'declare_mt',
  'abandon',
];

const LABEL: Record<OrientationStateName, string> = {
  proposed: 'proposée',
  contacted: 'contact pris',
  accepted: 'acceptée',
  refused: 'refusée',
  mt_declared: 'médecin traitant déclaré',
  abandoned: 'abandonnée',
};

const FORWARD: Record<
  OrientationAction,
  { from: OrientationStateName[]; to: OrientationStateName }
> = {
  contact: { from: ['proposed'], to: 'contacted' },
  accept: { from: ['contacted'], to: 'accepted' },
  refuse: { from: ['contacted'], to: 'refused' },
  declare_mt: { from: ['accepted'], to: 'mt_declared' },
  abandon: { from: ['proposed', 'contacted', 'accepted', 'refused'], to: 'abandoned' },
};

const REFUSAL: Record<OrientationAction, string> = {
  contact: 'Seule une orientation proposée peut passer à « contact pris »',
  accept: 'Seule une orientation dont le contact est pris peut être acceptée',
  refuse: 'Seule une orientation dont le contact est pris peut être refusée',
  declare_mt: 'Le médecin traitant se déclare après l’acceptation du médecin',
  abandon: 'Une orientation arrivée à son terme ne peut plus être abandonnée',
};

/** Finished: nothing more to follow. */
export function isSettled(state: OrientationStateName): boolean {
  return state === 'mt_declared' || state === 'abandoned';
}

/** Still to follow on the worklist: not settled (a refusal waits for its next step or abandon). */
export function isToFollow(o: Pick<FollowedOrientation, 'state' | '_deleted'>): boolean {
  return !o._deleted && !isSettled(o.state.status);
}

export function stateLabel(state: OrientationStateName): string {
  return LABEL[state];
}

export interface StepInput {
  /** ISO instant of the step. */
  at: string;
  /** Staff id of the person who took it. */
  by: string;
  /** Why it was abandoned (required for an abandon, ignored otherwise). */
  reason?: string;
}

export type OrientationTransition =
  | { ok: true; state: OrientationState; step: OrientationStep }
  | { ok: false; reason: string };

/** The first state of a new orientation. */
export function proposedState(at: string, by: string): OrientationState {
  return { status: 'proposed', epoch: 0, rank: ORIENTATION_RANK.proposed, at, by, reason: null };
}

/**
 * Apply an action to an orientation's state. Refused with a French reason: a move the lifecycle
 * does not have, « MT déclaré » on an orientation that is not a médecin traitant search, an
 * abandon without its reason, a step without a person.
 */
export function orientationTransition(
  o: Pick<FollowedOrientation, 'purpose' | 'state'>,
  action: OrientationAction,
  input: StepInput,
): OrientationTransition {
  const current = o.state.status;
  const rule = FORWARD[action];
  if (!rule.from.includes(current)) {
    return { ok: false, reason: `${REFUSAL[action]} (état actuel : ${LABEL[current]}).` };
  }
  if (action === 'declare_mt' && o.purpose !== 'medecin_traitant') {
    return {
      ok: false,
      reason:
        'Seule une orientation vers un médecin traitant peut aboutir à « médecin traitant déclaré ».',
    };
  }
  const reason = (input.reason ?? '').trim();
  if (action === 'abandon' && reason === '') {
    return { ok: false, reason: 'Indiquer pourquoi l’orientation est abandonnée.' };
  }
  if (action === 'abandon' && reason.length > 200) {
    return { ok: false, reason: 'La raison de l’abandon dépasse 200 caractères.' };
  }
  if (input.by.trim() === '') {
    return { ok: false, reason: 'Choisir qui est au poste avant de suivre une orientation.' };
  }
  const to = rule.to;
  const stepReason = action === 'abandon' ? reason : null;
  return {
    ok: true,
    state: {
      status: to,
      epoch: o.state.epoch,
      rank: ORIENTATION_RANK[to],
      at: input.at,
      by: input.by,
      reason: stepReason,
    },
    step: { state: to, at: input.at, by: input.by, reason: stepReason },
  };
}

/** The actions a screen offers for an orientation (those the lifecycle accepts). */
export function allowedOrientationActions(
  o: Pick<FollowedOrientation, 'purpose' | 'state'>,
): OrientationAction[] {
  return ORIENTATION_ACTIONS.filter(
    (a) => orientationTransition(o, a, { at: o.state.at, by: 'x', reason: 'x' }).ok,
  );
}

// ---- a new orientation ----

export interface NewOrientationInput {
  purpose: OrientationPurpose | '';
  target: OrientationTarget | '';
  targetName: string;
  note: string;
}

export type NewOrientationField = 'purpose' | 'target' | 'targetName' | 'note';
export type NewOrientationErrors = Partial<Record<NewOrientationField, string>>;

/** One French message per field at fault (empty: the orientation may be recorded). */
export function newOrientationErrors(input: NewOrientationInput): NewOrientationErrors {
  const errors: NewOrientationErrors = {};
  if (!(ORIENTATION_PURPOSES as readonly string[]).includes(input.purpose)) {
    errors.purpose = 'Choisir le but de l’orientation.';
  }
  if (!(ORIENTATION_TARGETS as readonly string[]).includes(input.target)) {
    errors.target = 'Choisir vers qui le patient est orienté.';
  } else if (input.purpose === 'medecin_traitant' && input.target === 'social_service') {
    errors.target = 'Un médecin traitant se cherche auprès d’un médecin, d’une MSP ou d’une CPTS.';
  }
  const name = input.targetName.trim();
  if (name === '') errors.targetName = 'Indiquer le nom du médecin, de la structure ou du service.';
  else if (name.length > 200) errors.targetName = 'Le nom dépasse 200 caractères.';
  if (input.note.trim().length > 200) errors.note = 'La remarque dépasse 200 caractères.';
  return errors;
}

/** The orientation's step at a state, if it was reached (the latest such step). */
export function stepAt(
  o: Pick<FollowedOrientation, 'steps'>,
  state: OrientationStateName,
): OrientationStep | undefined {
  return [...o.steps].filter((s) => s.state === state).sort((a, b) => b.at.localeCompare(a.at))[0];
}
