// The end-of-visit questionnaire: optional question by question, declined as such, a precision
// only with « autre », and always a valid visit.survey value.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { visitSurveySchema } from '../../src/domain/entities';
import { answeredSurvey, declinedSurvey, EMPTY_SURVEY } from '../../src/domain/survey';

const AT = '2026-11-23T10:00:00.000Z';

describe('the end-of-visit questionnaire', () => {
  it('may be answered with no answer at all (nothing is required)', () => {
    const r = answeredSurvey(EMPTY_SURVEY, AT, 'acc');
    expect(r).toEqual({
      ok: true,
      survey: {
        answered: true,
        renunciation: null,
        withoutTruck: null,
        withoutTruckOther: null,
        at: AT,
        by: 'acc',
      },
    });
  });

  it('keeps the precision with « autre » only, and refuses one over 100 characters in French', () => {
    const other = answeredSurvey(
      { renunciation: 'oui', withoutTruck: 'autre', other: ' Le Mans ' },
      AT,
      'a',
    );
    expect(other.ok && other.survey.withoutTruckOther).toBe('Le Mans');
    const urgences = answeredSurvey(
      { renunciation: 'non', withoutTruck: 'urgences', other: 'x' },
      AT,
      'a',
    );
    expect(urgences.ok && urgences.survey.withoutTruckOther).toBeNull();
    expect(
      answeredSurvey({ ...EMPTY_SURVEY, withoutTruck: 'autre', other: 'x'.repeat(101) }, AT, 'a'),
    ).toEqual({
      ok: false,
      reason: 'La précision tient en 100 caractères au plus.',
    });
  });

  it('records a refusal with no answer', () => {
    expect(declinedSurvey(AT, 'a')).toMatchObject({
      answered: false,
      renunciation: null,
      withoutTruck: null,
    });
  });

  it('always gives a value the visit accepts', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('', 'oui', 'non', 'ne_sait_pas'),
        fc.constantFrom('', 'medecin', 'urgences', 'pharmacie', 'reporte', 'nulle_part', 'autre'),
        fc.string({ maxLength: 120 }),
        (renunciation, withoutTruck, other) => {
          const r = answeredSurvey({ renunciation, withoutTruck, other } as never, AT, 'a');
          if (r.ok) expect(visitSurveySchema.safeParse(r.survey).success).toBe(true);
          else expect(other.trim().length).toBeGreaterThan(100);
        },
      ),
    );
    expect(visitSurveySchema.safeParse(declinedSurvey(AT, 'a')).success).toBe(true);
  });
});
