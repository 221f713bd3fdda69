// The documents of a consultation (src/domain/documents.ts): when one may be made, what each kind
// carries for each class of note, what identifies the truck, the author and the patient, and the
// record of a printed document.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allowedParts,
  composeDocument,
  DEFAULT_TEMPLATES,
  type DocumentSource,
  defaultTemplateId,
  documentRefusal,
  documentText,
  effectiveTemplates,
  PENDING_MARK,
  RESTRICTED_NOTICE,
  recordPrint,
  SOCIAL_NOTICE,
  saveTemplate,
  templateErrors,
} from '../../src/domain/documents';
import type {
  Consultation,
  DocumentKind,
  DocumentTemplate,
  Patient,
  Staff,
} from '../../src/domain/entities';

const staff = (id: string, over: Partial<Staff>): Staff => ({
  id,
  orgId: 'org',
  firstName: id,
  lastName: 'X',
  profession: 'medecin',
  roles: ['clinicien'],
  supervisorId: null,
  active: true,
  ...over,
});
const morvan = staff('morvan', {
  firstName: 'Hélène',
  lastName: 'Morvan',
  roles: ['clinicien', 'coordinateur'],
});
const benali = staff('benali', {
  firstName: 'Inès',
  lastName: 'Benali',
  profession: 'interne',
  supervisorId: 'morvan',
});
const directory = new Map([morvan, benali].map((s) => [s.id, s]));

const patient: Patient = {
  id: 'p1',
  orgId: 'org',
  birthName: 'Lebrun',
  usedName: 'Martin',
  firstNames: 'Noël Jean',
  usedFirstName: null,
  sex: 'M',
  birthDate: '1951-03-08',
  birthPlaceCode: '72180',
  identityStatus: 'validee',
  nir: '151037218012345',
  phone: null,
  email: null,
  address: null,
  communeInsee: null,
  coverage: 'amo',
  mtStatus: 'none',
  mtName: null,
  ald: false,
  allergies: [],
  createdAt: '2026-11-23T08:00:00.000Z',
  duplicateDecision: null,
};

const note: Consultation = {
  id: 'c1',
  orgId: 'org',
  queueEntryId: 'q1',
  visitId: 'v1',
  patientId: 'p1',
  stopId: 's1',
  serviceId: 'mg',
  authorId: 'benali',
  supervisorId: 'morvan',
  motif: 'Toux persistante',
  subjective: 'Toux depuis trois semaines, fumeur',
  objective: 'Sibilants diffus',
  assessment: 'Bronchite chronique probable',
  plan: 'Spirométrie',
  codes: [{ system: 'CISP-2', code: 'R79', label: 'Bronchite chronique', use: 'result' }],
  orientation: { kind: 'specialist', detail: 'Pneumologue, CH du Mans' },
  confidentiality: 'standard',
  status: 'to_validate',
  returnComment: null,
  createdAt: '2026-11-23T09:00:00.000Z',
};

const source = (over: Partial<DocumentSource> = {}): DocumentSource => ({
  kind: 'orientation',
  consultation: note,
  patient,
  staff: directory,
  service: {
    id: 'mg',
    orgId: 'org',
    code: 'MG',
    label: 'Médecine générale',
    ticketPrefix: 'M',
    typicalMinutes: 20,
    roomKinds: ['gp_box'],
    professions: ['medecin', 'interne'],
    confidentiality: 'standard',
  },
  stop: {
    id: 's1',
    orgId: 'org',
    unitId: 'u1',
    date: '2026-11-23',
    communeInsee: '72180',
    communeName: 'Mamers',
    address: 'Place Carnot',
    opensAt: '08:30',
    closesAt: '17:30',
    status: 'open',
  },
  unit: { id: 'u1', orgId: 'org', name: 'Camion Escale 1', registration: 'GH-472-PE' },
  organisationName: 'Médicobus Perche Émeraude',
  vitals: [
    {
      id: 'v1',
      orgId: 'org',
      consultationId: 'c1',
      patientId: 'p1',
      takenAt: '2026-11-23T09:05:00.000Z',
      authorId: 'benali',
      systolic: 142,
      diastolic: 88,
      heartRate: null,
      temperature: 37.8,
      spo2: null,
      weightKg: null,
      heightCm: null,
    },
  ],
  addenda: [],
  allergies: [
    {
      id: 'a1',
      orgId: 'org',
      patientId: 'p1',
      recordedAt: '2026-11-01T09:00:00.000Z',
      recordedBy: 'morvan',
      consultationId: null,
      kind: 'allergy',
      substance: 'Pénicilline',
      category: 'medication',
      reaction: 'urticaria',
      severity: 'moderate',
      note: null,
    },
  ],
  treatments: [],
  ...over,
});

