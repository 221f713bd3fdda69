// An identity's page for reception and coordination: what it is now, its correction (previous
// values kept), its qualification (document checked, RNIV attributes) and its history. The rules
// are the domain's (src/domain/identity-lifecycle.ts); each message sits next to its control.
import { Fragment, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { IdentityChange, Patient } from '../../domain/entities';
import {
  ageOn,
  CORRECTABLE_TRAITS,
  type CorrectableTrait,
  type CorrectionErrors,
  effectiveIdentityStatus,
  ID_DOCUMENT_KINDS,
  IDENTITY_ATTRIBUTES,
  type IdDocumentKind,
  type IdentityAttribute,
  type QualificationErrors,
  UNKNOWN_BIRTH_PLACE,
} from '../../domain/identity-lifecycle';
import { formatNir } from '../../domain/nir';
import { INSI_ACTOR } from '../../domain/partner-tasks';
import { localDate } from '../../domain/time';
import { ResearchObjectionField, SharingObjectionField } from '../consultation/Objections';
import { useDay, useNow } from '../data/device-data';
import {
  useIdentity,
  useIdentityActions,
  useIdentityHistory,
  useLivePatients,
  usePatientVisits,
} from '../data/identity-actions';
import { patientName } from '../day/day-data';
import { CheckboxField, FieldGroup, SelectField, TextField } from '../forms/fields';
import { formatBirthDate, formatDateTime, t } from '../i18n';
import { PlacePicker, usePlaceText } from '../reception/PlacePicker';
import { useUiStore } from '../state/ui-store';
import { AdministrativeForm } from './AdministrativeForm';

/** The kind of an INS by its OID: NIR, NIA, or a test one (the INSi's test environment). */
function insKind(oid: string | null | undefined): 'nir' | 'nia' | 'test' {
  if (oid === '1.2.250.1.213.1.4.8') return 'nir';
  if (oid === '1.2.250.1.213.1.4.9') return 'nia';
  return 'test';
}

type Draft = Record<CorrectableTrait, string>;

const draftOf = (p: Patient): Draft => ({
  birthName: p.birthName,
  firstNames: p.firstNames,
  sex: p.sex,
  birthDate: p.birthDate,
  birthPlaceCode: p.birthPlaceCode,
  usedName: p.usedName ?? '',
  usedFirstName: p.usedFirstName ?? '',
  nir: p.nir ?? '',
});

const SEXES = ['F', 'M', 'I'] as const;

/** The page, for the identity named in the route (`:patientId`). */
export function IdentityRoute({ backTo }: { backTo: string }) {
  const { patientId } = useParams();
  return <IdentityPage patientId={patientId ?? null} backTo={backTo} />;
}

export function IdentityPage({ patientId, backTo }: { patientId: string | null; backTo: string }) {
  const patient = useIdentity(patientId);
  const staffId = useUiStore((s) => s.staffId);
  const profile = useUiStore((s) => s.profile);
  if (patient === undefined) return <p role="status">{t('app.loading')}</p>;
  if (patient === null) {
    return (
      <p className="notice notice--warning" role="status">
        {t('identity.notFound')}
      </p>
    );
  }
  return (
    <div className="stack">
      <h2>{t('identity.title', { name: patientName(patient) })}</h2>
      {patient.id !== patientId ? (
        <p className="notice" role="status">
          {t('identity.mergedNotice')}
        </p>
      ) : null}
      <Summary patient={patient} />
      {/* The right of access: the coordinating doctor gives the patient a copy of the record. */}
      {profile === 'coordination' ? (
        <Link to={`/coordination/patient/${patient.id}/copie`} className="button">
          {t('patientCopy.link')}
        </Link>
      ) : null}
      {/* The patient's objection to sharing their notes within the team, recorded at reception. */}
      <SharingObjectionField
        patient={patient}
        viewer={staffId ? { id: staffId } : undefined}
        editable
      />
      <ResearchObjectionField
        patient={patient}
        viewer={staffId ? { id: staffId } : undefined}
        editable
      />
      {/* One draft per identity: after a save it holds the saved values. */}
      <CorrectionForm key={`c-${patient.id}`} patient={patient} />
      <AdministrativeForm key={`a-${patient.id}`} patient={patient} />
      <QualificationForm key={`q-${patient.id}`} patient={patient} />
      <Visits patientId={patient.id} />
      <History patientId={patient.id} />
      <Link to={backTo} className="button">
        {t('identity.back')}
      </Link>
    </div>
  );
}

function Summary({ patient }: { patient: Patient }) {
  const now = useNow(60_000);
  const placeText = usePlaceText();
  const place = placeText(patient.birthPlaceCode);
  const attrs = patient.identityAttributes ?? [];
  return (
    <section className="panel stack" aria-labelledby="identity-summary">
      <h3 id="identity-summary">{t('identity.summary.title')}</h3>
      <p>
        {t('identity.summary.born', {
          date: formatBirthDate(patient.birthDate),
          age: String(ageOn(patient.birthDate, localDate(now))),
        })}
      </p>
      <p>
        {patient.birthPlaceCode === UNKNOWN_BIRTH_PLACE
          ? t('identity.summary.unknownPlace')
          : place
            ? t('identity.summary.birthPlaceNamed', { place })
            : t('identity.summary.birthPlace', { code: patient.birthPlaceCode })}
      </p>
      <dl className="identity-summary">
        <dt>{t('identity.summary.status')}</dt>
        <dd>{t(`identity.statuses.${effectiveIdentityStatus(patient)}`)}</dd>
        <dt>{t('identity.summary.document')}</dt>
        <dd>
          {patient.identityDocument
            ? t(`identity.documents.${patient.identityDocument}`)
            : t('identity.summary.noDocument')}
        </dd>
        <dt>{t('identity.summary.attributes')}</dt>
        <dd>
          {attrs.length > 0
            ? attrs.map((a) => t(`identity.attributes.${a}`)).join(', ')
            : t('identity.summary.noAttributes')}
        </dd>
        <dt>{t('identity.summary.ins')}</dt>
        <dd>
          {patient.insMatricule
            ? t('identity.summary.insValue', {
                matricule: formatNir(patient.insMatricule),
                kind: t(`identity.summary.insKinds.${insKind(patient.insOid)}`),
              })
            : t('identity.summary.noIns')}
        </dd>
      </dl>
    </section>
  );
}

function CorrectionForm({ patient }: { patient: Patient }) {
  const actions = useIdentityActions();
  const [draft, setDraft] = useState<Draft>(() => draftOf(patient));
  const [recheck, setRecheck] = useState<IdDocumentKind | ''>('');
  const [errors, setErrors] = useState<CorrectionErrors>({});
  const [done, setDone] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    setBusy(true);
    setFailure(null);
    setDone(null);
    try {
      const outcome = await actions.correct(patient.id, draft, recheck === '' ? null : recheck);
      if (outcome.ok) {
        setErrors({});
        setDone(
          outcome.statusDropped ? t('identity.correct.savedDropped') : t('identity.correct.saved'),
        );
      } else setErrors(outcome.errors);
    } catch (e) {
      setFailure(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const field = (key: CorrectableTrait) => ({
    label: t(`identity.fields.${key}`),
    value: draft[key],
    error: errors[key],
    onChange: (value: string) => setDraft({ ...draft, [key]: value }),
  });
  return (
    <form
      className="panel stack"
      aria-labelledby="identity-correct"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3 id="identity-correct">{t('identity.correct.title')}</h3>
      <p className="muted">{t('identity.correct.explain')}</p>
      <div className="form-grid">
        {CORRECTABLE_TRAITS.map((key) =>
          key === 'sex' ? (
            <SelectField
              key={key}
              {...field(key)}
              value={draft.sex as (typeof SEXES)[number]}
              onChange={(sex) => setDraft({ ...draft, sex })}
              options={SEXES.map((s) => ({ value: s, label: t(`identity.sexes.${s}`) }))}
            />
          ) : key === 'birthPlaceCode' ? (
            // The birth place is found by name (commune or country, « inconnu » offered); the code
            // field stays for a commune that disappeared before the list's first vintage.
            <Fragment key={key}>
              <TextField {...field(key)} hint={t('identity.correct.birthPlaceHint')} />
              <PlacePicker
                label={t('reception.places.birthPlace')}
                birthPlace
                onPick={(birthPlaceCode) => setDraft((d) => ({ ...d, birthPlaceCode }))}
              />
            </Fragment>
          ) : (
            <TextField key={key} {...field(key)} type={key === 'birthDate' ? 'date' : 'text'} />
          ),
        )}
        <SelectField
          label={t('identity.correct.recheck')}
          value={recheck}
          onChange={(v) => setRecheck(v)}
          error={errors.document}
          options={[
            { value: '', label: t('identity.correct.recheckNone') },
            ...ID_DOCUMENT_KINDS.map((d) => ({ value: d, label: t(`identity.documents.${d}`) })),
          ]}
        />
      </div>
      {errors.form ? (
        <p className="notice notice--error" role="alert">
          {errors.form}
        </p>
      ) : null}
      {failure ? (
        <p className="notice notice--error" role="alert">
          {failure}
        </p>
      ) : null}
      {done ? (
        <p className="notice" role="status">
          {done}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="button button--primary" disabled={busy}>
          {t('identity.correct.submit')}
        </button>
      </div>
    </form>
  );
}

function QualificationForm({ patient }: { patient: Patient }) {
  const actions = useIdentityActions();
  const [status, setStatus] = useState<'provisoire' | 'validee'>(
    patient.identityStatus === 'provisoire' ? 'provisoire' : 'validee',
  );
  const [document, setDocument] = useState<IdDocumentKind | ''>(patient.identityDocument ?? '');
  const [attributes, setAttributes] = useState<IdentityAttribute[]>(
    patient.identityAttributes ?? [],
  );
  const [errors, setErrors] = useState<QualificationErrors>({});
  const [done, setDone] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  const submit = async () => {
    setFailure(null);
    setDone(false);
    try {
      const outcome = await actions.qualify(patient.id, {
        status,
        document: document === '' ? null : document,
        attributes,
      });
      if (outcome.ok) {
        setErrors({});
        setDone(true);
      } else setErrors(outcome.errors);
    } catch (e) {
      setFailure(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <form
      className="panel stack"
      aria-labelledby="identity-qualify"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3 id="identity-qualify">{t('identity.qualify.title')}</h3>
      <p className="muted">{t('identity.qualify.explain')}</p>
      <div className="form-grid">
        <SelectField
          label={t('identity.fields.identityStatus')}
          value={status}
          onChange={(v) => setStatus(v)}
          error={errors.status}
          options={(['provisoire', 'validee'] as const).map((s) => ({
            value: s,
            label: t(`identity.statuses.${s}`),
          }))}
        />
        <SelectField
          label={t('identity.fields.identityDocument')}
          value={document}
          onChange={(v) => setDocument(v)}
          error={errors.document}
          options={[
            { value: '', label: t('identity.qualify.none') },
            ...ID_DOCUMENT_KINDS.map((d) => ({ value: d, label: t(`identity.documents.${d}`) })),
          ]}
        />
      </div>
      <FieldGroup legend={t('identity.fields.identityAttributes')} error={errors.attributes}>
        {IDENTITY_ATTRIBUTES.map((a) => (
          <CheckboxField
            key={a}
            label={t(`identity.attributes.${a}`)}
            checked={attributes.includes(a)}
            onChange={(on) =>
              setAttributes(on ? [...attributes, a] : attributes.filter((x) => x !== a))
            }
          />
        ))}
      </FieldGroup>
      {failure ? (
        <p className="notice notice--error" role="alert">
          {failure}
        </p>
      ) : null}
      {done ? (
        <p className="notice" role="status">
          {t('identity.qualify.saved')}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="button button--primary">
          {t('identity.qualify.submit')}
        </button>
      </div>
    </form>
  );
}

function Visits({ patientId }: { patientId: string }) {
  const visits = usePatientVisits(patientId);
  if (visits === undefined) return null;
  return (
    <section className="panel stack" aria-labelledby="identity-visits">
      <h3 id="identity-visits">{t('identity.visits.title', { count: visits.length })}</h3>
      {visits.length === 0 ? <p className="muted">{t('identity.visits.empty')}</p> : null}
      <ul className="stack" aria-labelledby="identity-visits">
        {visits.map(({ visit, stop, tickets, mergedFrom }) => (
          <li key={visit.id}>
            <strong>
              {t('identity.visits.line', {
                when: formatDateTime(visit.arrivedAt),
                place: stop?.communeName ?? t('identity.visits.someStop'),
              })}
            </strong>{' '}
            {tickets.length === 0
              ? t('identity.visits.noTicket')
              : tickets
                  .map((x) =>
                    t('identity.visits.ticket', {
                      ticket: x.ticket,
                      service: x.service?.label ?? t('identity.visits.someService'),
                    }),
                  )
                  .join(', ')}
            {mergedFrom ? (
              <p className="muted">
                {t('identity.visits.mergedFrom', {
                  name: patientName(mergedFrom),
                  date: formatBirthDate(mergedFrom.birthDate),
                })}
              </p>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

function valueText(field: string, value: string | null): string {
  if (value === null || value === '') return t('identity.history.empty_value');
  if (
    field === 'identityStatus' &&
    value in { provisoire: 1, recuperee: 1, validee: 1, qualifiee: 1 }
  ) {
    return t(`identity.statuses.${value as 'provisoire'}`);
  }
  if (field === 'insOid') return t(`identity.summary.insKinds.${insKind(value)}`);
  if (field === 'insMatricule') return formatNir(value);
  if (field === 'identityDocument' && (ID_DOCUMENT_KINDS as readonly string[]).includes(value)) {
    return t(`identity.documents.${value as IdDocumentKind}`);
  }
  if (field === 'identityAttributes') {
    return value
      .split(',')
      .map((a) =>
        (IDENTITY_ATTRIBUTES as readonly string[]).includes(a)
          ? t(`identity.attributes.${a as IdentityAttribute}`)
          : a,
      )
      .join(', ');
  }
  if (field === 'birthDate') return formatBirthDate(value);
  if (field === 'sex' && (SEXES as readonly string[]).includes(value)) {
    return t(`identity.sexes.${value as 'F'}`);
  }
  return value;
}

const FIELD_KEYS = new Set<string>([
  ...CORRECTABLE_TRAITS,
  'identityStatus',
  'identityDocument',
  'identityAttributes',
  'insMatricule',
  'insOid',
]);

function History({ patientId }: { patientId: string }) {
  const history = useIdentityHistory(patientId);
  const patients = useLivePatients();
  const now = useNow();
  const day = useDay(localDate(now));
  if (history === undefined) return null;
  const staff = new Map((day?.day.staff ?? []).map((s) => [s.id, `${s.firstName} ${s.lastName}`]));
  const names = new Map((patients ?? []).map((p) => [p.id, patientName(p)]));
  return (
    <section className="panel stack" aria-labelledby="identity-history">
      <h3 id="identity-history">{t('identity.history.title')}</h3>
      {history.length === 0 ? <p className="muted">{t('identity.history.empty')}</p> : null}
      <ul className="stack">
        {history.map((h: IdentityChange) => (
          <li key={h.id}>
            <strong>
              {t('identity.history.line', {
                when: formatDateTime(h.at),
                kind: t(`identity.history.kinds.${h.kind}`),
                who:
                  staff.get(h.staffId) ??
                  (h.staffId === INSI_ACTOR
                    ? t('identity.history.insi')
                    : t('identity.history.someone')),
              })}
            </strong>
            {h.kind === 'merge' && h.otherPatientId ? (
              <p className="muted">
                {t('identity.history.mergedInto', {
                  name: names.get(h.otherPatientId) ?? t('identity.history.someone'),
                })}
              </p>
            ) : null}
            <ul>
              {h.changes.map((c) => (
                <li key={c.field}>
                  {t('identity.history.change', {
                    field: FIELD_KEYS.has(c.field)
                      ? t(`identity.fields.${c.field as CorrectableTrait}`)
                      : c.field,
                    before: valueText(c.field, c.before),
                    after: valueText(c.field, c.after),
                  })}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
    </section>
  );
}
