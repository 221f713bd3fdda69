// The documents of a note, composed where the note is read (room, supervision) from what this
// device holds, so they print offline too: the compte rendu for the patient, the letter to the
// médecin traitant, the orientation letter and the certificates of the coordination's templates.
// What a document holds and when it may be made are the domain's (src/domain/documents.ts); each
// print or PDF is recorded on the note and audited.
import { useLiveQuery } from 'dexie-react-hooks';
import { useId, useState } from 'react';
import { createPortal } from 'react-dom';
import { type DocumentMaterial, documentMaterial } from '../../device/document-queries';
import { wallClock } from '../../device/stamp';
import {
  type ComposedDocument,
  composeDocument,
  DOCUMENT_KINDS,
  type DocumentKind,
  documentRefusal,
  recordPrint,
  SENDABLE_KINDS,
} from '../../domain/documents';
import type { DocumentTemplate, PrintedDocument } from '../../domain/entities';
import { PartnerOutcomes } from '../consultation/PartnerOutcomes';
import { downloadText } from '../coordination/download';
import { useDb } from '../data/device-data';
import { useWriter } from '../data/writer';
import { staffName } from '../day/day-data';
import { ActionButton } from '../feedback/ActionButton';
import { CheckboxField, SelectField } from '../forms/fields';
import { formatDateTime, t } from '../i18n';
import { useUiStore } from '../state/ui-store';
import { DocumentSheet } from './DocumentSheet';
import './documents.css';

function useDocumentMaterial(consultationId: string): DocumentMaterial | null | undefined {
  const db = useDb();
  return useLiveQuery(
    async () => (db ? ((await documentMaterial(db, consultationId)) ?? null) : null),
    [db, consultationId],
  );
}

