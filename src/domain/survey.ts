// The optional end-of-visit questionnaire (issue #17 item 3; docs/indicators.md): renoncement aux
// soins, « sans le camion, où seriez-vous allé ? », recorded on the visit (`visit.survey`,
// schema 8) at reception, answered or declined, never required. Pure: the screen hands it a
// draft and writes the result through the one write path.
import type { VisitSurvey } from './entities';
import { renunciationSchema, withoutTruckSchema } from './entities';

export type Renunciation = NonNullable<VisitSurvey['renunciation']>;
export type WithoutTruck = NonNullable<VisitSurvey['withoutTruck']>;

export interface SurveyDraft {
  /** '' : no answer to that question (allowed). */
  renunciation: Renunciation | '';
  withoutTruck: WithoutTruck | '';
  other: string;
}

export const EMPTY_SURVEY: SurveyDraft = { renunciation: '', withoutTruck: '', other: '' };

/** The questionnaire answered (each question may stay unanswered), or a French reason. */
export function answeredSurvey(
  draft: SurveyDraft,
  at: string,
  by: string,
): { ok: true; survey: VisitSurvey } | { ok: false; reason: string } {
  const renunciation = renunciationSchema.safeParse(draft.renunciation);
  const place = withoutTruckSchema.safeParse(draft.withoutTruck);
  const other = draft.other.trim();
  if (other.length > 100) {
    return { ok: false, reason: 'La précision tient en 100 caractères au plus.' };
  }
  return {
    ok: true,
    survey: {
      answered: true,
      renunciation: renunciation.success ? renunciation.data : null,
      withoutTruck: place.success ? place.data : null,
      // A precision only goes with « autre ».
      withoutTruckOther: place.success && place.data === 'autre' && other ? other : null,
      at,
      by,
    },
  };
}

/** The patient did not wish to answer: recorded as such, with no answer. */
export function declinedSurvey(at: string, by: string): VisitSurvey {
  return {
    answered: false,
    renunciation: null,
    withoutTruck: null,
    withoutTruckOther: null,
    at,
    by,
  };
}
