// The life of an identity after its creation (docs/design.md §4.2, INS / RNIV): correction of a
// trait with its previous value kept, qualification (document checked, RNIV attributes), the
// provisional identity of a walk-in, and the merge of two identities of one person. Pure: the
// caller passes today's date and the rows; replication only carries the fields these rules set.
import {
  canSetStatus,
  type IdentityStatus,
  identityTraitsErrors,
  isIsoDate,
  STRICT_TRAIT_LABELS,
  STRICT_TRAITS,
  type StrictTrait,
} from './identity';
import { parseNir } from './nir';
import { foldName } from './text';

// ---------------------------------------------------------------------------------------------
// Documents and RNIV attributes
// ---------------------------------------------------------------------------------------------

export const ID_DOCUMENT_KINDS = [
  'cni',
  'passeport',
  'titre_sejour',
  'livret_famille',
  'acte_naissance',
] as const;
export type IdDocumentKind = (typeof ID_DOCUMENT_KINDS)[number];

export const ID_DOCUMENT_LABELS: Readonly<Record<IdDocumentKind, string>> = {
  cni: 'Carte nationale d’identité',
  passeport: 'Passeport',
  titre_sejour: 'Titre de séjour',
  livret_famille: 'Livret de famille',
  acte_naissance: 'Extrait d’acte de naissance',
};

/** RNIV: the high-trust documents that validate anyone's identity. The family book and the
 * birth certificate only validate a minor's (shown with a parent's own document). */
const HIGH_TRUST: ReadonlySet<IdDocumentKind> = new Set(['cni', 'passeport', 'titre_sejour']);

export const IDENTITY_ATTRIBUTES = ['douteuse', 'fictive', 'homonyme'] as const;
export type IdentityAttribute = (typeof IDENTITY_ATTRIBUTES)[number];

export const IDENTITY_ATTRIBUTE_LABELS: Readonly<Record<IdentityAttribute, string>> = {
  douteuse: 'identité douteuse',
  fictive: 'identité fictive',
  homonyme: 'homonyme',
};

/** Attributes that keep an identity « provisoire » (RNIV: a doubtful or fictitious identity is
 * never validated). */
const PROVISIONAL_ONLY: ReadonlySet<IdentityAttribute> = new Set(['douteuse', 'fictive']);

