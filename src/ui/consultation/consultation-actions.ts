// What is written about a note: autosaved fields, codes, vitals, orientation (with the follow-up
// booking), the author's signature, the supervisor's validation or return, and dated addenda.
// The rules are the domain's (canEdit, canSign, canReview…); a refusal throws its French reason.
import { useMemo } from 'react';
import { addProblem, addTreatment } from '../../device/summary-commands';
import type { Change } from '../../device/write';
import { checkProblem, checkTreatment } from '../../domain/clinical-summary';
import {
  canEdit,
  canReview,
  canReviewAddendum,
  canSign,
  newAddendum,
  returnErrors,
  signedContent,
  statusAfterSigning,
} from '../../domain/consultation';
import type {
  Addendum,
  Code,
  Consultation,
  Orientation,
  PreventionAct,
  Service,
  Signature,
  Staff,
  Stop,
  TermRef,
} from '../../domain/entities';
import { localDate } from '../../domain/time';
import type { VitalsValues } from '../../domain/vitals';
import { canonicalJson } from '../../sync/digest';
import { sha256Hex } from '../../sync/sha256';
import { useWriter } from '../data/writer';
import { formatDate, t } from '../i18n';

export type NoteText = Pick<
  Consultation,
  'motif' | 'subjective' | 'objective' | 'assessment' | 'plan'
>;

export interface ConsultationActions {
  saveText(c: Consultation, patch: Partial<NoteText>): Promise<void>;
  addCode(c: Consultation, code: Code): Promise<void>;
  removeCode(c: Consultation, code: Code): Promise<void>;
  setOrientation(c: Consultation, orientation: Orientation): Promise<void>;
  setConfidentiality(c: Consultation, value: Consultation['confidentiality']): Promise<void>;
  /** The prevention acts ticked on the note (docs/indicators.md). */
  setPrevention(c: Consultation, acts: PreventionAct[]): Promise<void>;
  recordVitals(c: Consultation, values: VitalsValues): Promise<void>;
  /** Books the follow-up at a next stop and records it as the orientation, in one write. */
  bookFollowUp(c: Consultation, stop: Stop, time: string, service: Service): Promise<void>;
  /** Signs the note; `additions` go to the clinical summary in the same write. */
  sign(c: Consultation, author: Staff | undefined, additions?: SigningAdditions): Promise<void>;
  validate(c: Consultation, reviewer: Staff | undefined, author: Staff | undefined): Promise<void>;
  returnNote(
    c: Consultation,
    reviewer: Staff | undefined,
    author: Staff | undefined,
    comment: string,
  ): Promise<void>;
  addAddendum(c: Consultation, author: Staff | undefined, text: string): Promise<void>;
  /** The supervisor validates (or returns, with a comment) an intern's addendum. */
  reviewAddendum(
    c: Consultation,
    addendum: Addendum,
    signatures: readonly Signature[],
    reviewer: Staff | undefined,
    verdict: { kind: 'supervisor' } | { kind: 'return'; comment: string },
  ): Promise<void>;
}

/** What a signature adds to the patient's clinical summary (src/domain/clinical-summary.ts). */
export interface SigningAdditions {
  /** Codes of the note to add as active problems. */
  problems: TermRef[];
  /** A treatment started in this consultation, or null. */
  treatment: { name: string; dose: string } | null;
}

/** The summary rows a signature adds, checked by the domain; throws the French refusals. */
function additionChanges(
  c: Consultation,
  author: Staff,
  additions: SigningAdditions | undefined,
  at: string,
): Change[] {
  if (!additions) return [];
  const today = localDate(at);
  const who = {
    org: c.orgId,
    patientId: c.patientId,
    staffId: author.id,
    consultationId: c.id,
    at,
  };
  const changes: Change[] = [];
  for (const code of additions.problems) {
    const checked = checkProblem(
      { kind: 'personal', code, label: code.label, status: 'active', onsetDate: today },
      today,
    );
    if (!checked.ok) throw new Error(Object.values(checked.errors).join(' '));
    changes.push(...addProblem(who, checked.value).changes);
  }
  if (additions.treatment && additions.treatment.name.trim() !== '') {
    const checked = checkTreatment({ ...additions.treatment, startDate: today }, today);
    if (!checked.ok) throw new Error(Object.values(checked.errors).join(' '));
    changes.push(...addTreatment(who, checked.value).changes);
  }
  return changes;
}

/** The digest a signature carries: any later change to the note no longer matches it. */
export function contentHash(c: Consultation): string {
  return sha256Hex(canonicalJson(signedContent(c)));
}

