// The consultation note and its supervision (docs/design.md §2 intern and coordinating doctor, §4.2):
// what must be filled to sign, who may edit, sign, validate or return a note, what a signature
// covers, and who may read a restricted note. Pure: the caller passes rows.
import { canonicalJson } from '../sync/digest';
import { sha256Hex } from '../sync/sha256';
import type { Addendum, Code, Consultation, Orientation, Signature, Staff } from './entities';
import { noteAccess, type ReadingFacts } from './reading';

export type Decision = { ok: true } | { ok: false; reason: string };
const ok: Decision = { ok: true };
const no = (reason: string): Decision => ({ ok: false, reason });

/** A note can still be typed into: a draft, or one the supervisor returned. */
export function canEdit(c: Pick<Consultation, 'status'>): Decision {
  if (c.status === 'draft' || c.status === 'returned') return ok;
  return no(
    c.status === 'validated'
      ? 'Note validée : elle ne peut plus être modifiée. Ajouter un addendum daté.'
      : 'Note signée, en attente de validation : elle ne peut plus être modifiée. Ajouter un addendum daté.',
  );
}

/** French reasons why an orientation is incomplete (empty when complete). */
export function orientationErrors(o: Orientation): string[] {
  switch (o.kind) {
    case 'mt_found':
    case 'mt_declared':
      return o.mtName?.trim() ? [] : ['Orientation : indiquer le nom du médecin traitant.'];
    case 'msp_cpts':
    case 'specialist':
      return o.detail?.trim()
        ? []
        : [
            o.kind === 'specialist'
              ? 'Orientation : préciser le spécialiste.'
              : 'Orientation : préciser la MSP ou la CPTS.',
          ];
    case 'follow_up_truck':
      return o.followUpAppointmentId
        ? []
        : ['Orientation : réserver le rendez-vous de suivi à une prochaine escale.'];
    default:
      return [];
  }
}

/** The parts of a note its author fills in before signing. */
export type NotePart = 'motif' | 'assessment' | 'plan' | 'codes' | 'orientation';

/** What is missing before the author signs, part by part, in the note's order (empty: ready). */
export function signProblems(
  c: Pick<Consultation, 'motif' | 'assessment' | 'plan' | 'codes' | 'orientation'>,
): { part: NotePart; message: string }[] {
  const problems: { part: NotePart; message: string }[] = [];
  if (c.motif.trim() === '') {
    problems.push({ part: 'motif', message: 'Le motif de consultation est obligatoire.' });
  }
  if (c.assessment.trim() === '') {
    problems.push({ part: 'assessment', message: 'L’appréciation (A) est obligatoire.' });
  }
  if (c.plan.trim() === '') {
    problems.push({ part: 'plan', message: 'Le plan (P) est obligatoire.' });
  }
  if (!c.codes.some((code) => code.system === 'CISP-2' && code.use === 'result')) {
    problems.push({
      part: 'codes',
      message: 'Coder au moins un résultat de consultation en CISP-2.',
    });
  }
  for (const message of orientationErrors(c.orientation)) {
    problems.push({ part: 'orientation', message });
  }
  return problems;
}

/** What must be in a note before its author signs it, as French messages (empty: ready). */
export function signErrors(
  c: Pick<Consultation, 'motif' | 'assessment' | 'plan' | 'codes' | 'orientation'>,
): string[] {
  return signProblems(c).map((p) => p.message);
}

/** May `staffId` sign this note now? Only its author, on a note that can be edited and is complete. */
export function canSign(c: Consultation, staffId: string | null): Decision {
  if (!staffId) return no('Identifiez-vous pour signer.');
  if (c.authorId !== staffId) return no('Seul l’auteur de la note peut la signer.');
  const editable = canEdit(c);
  if (!editable.ok) return editable;
  const errors = signErrors(c);
  return errors.length === 0 ? ok : no(errors.join(' '));
}

/**
 * The status a note takes when its author signs: an author under supervision (an intern) waits
 * for the supervisor's validation; an autonomous professional's signature is final.
 */
export function statusAfterSigning(author: Pick<Staff, 'supervisorId'> | undefined) {
  return author?.supervisorId ? ('to_validate' as const) : ('validated' as const);
}

/**
 * May `reviewer` validate or return this note? It must await validation, and the reviewer must be
 * the author's supervisor (or a coordinating doctor), never the author.
 */
export function canReview(
  c: Pick<Consultation, 'status' | 'authorId' | 'supervisorId'>,
  reviewer: Pick<Staff, 'id' | 'roles'> | undefined,
  author: Pick<Staff, 'supervisorId'> | undefined,
): Decision {
  if (!reviewer) return no('Identifiez-vous pour valider.');
  if (c.status !== 'to_validate') return no('Cette note n’attend pas de validation.');
  if (reviewer.id === c.authorId) return no('L’auteur ne peut pas valider sa propre note.');
  const supervises = reviewer.id === (c.supervisorId ?? author?.supervisorId);
  if (!supervises && !reviewer.roles.includes('coordinateur')) {
    return no('Seul le médecin superviseur de l’auteur peut valider ou renvoyer cette note.');
  }
  return ok;
}