/** Age in whole years on `today` ('YYYY-MM-DD' both). */
export function ageOn(birthDate: string, today: string): number {
  const years = Number(today.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return today.slice(5) < birthDate.slice(5) ? years - 1 : years;
}

/** Why this document cannot validate this person's identity, or null when it can. */
export function documentRefusal(
  kind: IdDocumentKind | null | undefined,
  birthDate: string,
  today: string,
): string | null {
  if (!kind) {
    return 'Indiquer la pièce d’identité contrôlée : le statut « validée » l’exige.';
  }
  if (HIGH_TRUST.has(kind)) return null;
  if (isIsoDate(birthDate) && ageOn(birthDate, today) < 18) return null;
  return `${ID_DOCUMENT_LABELS[kind]} : cette pièce ne valide que l’identité d’un mineur ; pour un adulte, contrôler une carte d’identité, un passeport ou un titre de séjour.`;
}

/** The status screens and rules use: a doubtful or fictitious identity is « provisoire » whatever
 * a concurrent write set on its status (two devices may each set one half). */
export function effectiveIdentityStatus(p: {
  identityStatus: IdentityStatus;
  identityAttributes?: readonly string[] | null;
}): IdentityStatus {
  const attrs = p.identityAttributes ?? [];
  return attrs.some((a) => PROVISIONAL_ONLY.has(a as IdentityAttribute))
    ? 'provisoire'
    : p.identityStatus;
}

// ---------------------------------------------------------------------------------------------
// Qualification
// ---------------------------------------------------------------------------------------------

export interface QualificationInput {
  status: IdentityStatus;
  document: IdDocumentKind | null;
  attributes: readonly IdentityAttribute[];
}

export type QualificationErrors = Partial<Record<'status' | 'document' | 'attributes', string>>;

export interface QualificationPlan {
  identityStatus: IdentityStatus;
  /** Recorded with « validée » only. */
  identityDocument: IdDocumentKind | null;
  identityAttributes: IdentityAttribute[];
}

/**
 * The qualification of an identity as its fields, or one French message per part at fault.
 * Offline only « provisoire » and « validée » can be set (canSetStatus).
 */
export function planQualification(
  input: QualificationInput,
  ctx: { birthDate: string; today: string; online: boolean },
): { ok: true; plan: QualificationPlan } | { ok: false; errors: QualificationErrors } {
  const errors: QualificationErrors = {};
  const attributes = IDENTITY_ATTRIBUTES.filter((a) => input.attributes.includes(a));
  const status = canSetStatus(input.status, {
    online: ctx.online,
    idDocumentChecked: input.document !== null,
    // INSi answers come from the téléservice, not from a person at the desk.
    insiQualified: false,
  });
  if (input.status === 'validee') {
    const refusal = documentRefusal(input.document, ctx.birthDate, ctx.today);
    if (refusal) errors.document = refusal;
  } else if (!status.ok) {
    errors.status = status.reason;
  }
  const blocking = attributes.filter((a) => PROVISIONAL_ONLY.has(a));
  if (blocking.length > 0 && input.status !== 'provisoire') {
    errors.attributes = `Une ${blocking.map((a) => IDENTITY_ATTRIBUTE_LABELS[a]).join(' ou ')} reste « provisoire » : retirer l’attribut ou garder le statut provisoire.`;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    plan: {
      identityStatus: input.status,
      identityDocument: input.status === 'validee' ? input.document : null,
      identityAttributes: attributes,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Walk-in with only a name and a birth date
// ---------------------------------------------------------------------------------------------

/** INSEE code of an unknown birth place (« pays inconnu »). */
export const UNKNOWN_BIRTH_PLACE = '99999';

/** What a walk-in who can only say their name and birth date gets for the other strict traits:
 * sex « indéterminé » (I), birth place unknown, status « provisoire ». */
export const WALK_IN_DEFAULTS = {
  sex: 'I',
  birthPlaceCode: UNKNOWN_BIRTH_PLACE,
  identityStatus: 'provisoire',
} as const;

// ---------------------------------------------------------------------------------------------
// Correction
// ---------------------------------------------------------------------------------------------

/** Traits reception and coordination may correct: the strict ones, the used names, the NIR. */
export const CORRECTABLE_TRAITS = [...STRICT_TRAITS, 'usedName', 'usedFirstName', 'nir'] as const;
export type CorrectableTrait = (typeof CORRECTABLE_TRAITS)[number];

export const CORRECTABLE_LABELS: Readonly<Record<CorrectableTrait, string>> = {
  ...STRICT_TRAIT_LABELS,
  usedName: 'Nom d’usage',
  usedFirstName: 'Prénom d’usage',
  nir: 'NIR',
};

/** The identity fields a correction reads and writes. */
export interface CorrectableIdentity {
  birthName: string;
  firstNames: string;
  sex: string;
  birthDate: string;
  birthPlaceCode: string;
  usedName: string | null;
  usedFirstName: string | null;
  nir: string | null;
  identityStatus: IdentityStatus;
  identityDocument?: IdDocumentKind | null;
  identityAttributes?: readonly string[] | null;
}

export interface TraitChange {
  field: CorrectableTrait;
  before: string | null;
  after: string | null;
}

export interface CorrectionPlan {
  /** The fields to write on the patient row. */
  set: Partial<Record<CorrectableTrait, string | null>> & {
    identityStatus?: IdentityStatus;
    identityDocument?: IdDocumentKind | null;
  };
  /** Each changed trait with its previous value, for the history. */
  changes: TraitChange[];
  /** A strict trait changed on a « validée » (or better) identity without a new check. */
  statusDropped: boolean;
}

export type CorrectionErrors = Partial<Record<CorrectableTrait | 'document' | 'form', string>>;

function normalise(field: CorrectableTrait, value: string): string | null {
  const v = value.trim();
  switch (field) {
    case 'firstNames':
      return v.replace(/\s+/gu, ' ');
    case 'birthPlaceCode':
      return v.toUpperCase();
    case 'usedName':
    case 'usedFirstName':
    case 'nir':
      return v === '' ? null : field === 'nir' ? v.replace(/\s+/gu, '').toUpperCase() : v;
    default:
      return v;
  }
}

/**
 * A correction of some traits as the fields to write and the changes to keep, or one French
 * message per field at fault. A strict trait changed on an identity better than « provisoire »
 * drops it to « provisoire » unless a document was re-checked in the same action
 * (`recheckedDocument`), which keeps it « validée » (an INSi qualification does not survive).
 */
export function planCorrection(
  current: CorrectableIdentity,
  patch: Partial<Record<CorrectableTrait, string>>,
  options: { recheckedDocument: IdDocumentKind | null; today: string },
): { ok: true; plan: CorrectionPlan } | { ok: false; errors: CorrectionErrors } {
  const changes: TraitChange[] = [];
  const next: Record<string, string | null> = {};
  for (const field of CORRECTABLE_TRAITS) {
    const raw = patch[field];
    if (raw === undefined) continue;
    const after = normalise(field, raw);
    const before = (current[field] ?? null) as string | null;
    if (after !== before) {
      changes.push({ field, before, after });
      next[field] = after;
    }
  }
  const errors: CorrectionErrors = {};
  const merged = { ...current, ...next };
  const strictChanged = changes.some((c) => (STRICT_TRAITS as readonly string[]).includes(c.field));
  if (strictChanged) {
    for (const e of identityTraitsErrors(
      Object.fromEntries(STRICT_TRAITS.map((t) => [t, merged[t] as string])) as Record<
        StrictTrait,
        string
      >,
      options.today,
    )) {
      if (e.trait in next) errors[e.trait] = e.message;
    }
  }
  if (next.nir) {
    const nir = parseNir(next.nir);
    if (!nir.ok) errors.nir = nir.message;
    else {
      next.nir = nir.nir;
      const change = changes.find((c) => c.field === 'nir');
      if (change) change.after = nir.nir;
    }
  }
  if (options.recheckedDocument !== null) {
    const refusal = documentRefusal(
      options.recheckedDocument,
      merged.birthDate as string,
      options.today,
    );
    if (refusal) errors.document = refusal;
  }
  if (changes.length === 0 && Object.keys(errors).length === 0) {
    errors.form = 'Aucune modification à enregistrer : chaque valeur est déjà celle du dossier.';
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const set: CorrectionPlan['set'] = { ...next };
  const trusted = current.identityStatus !== 'provisoire';
  let statusDropped = false;
  if (strictChanged && options.recheckedDocument !== null) {
    set.identityStatus = 'validee';
    set.identityDocument = options.recheckedDocument;
  } else if (strictChanged && trusted) {
    set.identityStatus = 'provisoire';
    set.identityDocument = null;
    statusDropped = true;
  }
  return { ok: true, plan: { set, changes, statusDropped } };
}

// ---------------------------------------------------------------------------------------------
// Merge
// ---------------------------------------------------------------------------------------------

export interface MergeNode {
  id: string;
  mergedInto?: string | null;
}

/**
 * Each held identity → the identity it is resolved to (itself when it was not merged). Pointers
 * are followed through chains; a pointer to an identity this replica does not hold yet stops
 * there. Two devices merging each identity into the other at once make a cycle: its smallest id
 * survives, so every replica that holds the same pointers resolves the same way.
 */
export function survivorMap(nodes: readonly MergeNode[]): Map<string, string> {
  const pointer = new Map<string, string | null>();
  for (const n of nodes) pointer.set(n.id, n.mergedInto ?? null);
  const out = new Map<string, string>();
  for (const start of pointer.keys()) {
    if (out.has(start)) continue;
    const path: string[] = [];
    const onPath = new Map<string, number>();
    let at = start;
    let survivor = start;
    for (;;) {
      const known = out.get(at);
      if (known !== undefined) {
        survivor = known;
        break;
      }
      const seen = onPath.get(at);
      if (seen !== undefined) {
        const cycle = path.slice(seen);
        survivor = [...cycle].sort()[0] ?? at;
        break;
      }
      onPath.set(at, path.length);
      path.push(at);
      const to = pointer.get(at);
      if (to === null || to === undefined || !pointer.has(to)) {
        survivor = at;
        break;
      }
      at = to;
    }
    for (const id of path) out.set(id, survivor);
  }
  return out;
}

/** The identity `id` resolves to (itself when unknown or not merged). */
export function resolveIdentity(id: string, survivors: ReadonlyMap<string, string>): string {
  return survivors.get(id) ?? id;
}

/** Every held id resolving to `survivor`, the survivor first. */
export function mergeGroup(survivor: string, survivors: ReadonlyMap<string, string>): string[] {
  const others = [...survivors]
    .filter(([id, s]) => s === survivor && id !== survivor)
    .map(([id]) => id)
    .sort();
  return [survivor, ...others];
}

/** Rows that name a patient (visits, consultations, bookings…) with their patient resolved. */
export function followMerges<T extends { patientId: string }>(
  rows: readonly T[],
  survivors: ReadonlyMap<string, string>,
): T[] {
  return rows.map((r) => {
    const to = resolveIdentity(r.patientId, survivors);
    return to === r.patientId ? r : { ...r, patientId: to };
  });
}

export interface TraitDifference {
  trait: StrictTrait;
  label: string;
  survivor: string;
  absorbed: string;
}

const sameTrait = (trait: StrictTrait, a: string, b: string) =>
  trait === 'birthName' || trait === 'firstNames'
    ? foldName(a) === foldName(b)
    : a.trim().toUpperCase() === b.trim().toUpperCase();

/** The strict traits on which two identities disagree (names compared without accents/case). */
export function strictDifferences(
  survivor: Pick<CorrectableIdentity, StrictTrait>,
  absorbed: Pick<CorrectableIdentity, StrictTrait>,
): TraitDifference[] {
  return STRICT_TRAITS.filter((t) => !sameTrait(t, survivor[t] ?? '', absorbed[t] ?? '')).map(
    (t) => ({
      trait: t,
      label: STRICT_TRAIT_LABELS[t],
      survivor: survivor[t] ?? '',
      absorbed: absorbed[t] ?? '',
    }),
  );
}

export type MergeDecision =
  | { ok: true; survivorId: string; absorbedId: string; differences: TraitDifference[] }
  | { ok: false; reason: string; differences?: TraitDifference[] };

type MergeCandidate = MergeNode & Pick<CorrectableIdentity, StrictTrait>;

/**
 * Whether `absorbed` may be merged into `survivor` now. Both are resolved first (merging into a
 * merged identity merges into its survivor). Strict traits that differ need `confirmed`.
 */
export function planMerge(
  survivor: MergeCandidate,
  absorbed: MergeCandidate,
  rows: readonly MergeCandidate[],
  options: { confirmed: boolean },
): MergeDecision {
  const survivors = survivorMap(rows);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const s = byId.get(resolveIdentity(survivor.id, survivors)) ?? survivor;
  const a = byId.get(resolveIdentity(absorbed.id, survivors)) ?? absorbed;
  if (s.id === a.id) {
    return { ok: false, reason: 'Ces deux dossiers sont déjà un seul dossier : rien à fusionner.' };
  }
  const differences = strictDifferences(s, a);
  if (differences.length > 0 && !options.confirmed) {
    return {
      ok: false,
      reason: `Ces identités diffèrent sur ${differences.length === 1 ? 'un trait strict' : `${differences.length} traits stricts`} : vérifier qu’il s’agit bien de la même personne, puis confirmer la fusion.`,
      differences,
    };
  }
  return { ok: true, survivorId: s.id, absorbedId: a.id, differences };
}

/**
 * Whether a merge recorded at `mergedAt` may still be undone `now`: the same local day, and the
 * absorbed identity still points to the same survivor.
 */
export function undoMergeRefusal(
  absorbed: MergeNode,
  merge: { survivorId: string; at: string },
  now: string,
  localDateOf: (iso: string) => string,
): string | null {
  if (absorbed.mergedInto !== merge.survivorId) {
    return 'Cette fusion a déjà été annulée ou remplacée : rien à annuler.';
  }
  if (localDateOf(merge.at) !== localDateOf(now)) {
    return 'Une fusion ne s’annule que le jour même ; ensuite, demander à la coordination de corriger le dossier.';
  }
  return null;
}
