// The documents that leave a consultation (compte rendu for the patient, letter to the médecin
// traitant, orientation letter, certificates): when one may be made, what each kind carries, and
// its composition from the note, the patient, the author and the stop. Pure: the caller passes the
// rows and the stamp; the screens render the composed document (print, PDF) and never re-decide
// what it holds. French text here is the document's own (it is printed), like the domain's
// refusals.
import type {
  Addendum,
  Allergy,
  Consultation,
  DocumentKind,
  DocumentTemplate,
  Orientation,
  Patient,
  PrintedDocument,
  Profession,
  Service,
  Staff,
  Stop,
  Treatment,
  Unit,
  Vitals,
} from './entities';
import { formatBirthDate, formatDate, formatDateTime } from './french-dates';
import { IDENTITY_STATUS_LABELS } from './identity';
import { VITAL_FIELDS, VITALS } from './vitals';

export type { DocumentKind } from './entities';
export const DOCUMENT_KINDS: readonly DocumentKind[] = [
  'compte_rendu',
  'lettre_mt',
  'orientation',
  'certificat',
];

export const DOCUMENT_TITLES: Readonly<Record<DocumentKind, string>> = {
  compte_rendu: 'Compte rendu de consultation',
  lettre_mt: 'Lettre au médecin traitant',
  orientation: 'Lettre d’orientation',
  certificat: 'Certificat',
};

// ---- what each kind may carry (the class filter) ----

/** The parts of a note (and of the patient's file) a document may carry. */
export type DocumentPart =
  | 'motif'
  | 'subjective'
  | 'objective'
  | 'assessment'
  | 'plan'
  | 'codes'
  | 'vitals'
  | 'allergies'
  | 'treatments'
  | 'orientation'
  | 'addenda'
  | 'certificate';

const CLINICAL_PARTS: readonly DocumentPart[] = [
  'motif',
  'subjective',
  'objective',
  'assessment',
  'plan',
  'codes',
  'vitals',
  'allergies',
  'treatments',
  'addenda',
];

/** What each kind carries for a standard note. A certificate carries its template's text and
 * nothing of the note: it is handed to third parties (an employer, a school, a club). */
const PARTS_BY_KIND: Readonly<Record<DocumentKind, readonly DocumentPart[]>> = {
  // For the patient: what was found and what to do, in their words' order; not the raw notes.
  compte_rendu: ['motif', 'assessment', 'plan', 'vitals', 'orientation', 'addenda'],
  // Between doctors: the whole note, with what the receiving doctor must know.
  lettre_mt: [
    'motif',
    'subjective',
    'objective',
    'assessment',
    'plan',
    'codes',
    'vitals',
    'allergies',
    'treatments',
    'orientation',
    'addenda',
  ],
  // To the specialist, MSP or CPTS: the question and what supports it.
  orientation: [
    'motif',
    'objective',
    'assessment',
    'plan',
    'vitals',
    'allergies',
    'treatments',
    'orientation',
  ],
  certificat: ['certificate'],
};

/** What a document addressed to a third party says in place of a restricted note's content. */
export const RESTRICTED_NOTICE =
  'Consultation relevant d’un secret renforcé : son contenu n’est pas transmis par ce courrier. Le patient peut le communiquer lui-même.';
/** What an orientation letter to a social service says in place of any clinical content. */
export const SOCIAL_NOTICE =
  'Courrier à un service social : aucune information médicale n’y figure (secret médical).';

/**
 * The parts a document of `kind` may carry for this note. Restricted notes (social, sexual
 * health) give nothing clinical to a third party (médecin traitant, specialist); the compte rendu
 * is the patient's own and keeps its parts. An orientation to a social service carries no
 * clinical part whatever the note's class.
 */
export function allowedParts(
  kind: DocumentKind,
  note: Pick<Consultation, 'confidentiality' | 'orientation'>,
): ReadonlySet<DocumentPart> {
  const parts = new Set(PARTS_BY_KIND[kind]);
  const toThirdParty = kind === 'lettre_mt' || kind === 'orientation';
  const social = kind === 'orientation' && note.orientation.kind === 'social_worker';
  if ((toThirdParty && note.confidentiality !== 'standard') || social) {
    for (const p of CLINICAL_PARTS) parts.delete(p);
  }
  return parts;
}

// ---- when a document may be made ----