const template: DocumentTemplate = {
  id: 'tpl-presence-org',
  orgId: 'org',
  title: 'Certificat de présence',
  body: 'Je soussigné(e) {auteur}, certifie que {patient}, né(e) le {naissance}, était présent(e) le {date} à {lieu}.',
  active: true,
};

describe('when a document may be made', () => {
  it('refuses an unsigned note and a returned one, with a French reason', () => {
    for (const kind of ['compte_rendu', 'certificat'] as DocumentKind[]) {
      const draft = documentRefusal(kind, { ...note, status: 'draft' }, patient, template);
      expect(draft).toEqual({
        ok: false,
        reason: 'Document impossible : la note n’est pas encore signée. Signez-la d’abord.',
      });
      const returned = documentRefusal(kind, { ...note, status: 'returned' }, patient, template);
      expect(returned.ok).toBe(false);
      if (!returned.ok) expect(returned.reason).toMatch(/renvoyée par le superviseur/);
    }
  });

  it('allows a note awaiting validation and a validated one', () => {
    expect(documentRefusal('compte_rendu', note, patient)).toEqual({ ok: true });
    expect(documentRefusal('compte_rendu', { ...note, status: 'validated' }, patient)).toEqual({
      ok: true,
    });
  });

  it('a letter to the médecin traitant needs one, named by the note or declared by the patient', () => {
    expect(documentRefusal('lettre_mt', note, patient).ok).toBe(false);
    expect(
      documentRefusal('lettre_mt', note, { mtStatus: 'declared', mtName: 'Dr Roux, Mamers' }).ok,
    ).toBe(true);
    expect(
      documentRefusal(
        'lettre_mt',
        { ...note, orientation: { kind: 'mt_found', mtName: 'Dr Petit' } },
        patient,
      ).ok,
    ).toBe(true);
  });

  it('an orientation letter needs an orientation to a specialist, MSP/CPTS, social service or emergency', () => {
    expect(
      documentRefusal('orientation', { ...note, orientation: { kind: 'none' } }, patient).ok,
    ).toBe(false);
    for (const kind of ['specialist', 'msp_cpts', 'social_worker', 'emergency'] as const) {
      expect(documentRefusal('orientation', { ...note, orientation: { kind } }, patient).ok).toBe(
        true,
      );
    }
  });

  it('a certificate needs an active template', () => {
    expect(documentRefusal('certificat', note, patient, null).ok).toBe(false);
    expect(documentRefusal('certificat', note, patient, { ...template, active: false }).ok).toBe(
      false,
    );
    expect(documentRefusal('certificat', note, patient, template).ok).toBe(true);
  });

  it('composing a refused document throws its reason and composes nothing', () => {
    expect(() =>
      composeDocument(source({ consultation: { ...note, status: 'returned' } })),
    ).toThrow(/renvoyée/);
  });
});