export function useConsultationActions(): ConsultationActions {
  const write = useWriter();
  return useMemo<ConsultationActions>(() => {
    const editable = (c: Consultation) => {
      const d = canEdit(c);
      if (!d.ok) throw new Error(d.reason);
    };
    const audit = (action: string, c: Consultation, detail: string | null = null) => ({
      action,
      entity: 'consultation',
      entityId: c.id,
      detail,
    });
    return {
      async saveText(c, patch) {
        editable(c);
        await write([{ entity: 'consultation', id: c.id, set: patch }]);
      },
      async addCode(c, code) {
        editable(c);
        await write([{ entity: 'consultation', id: c.id, add: { codes: [code] } }]);
      },
      async removeCode(c, code) {
        editable(c);
        await write([{ entity: 'consultation', id: c.id, remove: { codes: [code] } }]);
      },
      async setOrientation(c, orientation) {
        editable(c);
        await write([{ entity: 'consultation', id: c.id, set: { orientation } }]);
      },
      async setConfidentiality(c, confidentiality) {
        editable(c);
        await write([{ entity: 'consultation', id: c.id, set: { confidentiality } }]);
      },
      async setPrevention(c, acts) {
        editable(c);
        await write([{ entity: 'consultation', id: c.id, set: { prevention: acts } }]);
      },
      async recordVitals(c, values) {
        editable(c);
        await write(({ newId, now }) => [
          {
            entity: 'vitals',
            id: newId(),
            insert: {
              orgId: c.orgId,
              consultationId: c.id,
              patientId: c.patientId,
              takenAt: now,
              authorId: c.authorId,
              ...values,
            },
          },
        ]);
      },
      async bookFollowUp(c, stop, time, service) {
        editable(c);
        await write(({ newId, now }) => {
          const appointmentId = newId();
          return {
            changes: [
              {
                entity: 'appointment',
                id: appointmentId,
                set: {
                  orgId: c.orgId,
                  patientId: c.patientId,
                  stopId: stop.id,
                  serviceId: service.id,
                  time,
                  durationMin: service.typicalMinutes,
                  status: 'booked',
                  note: t('consultation.orientation.followUpNote'),
                  createdAt: now,
                },
              },
              {
                entity: 'consultation',
                id: c.id,
                set: {
                  orientation: {
                    kind: 'follow_up_truck',
                    followUpStopId: stop.id,
                    followUpAppointmentId: appointmentId,
                    // Read by people (the note, the closure list): French date, never ISO.
                    detail: t('consultation.orientation.followUpDetail', {
                      date: formatDate(stop.date),
                      time,
                      commune: stop.communeName,
                    }),
                  },
                },
              },
            ],
            audit: {
              action: 'appointment.booked',
              entity: 'appointment',
              entityId: appointmentId,
              detail: time,
            },
          };
        });
      },
      async sign(c, author, additions) {
        const d = canSign(c, author?.id ?? null);
        if (!d.ok) throw new Error(d.reason);
        await write(({ newId, now: at }) => {
          const added = additionChanges(c, author!, additions, at);
          return {
            changes: [
              ...added,
              {
                entity: 'signature',
                id: newId(),
                insert: {
                  orgId: c.orgId,
                  consultationId: c.id,
                  kind: 'author',
                  staffId: author!.id,
                  at,
                  contentHash: contentHash(c),
                  comment: null,
                },
              },
              {
                entity: 'consultation',
                id: c.id,
                set: { status: statusAfterSigning(author), returnComment: null },
              },
            ],
            audit: audit(
              'consultation.signed',
              c,
              added.length > 0 ? t('summary.signing.auditDetail', { count: added.length }) : null,
            ),
          };
        });
      },
      async validate(c, reviewer, author) {
        const d = canReview(c, reviewer, author);
        if (!d.ok) throw new Error(d.reason);
        await write(
          ({ newId, now }) => [
            {
              entity: 'signature',
              id: newId(),
              insert: {
                orgId: c.orgId,
                consultationId: c.id,
                kind: 'supervisor',
                staffId: reviewer!.id,
                at: now,
                contentHash: contentHash(c),
                comment: null,
              },
            },
            { entity: 'consultation', id: c.id, set: { status: 'validated' } },
          ],
          audit('consultation.validated', c),
        );
      },
      async returnNote(c, reviewer, author, comment) {
        const d = canReview(c, reviewer, author);
        if (!d.ok) throw new Error(d.reason);
        const errors = returnErrors(comment);
        if (errors.length > 0) throw new Error(errors.join(' '));
        await write(
          ({ newId, now }) => [
            {
              entity: 'signature',
              id: newId(),
              insert: {
                orgId: c.orgId,
                consultationId: c.id,
                kind: 'return',
                staffId: reviewer!.id,
                at: now,
                contentHash: contentHash(c),
                comment: comment.trim(),
              },
            },
            {
              entity: 'consultation',
              id: c.id,
              set: { status: 'returned', returnComment: comment.trim() },
            },
          ],
          audit('consultation.returned', c),
        );
      },
      async addAddendum(c, author, text) {
        if (!author) throw new Error(t('room.errors.whoAreYou'));
        if (text.trim() === '') throw new Error(t('consultation.addendum.empty'));
        await write(
          ({ newId, now }) => {
            const { id, ...insert } = newAddendum(
              { id: newId(), orgId: c.orgId, consultationId: c.id, at: now, text },
              author,
            );
            return [{ entity: 'addendum', id, insert }];
          },
          audit('consultation.addendum', c),
        );
      },
      async reviewAddendum(c, addendum, signatures, reviewer, verdict) {
        const d = canReviewAddendum(addendum, signatures, reviewer);
        if (!d.ok) throw new Error(d.reason);
        const comment = verdict.kind === 'return' ? verdict.comment.trim() : null;
        if (verdict.kind === 'return') {
          const errors = returnErrors(comment ?? '');
          if (errors.length > 0) throw new Error(errors.join(' '));
        }
        await write(
          ({ newId, now }) => [
            {
              entity: 'signature',
              id: newId(),
              insert: {
                orgId: c.orgId,
                consultationId: c.id,
                kind: verdict.kind,
                staffId: reviewer!.id,
                at: now,
                contentHash: addendum.contentHash ?? '',
                comment,
                addendumId: addendum.id,
              },
            },
          ],
          {
            action: verdict.kind === 'supervisor' ? 'addendum.validated' : 'addendum.returned',
            entity: 'addendum',
            entityId: addendum.id,
            detail: null,
          },
        );
      },
    };
  }, [write]);
}