export type Decision = { ok: true } | { ok: false; reason: string };
const ok: Decision = { ok: true };
const no = (reason: string): Decision => ({ ok: false, reason });

/** Orientations an orientation letter is written for. */
const LETTER_ORIENTATIONS: ReadonlySet<Orientation['kind']> = new Set([
  'specialist',
  'msp_cpts',
  'social_worker',
  'emergency',
]);

/** The médecin traitant a letter is addressed to: the one the note names, else the patient's. */
export function medecinTraitant(
  note: Pick<Consultation, 'orientation'>,
  patient: Pick<Patient, 'mtName' | 'mtStatus'>,
): string | null {
  const o = note.orientation;
  if ((o.kind === 'mt_found' || o.kind === 'mt_declared') && o.mtName?.trim()) {
    return o.mtName.trim();
  }
  return patient.mtStatus === 'declared' && patient.mtName?.trim() ? patient.mtName.trim() : null;
}

/**
 * May a document of `kind` be made from this note? Only from a signed note (awaiting validation
 * or validated); a letter to the médecin traitant needs one; an orientation letter needs an
 * orientation to write for; a certificate needs an active template.
 */
export function documentRefusal(
  kind: DocumentKind,
  note: Pick<Consultation, 'status' | 'orientation'>,
  patient: Pick<Patient, 'mtName' | 'mtStatus'> | undefined,
  template?: Pick<DocumentTemplate, 'active'> | null,
): Decision {
  if (note.status === 'draft') {
    return no('Document impossible : la note n’est pas encore signée. Signez-la d’abord.');
  }
  if (note.status === 'returned') {
    return no(
      'Document impossible : la note a été renvoyée par le superviseur. Reprenez-la et signez-la à nouveau.',
    );
  }
  if (!patient)
    return no('Document impossible : le dossier du patient n’est pas sur cet appareil.');
  if (kind === 'lettre_mt' && medecinTraitant(note, patient) === null) {
    return no('Pas de médecin traitant connu pour ce patient : rédigez une lettre d’orientation.');
  }
  if (kind === 'orientation' && !LETTER_ORIENTATIONS.has(note.orientation.kind)) {
    return no(
      'La note n’oriente pas le patient vers un spécialiste, une MSP ou CPTS, le service social ou les urgences.',
    );
  }
  if (kind === 'certificat' && !template) return no('Choisir un modèle de certificat.');
  if (kind === 'certificat' && template && !template.active) {
    return no('Ce modèle de certificat n’est plus proposé par la coordination.');
  }
  return ok;
}

// ---- certificate templates ----

/** Placeholders a template's body may hold, filled in by the composition. */
export const TEMPLATE_PLACEHOLDERS = {
  patient: 'nom et prénom du patient',
  naissance: 'date de naissance du patient',
  auteur: 'nom et profession de l’auteur',
  date: 'date de la consultation',
  lieu: 'commune de l’escale',
} as const;
type Placeholder = keyof typeof TEMPLATE_PLACEHOLDERS;

/** The usual certificates, offered until the coordination edits them (same ids per organisation). */
export const DEFAULT_TEMPLATES: readonly { key: string; title: string; body: string }[] = [
  {
    key: 'presence',
    title: 'Certificat de présence',
    body: 'Je soussigné(e) {auteur}, certifie que {patient}, né(e) le {naissance}, s’est présenté(e) en consultation au centre de santé itinérant le {date} à {lieu}.',
  },
  {
    key: 'aptitude',
    title: 'Certificat d’aptitude',
    body: 'Je soussigné(e) {auteur}, certifie avoir examiné ce jour {patient}, né(e) le {naissance}, et n’avoir constaté à l’examen clinique aucune contre-indication apparente à l’activité mentionnée ci-dessous.\n\nActivité : ………………………………',
  },
  {
    key: 'sport',
    title: 'Certificat de non contre-indication à la pratique sportive',
    body: 'Je soussigné(e) {auteur}, certifie avoir examiné ce jour {patient}, né(e) le {naissance}, et n’avoir pas constaté de signe clinique apparent contre-indiquant la pratique du sport, y compris en compétition.',
  },
];

/** The id a default template's row takes in an organisation (one row per organisation). */
export function defaultTemplateId(orgId: string, key: string): string {
  return `tpl-${key}-${orgId}`.slice(0, 64);
}

