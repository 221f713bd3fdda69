// A patient's administrative data (issue #15 item 1): contacts and consent to be contacted,
// insurance scheme and coverage, the ALD with its nature and exoneration — only what changed is
// written, each fault has one French message, an ALD's details need the ALD.
import { describe, expect, it } from 'vitest';
import type { Patient } from '../../src/domain/entities';
import { adminDraftOf, planAdministrative } from '../../src/domain/patient-admin';

const patient = {
  id: 'p1',
  phone: null,
  email: null,
  address: null,
  communeInsee: '72180',
  coverage: 'amo',
  ald: false,
} as unknown as Patient;

describe('the administrative data of a patient', () => {
  it('starts from the record, the schema-7 fields absent read as not known', () => {
    expect(adminDraftOf(patient)).toEqual({
      phone: '',
      email: '',
      address: '',
      communeInsee: '72180',
      contactConsent: 'unknown',
      regime: 'inconnu',
      coverage: 'amo',
      ald: false,
      aldNature: '',
      aldExoneration: false,
    });
  });

  it('writes only what changed: the ALD with its nature and exoneration, the scheme, C2S', () => {
    const plan = planAdministrative(patient, {
      ...adminDraftOf(patient),
      ald: true,
      aldNature: '  Diabète de type 2 ',
      aldExoneration: true,
      regime: 'agricole',
      coverage: 'c2s',
    });
    expect(plan).toEqual({
      ok: true,
      set: {
        ald: true,
        aldNature: 'Diabète de type 2',
        aldExoneration: true,
        regime: 'agricole',
        coverage: 'c2s',
      },
      fields: ['regime', 'coverage', 'ald', 'aldNature', 'aldExoneration'],
    });
  });

  it('records the consent to be contacted with a way to be contacted, and refuses it without one', () => {
    expect(
      planAdministrative(patient, { ...adminDraftOf(patient), contactConsent: 'yes' }),
    ).toEqual({
      ok: false,
      errors: {
        contactConsent:
          'Pour que le patient puisse être recontacté, indiquez un téléphone ou une adresse e-mail.',
      },
    });
    const plan = planAdministrative(patient, {
      ...adminDraftOf(patient),
      contactConsent: 'yes',
      phone: '06 12 34 56 78',
    });
    expect(plan).toMatchObject({
      ok: true,
      set: { contactConsent: true, phone: '06 12 34 56 78' },
    });
  });

  it('says what is wrong beside each field', () => {
    const plan = planAdministrative(patient, {
      ...adminDraftOf(patient),
      phone: '12',
      email: 'nom@',
      communeInsee: '7218',
      aldExoneration: true,
    });
    expect(plan).toEqual({
      ok: false,
      errors: {
        phone: 'Le numéro de téléphone doit comporter 10 chiffres (ex. 06 12 34 56 78).',
        email: 'L’adresse e-mail n’est pas valide (ex. nom@exemple.fr).',
        communeInsee: 'Le code INSEE de la commune doit comporter 5 caractères (ex. 72181).',
        ald: 'Cochez d’abord « Affection de longue durée » pour en dire la nature ou l’exonération.',
      },
    });
  });

  it('clears the ALD’s details when the ALD ends, and refuses a form that changes nothing', () => {
    const withAld = { ...patient, ald: true, aldNature: 'Asthme', aldExoneration: true } as Patient;
    expect(
      planAdministrative(withAld, {
        ...adminDraftOf(withAld),
        ald: false,
        aldNature: '',
        aldExoneration: false,
      }),
    ).toEqual({
      ok: true,
      set: { ald: false, aldNature: null, aldExoneration: null },
      fields: ['ald', 'aldNature', 'aldExoneration'],
    });
    expect(planAdministrative(patient, adminDraftOf(patient))).toEqual({
      ok: false,
      errors: {
        form: 'Aucune modification à enregistrer : chaque valeur est déjà celle du dossier.',
      },
    });
  });
});