describe('what a document carries', () => {
  it('the truck, the intern with her supervisor, the patient’s traits, the stop’s place and date', () => {
    const d = composeDocument(source());
    expect(d.issuer).toEqual([
      'Médicobus Perche Émeraude',
      'Camion Escale 1, immatriculé GH-472-PE',
      'Service : Médecine générale',
    ]);
    expect(d.author).toEqual([
      'Inès Benali, interne en médecine',
      'Sous la supervision de Dr Hélène Morvan, médecin',
    ]);
    expect(d.patient).toContainEqual({ label: 'Nom de naissance', value: 'LEBRUN' });
    expect(d.patient).toContainEqual({ label: 'Nom utilisé', value: 'MARTIN' });
    expect(d.patient).toContainEqual({ label: 'Prénom(s) de naissance', value: 'Noël Jean' });
    expect(d.patient).toContainEqual({ label: 'Date de naissance', value: '08/03/1951' });
    expect(d.patient).toContainEqual({ label: 'Lieu de naissance (code INSEE)', value: '72180' });
    expect(d.placeAndDate).toBe('Fait à Mamers, le lundi 23 novembre 2026');
    expect(d.addressee).toBe('Au spécialiste : Pneumologue, CH du Mans');
  });

  it('shows the INS matricule only for a qualified identity', () => {
    const validated = composeDocument(source());
    expect(validated.patient.some((l) => l.value === patient.nir)).toBe(false);
    const qualified = composeDocument(
      source({ patient: { ...patient, identityStatus: 'qualifiee' } }),
    );
    expect(qualified.patient).toContainEqual({
      label: 'Matricule INS (NIR)',
      value: '151037218012345',
    });
  });

  it('an intern’s document is marked « à valider » until the note is validated', () => {
    const pending = composeDocument(source());
    expect(pending.pendingValidation).toBe(true);
    expect(documentText(pending)).toContain(PENDING_MARK);
    const validated = composeDocument(source({ consultation: { ...note, status: 'validated' } }));
    expect(validated.pendingValidation).toBe(false);
    expect(documentText(validated)).not.toContain('À valider');
  });

  it('an autonomous doctor’s document names no supervisor', () => {
    const d = composeDocument(
      source({
        consultation: { ...note, authorId: 'morvan', supervisorId: null, status: 'validated' },
      }),
    );
    expect(d.author).toEqual(['Dr Hélène Morvan, médecin']);
  });

  it('the letter to the médecin traitant carries the whole note, allergies and vitals', () => {
    const d = composeDocument(
      source({
        kind: 'lettre_mt',
        patient: { ...patient, mtStatus: 'declared', mtName: 'Dr Roux' },
      }),
    );
    const body = documentText(d);
    for (const part of [note.motif, note.subjective, note.objective, note.assessment, note.plan]) {
      expect(body).toContain(part);
    }
    expect(body).toContain('CISP-2 R79 — Bronchite chronique');
    expect(body).toContain('Pénicilline');
    expect(body).toContain('Pression systolique 142 mmHg');
    expect(body).toContain('Température 37,8 °C');
    expect(d.addressee).toBe('Au Dr Roux, médecin traitant');
  });

  it('the compte rendu for the patient carries no raw notes nor codes', () => {
    const body = documentText(composeDocument(source({ kind: 'compte_rendu' })));
    expect(body).toContain(note.assessment);
    expect(body).toContain(note.plan);
    expect(body).not.toContain(note.subjective);
    expect(body).not.toContain('R79');
  });

  it('a certificate carries its template filled in, and nothing of the note', () => {
    const d = composeDocument(source({ kind: 'certificat', template }));
    const body = documentText(d);
    expect(d.title).toBe('Certificat de présence');
    expect(body).toContain(
      'Je soussigné(e) Inès Benali, interne en médecine, certifie que Noël MARTIN, né(e) le 08/03/1951, était présent(e) le lundi 23 novembre 2026 à Mamers.',
    );
    for (const part of [note.motif, note.assessment, note.plan, 'Pénicilline', '142']) {
      expect(body).not.toContain(part);
    }
  });

  it('an orientation to the social service carries nothing medical', () => {
    const d = composeDocument(
      source({ consultation: { ...note, orientation: { kind: 'social_worker', detail: 'CCAS' } } }),
    );
    expect(d.notices).toEqual([SOCIAL_NOTICE]);
    expect(d.sections.map((s) => s.heading)).toEqual(['Orientation']);
  });

  it('a restricted note gives nothing clinical to a third party, and all to the patient', () => {
    for (const confidentiality of ['social', 'sexual_health'] as const) {
      const restricted = { ...note, confidentiality };
      const letter = composeDocument(source({ consultation: restricted }));
      expect(letter.notices).toEqual([RESTRICTED_NOTICE]);
      expect(documentText(letter)).not.toContain(note.assessment);
      const own = composeDocument(source({ kind: 'compte_rendu', consultation: restricted }));
      expect(documentText(own)).toContain(note.assessment);
    }
  });

  // Property: whatever the note says, a third party's document of a restricted note never holds
  // a word of its clinical text, and a certificate never does for any class.
  it('the class filter holds for any note', () => {
    const marker = fc.stringMatching(/^[A-Z]{12}$/).map((s) => `ZQ${s}`);
    fc.assert(
      fc.property(
        fc.record({
          motif: marker,
          subjective: marker,
          objective: marker,
          assessment: marker,
          plan: marker,
          addendum: marker,
        }),
        fc.constantFrom('standard', 'social', 'sexual_health' as const),
        fc.constantFrom('specialist', 'msp_cpts', 'social_worker', 'emergency' as const),
        fc.constantFrom<DocumentKind>('lettre_mt', 'orientation', 'certificat', 'compte_rendu'),
        (texts, confidentiality, orientationKind, kind) => {
          const c: Consultation = {
            ...note,
            ...texts,
            confidentiality,
            orientation: { kind: orientationKind },
          };
          const d = composeDocument(
            source({
              kind,
              consultation: c,
              patient: { ...patient, mtStatus: 'declared', mtName: 'Dr Roux' },
              template,
              addenda: [
                {
                  id: 'ad1',
                  orgId: 'org',
                  consultationId: 'c1',
                  authorId: 'benali',
                  at: '2026-11-23T10:00:00.000Z',
                  text: texts.addendum,
                },
              ],
            }),
          );
          const body = documentText(d);
          const clinical = Object.values(texts);
          const parts = allowedParts(kind, c);
          const closed =
            kind === 'certificat' ||
            (kind !== 'compte_rendu' && confidentiality !== 'standard') ||
            (kind === 'orientation' && orientationKind === 'social_worker');
          if (closed) {
            for (const word of clinical) expect(body).not.toContain(word);
            expect(parts.has('assessment')).toBe(false);
          } else {
            expect(body).toContain(texts.assessment);
          }
        },
      ),
    );
  });
});

