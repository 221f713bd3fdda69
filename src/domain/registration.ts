// Registration at reception (docs/design.md §2, §4.2): the form as typed becomes a patient row, or a
// French message for every field at fault. Pure: the caller passes today's date and connectivity.
import type { Patient } from './entities';
import { canSetStatus, type IdentityStatus, identityTraitsErrors, isIsoDate } from './identity';
import { documentRefusal, type IdDocumentKind } from './identity-lifecycle';
import { nirMatchesIdentity, parseNir } from './nir';

/** The registration form, as strings and booleans straight from the inputs. */
export interface RegistrationInput {
  birthName: string;
  usedName: string;
  firstNames: string;
  usedFirstName: string;
  sex: string;
  birthDate: string;
  birthPlaceCode: string;
  identityStatus: IdentityStatus;
  /** The ID document checked at the desk ('' when none): recorded with « validée », which
   * requires one (src/domain/identity-lifecycle.ts, documentRefusal). */
  idDocument: IdDocumentKind | '';
  nir: string;
  phone: string;
  email: string;
  address: string;
  communeInsee: string;
  coverage: Patient['coverage'];
  mtStatus: Patient['mtStatus'];
  mtName: string;
  ald: boolean;
  allergies: string;
}

export type RegistrationField = keyof RegistrationInput;
export type RegistrationErrors = Partial<Record<RegistrationField, string>>;

export const EMPTY_REGISTRATION: RegistrationInput = {
  birthName: '',
  usedName: '',
  firstNames: '',
  usedFirstName: '',
  sex: '',
  birthDate: '',
  birthPlaceCode: '',
  identityStatus: 'provisoire',
  idDocument: '',
  nir: '',
  phone: '',
  email: '',
  address: '',
  communeInsee: '',
  coverage: 'inconnue',
  mtStatus: 'unknown',
  mtName: '',
  ald: false,
  allergies: '',
};

// A French number as people write it: 10 digits (spaces, dots or dashes between), or +33.
export const PHONE_RE = /^(?:\+33\s?[1-9]|0[1-9])(?:[\s.-]?\d{2}){4}$/u;
export const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u;
export const INSEE_RE = /^(\d{5}|2[AB]\d{3})$/u;

export interface RegistrationContext {
  /** 'YYYY-MM-DD' in the truck's time zone. */
  today: string;
  /** The INSi téléservice can be reached (never true offline). */
  online: boolean;
}

/**
 * One French message per field at fault (empty when the form can be saved). Warnings that do not
 * block (a NIR that disagrees with the identity) come from `registrationWarnings`.
 */
export function registrationErrors(
  input: RegistrationInput,
  ctx: RegistrationContext,
): RegistrationErrors {
  const errors: RegistrationErrors = {};
  for (const e of identityTraitsErrors(
    {
      birthName: input.birthName,
      firstNames: input.firstNames,
      sex: input.sex,
      birthDate: input.birthDate,
      birthPlaceCode: input.birthPlaceCode.trim().toUpperCase(),
    },
    ctx.today,
  )) {
    errors[e.trait] = e.message;
  }
  // A form kept from an older version of the app may not hold the document yet.
  const document = input.idDocument || null;
  if (input.identityStatus === 'validee') {
    const refusal = documentRefusal(document, input.birthDate.trim(), ctx.today);
    if (refusal) errors.idDocument = refusal;
  } else {
    const status = canSetStatus(input.identityStatus, {
      online: ctx.online,
      idDocumentChecked: document !== null,
      // Reception creates identities by hand: INSi answers arrive with the téléservice, not here.
      insiQualified: false,
    });
    if (!status.ok) errors.identityStatus = status.reason;
  }
  if (input.nir.trim() !== '') {
    const nir = parseNir(input.nir);
    if (!nir.ok) errors.nir = nir.message;
  }
  if (input.phone.trim() !== '' && !PHONE_RE.test(input.phone.trim())) {
    errors.phone = 'Le numéro de téléphone doit comporter 10 chiffres (ex. 06 12 34 56 78).';
  }
  if (input.email.trim() !== '' && !EMAIL_RE.test(input.email.trim())) {
    errors.email = 'L’adresse e-mail n’est pas valide (ex. nom@exemple.fr).';
  }
  if (input.communeInsee.trim() !== '' && !INSEE_RE.test(input.communeInsee.trim())) {
    errors.communeInsee = 'Le code INSEE de la commune doit comporter 5 caractères (ex. 72181).';
  }
  if (input.mtStatus === 'declared' && input.mtName.trim() === '') {
    errors.mtName = 'Indiquer le nom du médecin traitant déclaré.';
  }
  return errors;
}

/** Non-blocking warnings: a NIR that disagrees with the typed identity (often a relative's). */
export function registrationWarnings(input: RegistrationInput): string[] {
  if (input.nir.trim() === '' || !parseNir(input.nir).ok || !isIsoDate(input.birthDate)) return [];
  return nirMatchesIdentity(input.nir, {
    sex: input.sex,
    birthDate: input.birthDate,
    birthPlaceCode: input.birthPlaceCode,
  });
}

const orNull = (s: string): string | null => (s.trim() === '' ? null : s.trim());

/** The patient row fields of a valid form (call `registrationErrors` first). */
export function patientFields(
  input: RegistrationInput,
  orgId: string,
  now: string,
): Omit<Patient, 'id' | '_deleted'> {
  const nir = parseNir(input.nir);
  return {
    orgId,
    birthName: input.birthName.trim(),
    usedName: orNull(input.usedName),
    firstNames: input.firstNames.trim().replace(/\s+/gu, ' '),
    usedFirstName: orNull(input.usedFirstName),
    sex: input.sex as Patient['sex'],
    birthDate: input.birthDate.trim(),
    birthPlaceCode: input.birthPlaceCode.trim().toUpperCase(),
    identityStatus: input.identityStatus,
    nir: nir.ok ? nir.nir : null,
    phone: orNull(input.phone),
    email: orNull(input.email),
    address: orNull(input.address),
    communeInsee: orNull(input.communeInsee),
    coverage: input.coverage,
    mtStatus: input.mtStatus,
    mtName: input.mtStatus === 'declared' ? orNull(input.mtName) : null,
    ald: input.ald,
    allergies: [
      ...new Set(
        input.allergies
          .split(/[,;\n]/u)
          .map((a) => a.trim())
          .filter((a) => a !== ''),
      ),
    ],
    createdAt: now,
    duplicateDecision: null,
    identityDocument:
      input.identityStatus === 'validee' && input.idDocument ? input.idDocument : null,
    identityAttributes: [],
  };
}