/** Saves the PDF's bytes under a file name (a Blob behind a temporary link). */
function saveFile(name: string, bytes: ArrayBuffer): void {
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/pdf' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function DocumentsPanel({ consultationId }: { consultationId: string }) {
  const material = useDocumentMaterial(consultationId);
  const staffId = useUiStore((s) => s.staffId);
  const profile = useUiStore((s) => s.profile);
  const roomId = useUiStore((s) => s.roomId);
  const db = useDb();
  const write = useWriter();
  const id = useId();
  const [kind, setKind] = useState<DocumentKind>('compte_rendu');
  const [templateId, setTemplateId] = useState('');
  const [send, setSend] = useState(false);
  if (!material) return null;
  const c = material.consultation;
  const template: DocumentTemplate | null =
    kind === 'certificat'
      ? (material.templates.find((tpl) => tpl.id === templateId) ?? null)
      : null;
  const decision = documentRefusal(kind, c, material.patient, template);
  const refusal = decision.ok ? (staffId ? null : t('documents.whoAreYou')) : decision.reason;
  let composed: ComposedDocument | null = null;
  if (decision.ok && material.patient) {
    composed = composeDocument({
      kind,
      consultation: c,
      patient: material.patient,
      staff: material.staff,
      service: material.service,
      stop: material.stop,
      unit: material.unit,
      organisationName: material.organisationName,
      vitals: material.vitals,
      addenda: material.addenda,
      allergies: material.allergies,
      treatments: material.treatments,
      template,
    });
  }
  const record = (format: 'print' | 'pdf') =>
    write((stamp) =>
      recordPrint(
        {
          kind,
          consultation: c,
          patient: material.patient,
          template,
          staffId,
          format,
          send: send && SENDABLE_KINDS.has(kind),
        },
        stamp,
      ),
    );
  const print = async () => {
    await record('print');
    window.print();
  };
  const savePdf = async () => {
    if (!composed) return;
    // jsPDF loads here, on the first PDF asked for, not with the room's screen.
    const { documentPdf } = await import('./document-pdf');
    const bytes = documentPdf(composed);
    await record('pdf');
    const patient = material.patient;
    saveFile(
      t('documents.fileName', {
        kind: t(`documents.shortKinds.${kind}`),
        patient: patient ? patient.birthName.toUpperCase() : '',
        date: material.stop?.date ?? c.createdAt.slice(0, 10),
      }),
      bytes,
    );
  };
  // The note's state is the documents' rule; who may read it is checked by the export itself.
  const noteState = documentRefusal('compte_rendu', c, material.patient);
  const fhirRefused = noteState.ok
    ? staffId
      ? null
      : t('documents.fhirWhoAreYou')
    : noteState.reason;
  const saveFhir = async () => {
    if (!db) return;
    // The FHIR module loads here, on the first export, not with the room's screen.
    const { consultationFhirFile, FHIR_JSON } = await import('../coordination/fhir-file');
    const out = await consultationFhirFile(
      db,
      c.id,
      { profile: profile ?? 'room', roomId },
      staffId,
      wallClock.iso(),
    );
    downloadText(out.file, out.json, FHIR_JSON, { bom: false });
    await write([], {
      action: 'export.fhir_consultation',
      entity: 'consultation',
      entityId: c.id,
      detail: 'FHIR R4',
    });
  };
  return (
    <section className="panel stack no-print documents-panel" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{t('documents.title')}</h2>
      <div className="form-grid form-grid--narrow">
        <SelectField<DocumentKind>
          label={t('documents.kind')}
          value={kind}
          onChange={setKind}
          options={DOCUMENT_KINDS.map((k) => ({ value: k, label: t(`documents.kinds.${k}`) }))}
        />
        {kind === 'certificat' ? (
          <SelectField
            label={t('documents.template')}
            value={templateId}
            onChange={setTemplateId}
            options={[
              { value: '', label: t('documents.chooseTemplate') },
              ...material.templates
                .filter((tpl) => tpl.active)
                .map((tpl) => ({ value: tpl.id, label: tpl.title })),
            ]}
          />
        ) : null}
      </div>
      {SENDABLE_KINDS.has(kind) ? (
        <CheckboxField
          label={t('documents.send')}
          hint={t('documents.sendHint')}
          checked={send}
          onChange={setSend}
        />
      ) : null}
      {decision.ok && c.status === 'to_validate' ? (
        <p className="notice notice--warning">{t('documents.pendingHint')}</p>
      ) : null}
      <div className="actions">
        <ActionButton primary disabledReason={refusal} onAction={print}>
          {t('documents.print')}
        </ActionButton>
        <ActionButton disabledReason={refusal} onAction={savePdf} success={t('documents.pdfSaved')}>
          {t('documents.pdf')}
        </ActionButton>
        <ActionButton
          disabledReason={fhirRefused}
          onAction={saveFhir}
          success={t('documents.fhirSaved')}
        >
          {t('documents.fhir')}
        </ActionButton>
      </div>
      <p className="muted">{t('documents.fhirHint')}</p>
      {composed ? (
        <figure className="document-preview" aria-label={t('documents.preview')}>
          <DocumentSheet doc={composed} id={`${id}-preview`} />
        </figure>
      ) : null}
      <PrintedList printed={material.printed} staff={material.staff} />
      <PartnerOutcomes consultationId={consultationId} validated={c.status === 'validated'} />
      {composed
        ? createPortal(
            <div className="document-print">
              <DocumentSheet doc={composed} />
            </div>,
            document.body,
          )
        : null}
    </section>
  );
}

function PrintedList({
  printed,
  staff,
}: {
  printed: readonly PrintedDocument[];
  staff: DocumentMaterial['staff'];
}) {
  return (
    <div className="stack">
      <h3>{t('documents.printedTitle')}</h3>
      {printed.length === 0 ? (
        <p className="muted">{t('documents.printedNone')}</p>
      ) : (
        <ul>
          {printed.map((p) => {
            const who = staff.get(p.staffId);
            return (
              <li key={p.id}>
                {t(p.pendingValidation ? 'documents.printedLinePending' : 'documents.printedLine', {
                  kind: t(`documents.shortKinds.${p.kind}`),
                  format: t(`documents.formats.${p.format}`),
                  at: formatDateTime(p.at),
                  who: who ? staffName(who) : t('day.none'),
                })}
                {p.send ? ` ${t('documents.toSend')}` : ''}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