/** Returning a note needs a comment saying what to take up again. */
export function returnErrors(comment: string): string[] {
  return comment.trim() === '' ? ['Indiquer ce qui est à reprendre dans la note.'] : [];
}

/**
 * The content a signature covers, in a stable shape (codes sorted), so a later change to the
 * note is detectable by hashing it again.
 */
export function signedContent(c: Consultation) {
  const codes = [...c.codes].sort((a: Code, b: Code) =>
    `${a.system}|${a.use}|${a.code}`.localeCompare(`${b.system}|${b.use}|${b.code}`),
  );
  return {
    id: c.id,
    patientId: c.patientId,
    authorId: c.authorId,
    motif: c.motif,
    subjective: c.subjective,
    objective: c.objective,
    assessment: c.assessment,
    plan: c.plan,
    codes,
    orientation: c.orientation,
    confidentiality: c.confidentiality,
  };
}

/**
 * May `viewer` read a note itself (not only its transmission)? The rules of src/domain/reading.ts:
 * its author, the author's supervisor, the coordinating doctor, the care team by role × class
 * (restricted classes in their profession) unless the patient objects, a running bris de glace.
 */
export function canRead(
  c: Pick<
    Consultation,
    'confidentiality' | 'authorId' | 'serviceId' | 'patientId' | 'supervisorId'
  >,
  viewer: Pick<Staff, 'id' | 'profession' | 'roles'> | undefined,
  facts: ReadingFacts,
): boolean {
  return noteAccess(viewer, c, facts).level === 'note';
}

// ---- addenda (issue #21 item 2): hashed, and supervised like the note they complete ----

/** The content an addendum's hash covers, in a stable shape. */
export function addendumContent(
  a: Pick<Addendum, 'id' | 'consultationId' | 'authorId' | 'at' | 'text'>,
) {
  return {
    id: a.id,
    consultationId: a.consultationId,
    authorId: a.authorId,
    at: a.at,
    text: a.text,
  };
}

/** The digest an addendum carries from its writing: a later change no longer matches it. */
export function addendumHash(
  a: Pick<Addendum, 'id' | 'consultationId' | 'authorId' | 'at' | 'text'>,
): string {
  return sha256Hex(canonicalJson(addendumContent(a)));
}

export type AddendumStatus = 'to_validate' | 'validated' | 'returned';

/**
 * Where an addendum stands: an addendum of an author under supervision (it names their
 * supervisor) awaits validation like a note; the latest review (a signature naming the
 * addendum) validates or returns it. An autonomous author's addendum is final at once.
 */
export function addendumStatus(
  a: Pick<Addendum, 'id' | 'supervisorId'>,
  signatures: readonly Pick<Signature, 'addendumId' | 'kind' | 'at'>[],
): AddendumStatus {
  const reviews = signatures
    .filter((s) => s.addendumId === a.id && (s.kind === 'supervisor' || s.kind === 'return'))
    .sort((x, y) => x.at.localeCompare(y.at));
  const last = reviews.at(-1);
  if (last) return last.kind === 'supervisor' ? 'validated' : 'returned';
  return a.supervisorId ? 'to_validate' : 'validated';
}

/**
 * May `reviewer` validate or return this addendum? It must await validation, and the reviewer
 * must be the author's supervisor (the one it names) or a coordinating doctor, never its author.
 */
export function canReviewAddendum(
  a: Pick<Addendum, 'id' | 'authorId' | 'supervisorId'>,
  signatures: readonly Pick<Signature, 'addendumId' | 'kind' | 'at'>[],
  reviewer: Pick<Staff, 'id' | 'roles'> | undefined,
): Decision {
  if (!reviewer) return no('Identifiez-vous pour valider.');
  if (addendumStatus(a, signatures) !== 'to_validate') {
    return no('Cet addendum n’attend pas de validation.');
  }
  if (reviewer.id === a.authorId) return no('L’auteur ne peut pas valider son propre addendum.');
  if (reviewer.id !== a.supervisorId && !reviewer.roles.includes('coordinateur')) {
    return no('Seul le médecin superviseur de l’auteur peut valider ou renvoyer cet addendum.');
  }
  return ok;
}

/** The fields of a new addendum by `author`: its supervisor (when supervised) and its hash. */
export function newAddendum(
  input: { id: string; orgId: string; consultationId: string; at: string; text: string },
  author: Pick<Staff, 'id' | 'supervisorId'>,
): Omit<Addendum, 'id'> & { id: string } {
  const base = {
    id: input.id,
    orgId: input.orgId,
    consultationId: input.consultationId,
    authorId: author.id,
    at: input.at,
    text: input.text.trim(),
  };
  return { ...base, supervisorId: author.supervisorId ?? null, contentHash: addendumHash(base) };
}