/** The organisation's templates: its rows, and the defaults it has not written yet. */
export function effectiveTemplates(
  orgId: string,
  rows: readonly DocumentTemplate[],
): DocumentTemplate[] {
  const live = rows.filter((r) => !r._deleted);
  const held = new Set(live.map((r) => r.id));
  const defaults = DEFAULT_TEMPLATES.map((d) => ({
    id: defaultTemplateId(orgId, d.key),
    orgId,
    title: d.title,
    body: d.body,
    active: true,
  })).filter((d) => !held.has(d.id));
  return [...defaults, ...live].sort((a, b) => a.title.localeCompare(b.title, 'fr'));
}

/** What is wrong with a template as typed (empty: it may be saved), in French. */
export function templateErrors(t: Pick<DocumentTemplate, 'title' | 'body'>): string[] {
  const errors: string[] = [];
  if (t.title.trim() === '') errors.push('Le titre du modèle est obligatoire.');
  if (t.title.length > 200) errors.push('Le titre du modèle dépasse 200 caractères.');
  if (t.body.trim() === '') errors.push('Le texte du modèle est obligatoire.');
  if (t.body.length > 4000) errors.push('Le texte du modèle dépasse 4000 caractères.');
  const unknown = [...t.body.matchAll(/\{([^{}]*)\}/g)]
    .map((m) => m[1] ?? '')
    .filter((name) => !Object.hasOwn(TEMPLATE_PLACEHOLDERS, name));
  if (unknown.length > 0) {
    errors.push(
      `Champ inconnu dans le modèle : ${[...new Set(unknown)].map((n) => `{${n}}`).join(', ')}. Champs possibles : ${Object.keys(
        TEMPLATE_PLACEHOLDERS,
      )
        .map((n) => `{${n}}`)
        .join(', ')}.`,
    );
  }
  return errors;
}

// ---- composition ----

export const PROFESSION_LABELS: Readonly<Record<Profession, string>> = {
  accueil: 'Agent d’accueil',
  interne: 'Interne en médecine',
  medecin: 'Médecin',
  sage_femme: 'Sage-femme',
  dentiste: 'Chirurgien-dentiste',
  gynecologue: 'Gynécologue',
  infirmier: 'Infirmier(ère)',
  assistante_sociale: 'Assistant(e) de service social',
  mediateur: 'Médiateur(rice) en santé',
};

const SEX_LABELS: Readonly<Record<Patient['sex'], string>> = {
  F: 'Féminin',
  M: 'Masculin',
  I: 'Indéterminé',
};

export const ORIENTATION_LABELS: Readonly<Record<Orientation['kind'], string>> = {
  none: 'Pas d’orientation',
  mt_found: 'Médecin traitant trouvé',
  mt_declared: 'Médecin traitant déclaré',
  msp_cpts: 'Orientation vers une MSP ou une CPTS',
  specialist: 'Orientation vers un spécialiste',
  emergency: 'Orientation vers les urgences',
  social_worker: 'Orientation vers le service social',
  follow_up_truck: 'Suivi à une prochaine escale du médicobus',
};

const ADDRESSEES: Partial<Record<Orientation['kind'], string>> = {
  specialist: 'Au spécialiste',
  msp_cpts: 'À la MSP / CPTS',
  social_worker: 'Au service social',
  emergency: 'Au service des urgences',
};

/** What the composition reads, as the device holds it. */
export interface DocumentSource {
  kind: DocumentKind;
  consultation: Consultation;
  patient: Patient;
  /** Staff by id (author, supervisor). */
  staff: ReadonlyMap<string, Staff>;
  service: Service | undefined;
  stop: Stop | undefined;
  unit: Unit | undefined;
  organisationName: string | undefined;
  vitals: readonly Vitals[];
  addenda: readonly Addendum[];
  allergies: readonly Allergy[];
  treatments: readonly Treatment[];
  /** For a certificate. */
  template?: DocumentTemplate | null;
}

export interface DocumentSection {
  heading: string;
  lines: string[];
}

