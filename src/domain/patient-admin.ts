// A patient's administrative data, kept up to date at reception or by the coordination (issue
// #15 item 1): contacts and the consent to be contacted, the insurance scheme and coverage (C2S,
// AME), the ALD with its nature and exoneration. Not identity traits: a change is journalled by
// field name, never by value, and does not touch the identity's status. Pure: the identity page
// hands it a draft and writes the plan through the one write path.
import type { Patient, Regime } from './entities';
import { EMAIL_RE, INSEE_RE, PHONE_RE } from './registration';

export const REGIMES: readonly Regime[] = ['general', 'agricole', 'special', 'inconnu'];
export const COVERAGES: readonly Patient['coverage'][] = [
  'amo',
  'amo_amc',
  'c2s',
  'ame',
  'aucune',
  'inconnue',
];

/** The consent to be contacted as asked: yes, no, or not asked yet. */
export type ConsentAnswer = 'yes' | 'no' | 'unknown';

export interface AdminDraft {
  phone: string;
  email: string;
  address: string;
  communeInsee: string;
  contactConsent: ConsentAnswer;
  regime: Regime;
  coverage: Patient['coverage'];
  ald: boolean;
  aldNature: string;
  aldExoneration: boolean;
}

export type AdminField = keyof AdminDraft;
export type AdminErrors = Partial<Record<AdminField | 'form', string>>;

/** What the form starts from: the record as it is (absent schema-7 fields as « not known »). */
export function adminDraftOf(p: Patient): AdminDraft {
  return {
    phone: p.phone ?? '',
    email: p.email ?? '',
    address: p.address ?? '',
    communeInsee: p.communeInsee ?? '',
    contactConsent:
      p.contactConsent === true ? 'yes' : p.contactConsent === false ? 'no' : 'unknown',
    regime: p.regime ?? 'inconnu',
    coverage: p.coverage,
    ald: p.ald,
    aldNature: p.aldNature ?? '',
    aldExoneration: p.aldExoneration ?? false,
  };
}

type AdminSet = Partial<
  Pick<
    Patient,
    | 'phone'
    | 'email'
    | 'address'
    | 'communeInsee'
    | 'contactConsent'
    | 'regime'
    | 'coverage'
    | 'ald'
    | 'aldNature'
    | 'aldExoneration'
  >
>;

const orNull = (v: string): string | null => (v.trim() === '' ? null : v.trim());

/**
 * The fields to write for this draft, or one French message per field at fault. Without an ALD
 * its nature and exoneration are cleared; consent to be contacted needs a way to be contacted.
 */
export function planAdministrative(
  current: Patient,
  draft: AdminDraft,
): { ok: true; set: AdminSet; fields: AdminField[] } | { ok: false; errors: AdminErrors } {
  const errors: AdminErrors = {};
  const phone = orNull(draft.phone);
  const email = orNull(draft.email);
  if (phone && !PHONE_RE.test(phone)) {
    errors.phone = 'Le numéro de téléphone doit comporter 10 chiffres (ex. 06 12 34 56 78).';
  }
  if (email && !EMAIL_RE.test(email)) {
    errors.email = 'L’adresse e-mail n’est pas valide (ex. nom@exemple.fr).';
  }
  const commune = orNull(draft.communeInsee)?.toUpperCase() ?? null;
  if (commune && !INSEE_RE.test(commune)) {
    errors.communeInsee = 'Le code INSEE de la commune doit comporter 5 caractères (ex. 72181).';
  }
  if (draft.contactConsent === 'yes' && !phone && !email) {
    errors.contactConsent =
      'Pour que le patient puisse être recontacté, indiquez un téléphone ou une adresse e-mail.';
  }
  const aldNature = draft.ald ? orNull(draft.aldNature) : null;
  if (aldNature && aldNature.length > 200) {
    errors.aldNature = 'La nature de l’ALD tient en 200 caractères au plus.';
  }
  if (!draft.ald && (draft.aldExoneration || orNull(draft.aldNature))) {
    errors.ald =
      'Cochez d’abord « Affection de longue durée » pour en dire la nature ou l’exonération.';
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const next: AdminSet = {
    phone,
    email,
    address: orNull(draft.address),
    communeInsee: commune,
    contactConsent:
      draft.contactConsent === 'yes' ? true : draft.contactConsent === 'no' ? false : null,
    regime: draft.regime,
    coverage: draft.coverage,
    ald: draft.ald,
    aldNature,
    aldExoneration: draft.ald ? draft.aldExoneration : null,
  };
  const before = adminDraftOf(current);
  const now = adminDraftOf({ ...current, ...next } as Patient);
  const fields = (Object.keys(now) as AdminField[]).filter((k) => now[k] !== before[k]);
  if (fields.length === 0) {
    return {
      ok: false,
      errors: {
        form: 'Aucune modification à enregistrer : chaque valeur est déjà celle du dossier.',
      },
    };
  }
  const set: AdminSet = {};
  for (const f of fields) (set as Record<string, unknown>)[f] = next[f];
  return { ok: true, set, fields };
}