describe('certificate templates', () => {
  it('the usual certificates are offered until the coordination writes its own', () => {
    const offered = effectiveTemplates('org', []);
    expect(offered.map((t) => t.title).sort()).toEqual(
      DEFAULT_TEMPLATES.map((t) => t.title).sort(),
    );
    const edited = { ...template, id: defaultTemplateId('org', 'presence'), title: 'Présence' };
    const after = effectiveTemplates('org', [edited]);
    expect(after).toHaveLength(DEFAULT_TEMPLATES.length);
    expect(after.find((t) => t.id === edited.id)?.title).toBe('Présence');
  });

  it('every default template composes without unknown fields', () => {
    for (const t of DEFAULT_TEMPLATES) expect(templateErrors(t)).toEqual([]);
  });

  it('refuses an empty template and unknown fields, naming the possible ones', () => {
    expect(templateErrors({ title: ' ', body: '' })).toEqual([
      'Le titre du modèle est obligatoire.',
      'Le texte du modèle est obligatoire.',
    ]);
    const [unknown] = templateErrors({ title: 'Sport', body: 'Pour {patient} au {club}' });
    expect(unknown).toMatch(
      /^Champ inconnu dans le modèle : \{club\}\. Champs possibles : \{patient\}/,
    );
  });
});

describe('recording a printed document', () => {
  const stamp = { newId: () => 'd1', now: '2026-11-23T10:15:00.000Z' };

  it('records what, when, by whom, and audits a reference, never the text', () => {
    const act = recordPrint(
      {
        kind: 'orientation',
        consultation: note,
        patient,
        template: null,
        staffId: 'benali',
        format: 'pdf',
      },
      stamp,
    );
    expect(act.changes).toEqual([
      {
        entity: 'printedDocument',
        id: 'd1',
        insert: {
          orgId: 'org',
          consultationId: 'c1',
          patientId: 'p1',
          kind: 'orientation',
          templateId: null,
          staffId: 'benali',
          at: '2026-11-23T10:15:00.000Z',
          format: 'pdf',
          pendingValidation: true,
        },
      },
    ]);
    expect(act.audit).toEqual({
      action: 'document.printed',
      entity: 'consultation',
      entityId: 'c1',
      detail: 'orientation',
    });
  });

  it('refuses an unsigned note and an unidentified person: nothing to write', () => {
    expect(() =>
      recordPrint(
        {
          kind: 'compte_rendu',
          consultation: { ...note, status: 'draft' },
          patient,
          template: null,
          staffId: 'benali',
          format: 'print',
        },
        stamp,
      ),
    ).toThrow('Document impossible : la note n’est pas encore signée. Signez-la d’abord.');
    expect(() =>
      recordPrint(
        {
          kind: 'compte_rendu',
          consultation: note,
          patient,
          template: null,
          staffId: null,
          format: 'print',
        },
        stamp,
      ),
    ).toThrow(/Identifiez-vous/);
  });
});

describe('editing a certificate template', () => {
  const stamp = { newId: () => 'tpl-new', now: '2026-11-23T10:15:00.000Z' };

  it('saves the whole row under the default’s id, audited by reference', () => {
    const id = defaultTemplateId('org', 'aptitude');
    const act = saveTemplate(
      { orgId: 'org', id, title: ' Aptitude au travail ', body: 'Pour {patient}.', active: true },
      stamp,
    );
    expect(act.changes).toEqual([
      {
        entity: 'documentTemplate',
        id,
        set: { orgId: 'org', title: 'Aptitude au travail', body: 'Pour {patient}.', active: true },
      },
    ]);
    expect(act.audit).toEqual({
      action: 'document.template_saved',
      entity: 'documentTemplate',
      entityId: id,
    });
  });

  it('a new template gets the stamp’s id; an unknown field refuses it whole', () => {
    const act = saveTemplate(
      {
        orgId: 'org',
        id: null,
        title: 'Crèche',
        body: '{patient} peut aller en crèche.',
        active: true,
      },
      stamp,
    );
    expect(act.changes[0]!.id).toBe('tpl-new');
    expect(() =>
      saveTemplate(
        { orgId: 'org', id: null, title: 'Crèche', body: '{enfant}', active: true },
        stamp,
      ),
    ).toThrow(/Champ inconnu dans le modèle : \{enfant\}/);
  });
});