/** A document as it is printed: every screen, print sheet and PDF shows exactly this. */
export interface ComposedDocument {
  kind: DocumentKind;
  title: string;
  /** The truck: organisation, vehicle and its registration. */
  issuer: string[];
  /** The author, with the supervising doctor for an intern. */
  author: string[];
  /** « À valider »: written by a person under supervision, not yet validated. */
  pendingValidation: boolean;
  patient: { label: string; value: string }[];
  addressee: string | null;
  /** « Fait à Mamers, le lundi 23 novembre 2026 ». */
  placeAndDate: string;
  sections: DocumentSection[];
  /** Notices in place of what the class filter removed. */
  notices: string[];
  signatureLine: string;
}

const fullName = (s: Pick<Staff, 'firstName' | 'lastName'>) => `${s.firstName} ${s.lastName}`;

function doctorName(s: Staff): string {
  const doctor = s.profession === 'medecin' || s.profession === 'gynecologue';
  return doctor ? `Dr ${fullName(s)}` : fullName(s);
}

export function patientDisplayName(
  p: Pick<Patient, 'birthName' | 'usedName' | 'firstNames' | 'usedFirstName'>,
): string {
  const first = p.usedFirstName?.trim() || p.firstNames.split(/\s+/)[0] || p.firstNames;
  const last = p.usedName?.trim() || p.birthName;
  return `${first} ${last.toUpperCase()}`;
}

/** The identity traits a document carries (RNIV): the strict traits, the used ones, and the INS
 * matricule only when the identity is qualified (it may be used only then). */
export function identityLines(p: Patient): { label: string; value: string }[] {
  const lines = [
    { label: 'Nom de naissance', value: p.birthName.toUpperCase() },
    { label: 'Prénom(s) de naissance', value: p.firstNames },
  ];
  if (p.usedName?.trim()) lines.push({ label: 'Nom utilisé', value: p.usedName.toUpperCase() });
  if (p.usedFirstName?.trim()) lines.push({ label: 'Prénom utilisé', value: p.usedFirstName });
  lines.push(
    { label: 'Sexe', value: SEX_LABELS[p.sex] },
    { label: 'Date de naissance', value: formatBirthDate(p.birthDate) },
    { label: 'Lieu de naissance (code INSEE)', value: p.birthPlaceCode },
    { label: 'Statut de l’identité', value: IDENTITY_STATUS_LABELS[p.identityStatus] },
  );
  if (p.identityStatus === 'qualifiee' && p.nir) {
    lines.push({ label: 'Matricule INS (NIR)', value: p.nir });
  }
  return lines;
}

function vitalsLines(vitals: readonly Vitals[]): string[] {
  return vitals.map((v) => {
    const values = VITAL_FIELDS.flatMap((field) => {
      const value = v[field];
      if (value === null || value === undefined) return [];
      const spec = VITALS[field];
      return [`${spec.label} ${String(value).replace('.', ',')} ${spec.unit}`];
    });
    return `${formatDateTime(v.takenAt)} : ${values.join(' ; ')}`;
  });
}

function orientationLines(o: Orientation): string[] {
  const lines = [ORIENTATION_LABELS[o.kind]];
  if (o.mtName?.trim()) lines.push(`Médecin traitant : ${o.mtName.trim()}`);
  if (o.detail?.trim()) lines.push(o.detail.trim());
  return lines;
}

function fill(body: string, values: Record<Placeholder, string>): string {
  return body.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(values, name) ? values[name as Placeholder] : whole,
  );
}

const text = (s: string) =>
  s
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .filter((l, i, all) => l !== '' || (i > 0 && all[i - 1] !== ''));

/**
 * The document of `source.kind` composed from a signed note: the truck's and the author's identity
 * (with the supervising doctor for an intern), the patient's identity traits, the place and date
 * of the stop, and only the parts its kind and the note's class allow. Throws the French refusal
 * when the document may not be made (documentRefusal).
 */
