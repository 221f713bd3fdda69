// The consultation note and its supervision (docs/design.md §2 intern and coordinating doctor, §4.2):
// what must be filled to sign, who may edit, sign, validate or return a note, what a signature
// covers, and who may read a restricted note. Pure: the caller passes rows.
import type { Code, Consultation, Orientation, Service, Staff } from './entities';

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
 * May `viewer` read a note? Standard notes: every clinician. Restricted classes (social, sexual
 * health): only the professions of the service that wrote it, its author, and the coordinating
 * doctor.
 */
export function canRead(
  c: Pick<Consultation, 'confidentiality' | 'authorId' | 'serviceId'>,
  viewer: Pick<Staff, 'id' | 'profession' | 'roles'> | undefined,
  services: ReadonlyMap<string, Pick<Service, 'professions'>>,
): boolean {
  if (!viewer) return false;
  if (viewer.roles.includes('coordinateur') || viewer.id === c.authorId) return true;
  if (c.confidentiality === 'standard') {
    return viewer.roles.includes('clinicien') || viewer.roles.includes('social');
  }
  const service = services.get(c.serviceId);
  return service?.professions.includes(viewer.profession) ?? false;
}