export function composeDocument(source: DocumentSource): ComposedDocument {
  const { kind, consultation: c, patient } = source;
  const decision = documentRefusal(kind, c, patient, source.template);
  if (!decision.ok) throw new Error(decision.reason);
  const parts = allowedParts(kind, c);
  const author = source.staff.get(c.authorId);
  const supervisorId = c.supervisorId ?? author?.supervisorId ?? null;
  const supervisor = supervisorId ? source.staff.get(supervisorId) : undefined;
  const supervised = author?.supervisorId != null || c.supervisorId != null;

  const issuer = [
    source.organisationName ?? 'Centre de santé itinérant',
    [
      source.unit?.name,
      source.unit?.registration ? `immatriculé ${source.unit.registration}` : null,
    ]
      .filter(Boolean)
      .join(', '),
    source.service ? `Service : ${source.service.label}` : '',
  ].filter((l) => l !== '');
  const authorLines = author
    ? [`${doctorName(author)}, ${PROFESSION_LABELS[author.profession].toLowerCase()}`]
    : ['Auteur inconnu sur cet appareil'];
  if (supervised) {
    authorLines.push(
      supervisor
        ? `Sous la supervision de ${doctorName(supervisor)}, ${PROFESSION_LABELS[supervisor.profession].toLowerCase()}`
        : 'Sous la supervision de son médecin superviseur',
    );
  }
  const commune = source.stop?.communeName ?? 'lieu inconnu';
  const date = source.stop?.date ?? c.createdAt;
  const placeAndDate = `Fait à ${commune}, le ${formatDate(date)}`;

  const sections: DocumentSection[] = [];
  const add = (part: DocumentPart, heading: string, lines: string[]) => {
    if (!parts.has(part)) return;
    const kept = lines.filter((l) => l.trim() !== '');
    if (kept.length > 0) sections.push({ heading, lines: kept });
  };
  add('motif', 'Motif de consultation', text(c.motif));
  add('subjective', 'Histoire et plaintes', text(c.subjective));
  add('objective', 'Examen clinique', text(c.objective));
  add(
    'assessment',
    kind === 'compte_rendu' ? 'Ce qui a été constaté' : 'Conclusion',
    text(c.assessment),
  );
  add('plan', kind === 'compte_rendu' ? 'Ce qui est prévu' : 'Conduite à tenir', text(c.plan));
  add(
    'codes',
    'Codage',
    [...c.codes]
      .sort((a, b) => `${a.system}${a.code}`.localeCompare(`${b.system}${b.code}`))
      .map((code) => `${code.system} ${code.code} — ${code.label}`),
  );
  add('vitals', 'Constantes', vitalsLines(source.vitals));
  add(
    'allergies',
    'Allergies et intolérances',
    source.allergies.filter((a) => !a._deleted).map((a) => a.substance),
  );
  add(
    'treatments',
    'Traitements en cours',
    source.treatments
      .filter((tr) => !tr._deleted && tr.stopDate === null)
      .map((tr) => (tr.dose.trim() ? `${tr.name} — ${tr.dose}` : tr.name)),
  );
  add(
    'orientation',
    'Orientation',
    c.orientation.kind === 'none' ? [] : orientationLines(c.orientation),
  );
  add(
    'addenda',
    'Addenda',
    source.addenda.map((a) => `${formatDateTime(a.at)} : ${a.text}`),
  );
  if (parts.has('certificate') && source.template) {
    sections.push({
      heading: source.template.title,
      lines: text(
        fill(source.template.body, {
          patient: patientDisplayName(patient),
          naissance: formatBirthDate(patient.birthDate),
          auteur: author
            ? `${doctorName(author)}, ${PROFESSION_LABELS[author.profession].toLowerCase()}`
            : 'l’auteur',
          date: formatDate(date),
          lieu: commune,
        }),
      ),
    });
  }

  const notices: string[] = [];
  const removedClinical = PARTS_BY_KIND[kind].some(
    (p) => CLINICAL_PARTS.includes(p) && !parts.has(p),
  );
  if (removedClinical) {
    notices.push(
      kind === 'orientation' && c.orientation.kind === 'social_worker'
        ? SOCIAL_NOTICE
        : RESTRICTED_NOTICE,
    );
  }

  let addressee: string | null = null;
  if (kind === 'lettre_mt') addressee = `Au ${medecinTraitant(c, patient)}, médecin traitant`;
  if (kind === 'orientation') {
    const to = ADDRESSEES[c.orientation.kind] ?? 'Au confrère';
    addressee = c.orientation.detail?.trim() ? `${to} : ${c.orientation.detail.trim()}` : to;
  }
  if (kind === 'compte_rendu') addressee = `À l’attention de ${patientDisplayName(patient)}`;

  return {
    kind,
    title: kind === 'certificat' && source.template ? source.template.title : DOCUMENT_TITLES[kind],
    issuer,
    author: authorLines,
    pendingValidation: c.status === 'to_validate',
    patient: identityLines(patient),
    addressee,
    placeAndDate,
    sections,
    notices,
    signatureLine: author ? doctorName(author) : '',
  };
}

/** The whole document as plain text, in reading order (for checks and the PDF's text layer). */
export function documentText(d: ComposedDocument): string {
  return [
    ...d.issuer,
    ...d.author,
    d.pendingValidation ? PENDING_MARK : '',
    d.title,
    d.addressee ?? '',
    ...d.patient.map((l) => `${l.label} : ${l.value}`),
    ...d.sections.flatMap((s) => [s.heading, ...s.lines]),
    ...d.notices,
    d.placeAndDate,
    d.signatureLine,
  ]
    .filter((l) => l !== '')
    .join('\n');
}

/** The mark an unvalidated document carries. */
export const PENDING_MARK =
  'À valider — document rédigé par un interne, en attente de validation par son superviseur';

// ---- recording a printed document ----

/** What the device's stamp gives a command (src/device/stamp.ts). */
export interface Stamp {
  newId(): string;
  now: string;
}

export interface PrintInput {
  kind: DocumentKind;
  consultation: Pick<Consultation, 'id' | 'orgId' | 'patientId' | 'status' | 'orientation'>;
  patient: Pick<Patient, 'mtName' | 'mtStatus'> | undefined;
  template: DocumentTemplate | null;
  staffId: string | null;
  format: 'print' | 'pdf';
  /** A letter also to send by MSSanté once the note is validated (a partner task). */
  send?: boolean;
}

/** The documents a partner may send by MSSanté: letters to another professional. */
export const SENDABLE_KINDS: ReadonlySet<DocumentKind> = new Set(['lettre_mt', 'orientation']);

/**
 * Records that a document was printed (or saved as PDF): the row on the consultation (what, when,
 * by whom) and its audit event, which names the note and the kind, never the text. Refused, with
 * nothing written, when the document may not be made.
 */
export function recordPrint(
  input: PrintInput,
  stamp: Stamp,
): {
  changes: { entity: 'printedDocument'; id: string; insert: Omit<PrintedDocument, 'id'> }[];
  audit: { action: string; entity: string; entityId: string; detail: string };
} {
  if (!input.staffId) throw new Error('Identifiez-vous pour imprimer un document.');
  const decision = documentRefusal(input.kind, input.consultation, input.patient, input.template);
  if (!decision.ok) throw new Error(decision.reason);
  const id = stamp.newId();
  return {
    changes: [
      {
        entity: 'printedDocument',
        id,
        insert: {
          orgId: input.consultation.orgId,
          consultationId: input.consultation.id,
          patientId: input.consultation.patientId,
          kind: input.kind,
          templateId: input.kind === 'certificat' ? (input.template?.id ?? null) : null,
          staffId: input.staffId,
          at: stamp.now,
          format: input.format,
          pendingValidation: input.consultation.status === 'to_validate',
          ...(input.send && SENDABLE_KINDS.has(input.kind) ? { send: true } : {}),
        },
      },
    ],
    audit: {
      action: 'document.printed',
      entity: 'consultation',
      entityId: input.consultation.id,
      detail: input.kind,
    },
  };
}

// ---- editing a certificate template (the coordination) ----

export interface TemplateInput {
  orgId: string;
  /** The template edited, or null for a new one. */
  id: string | null;
  title: string;
  body: string;
  active: boolean;
}

/**
 * Saves a certificate template as typed: the whole row (a default not yet written gets its row
 * under its fixed id), with an audit event naming the template, never its text. Refused with the
 * French reasons when the template is incomplete or names an unknown field.
 */
export function saveTemplate(
  input: TemplateInput,
  stamp: Stamp,
): {
  changes: {
    entity: 'documentTemplate';
    id: string;
    set: Omit<DocumentTemplate, 'id'>;
  }[];
  audit: { action: string; entity: string; entityId: string };
} {
  const errors = templateErrors(input);
  if (errors.length > 0) throw new Error(errors.join(' '));
  const id = input.id ?? stamp.newId();
  return {
    changes: [
      {
        entity: 'documentTemplate',
        id,
        set: {
          orgId: input.orgId,
          title: input.title.trim(),
          body: input.body.trim(),
          active: input.active,
        },
      },
    ],
    audit: { action: 'document.template_saved', entity: 'documentTemplate', entityId: id },
  };
}
