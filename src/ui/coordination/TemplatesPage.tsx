// /coordination/modeles: the certificate templates the rooms compose certificates from
// (src/domain/documents.ts). The usual ones are offered until the coordination writes its own;
// each save replicates to every room, with an audit event naming the template.
import { useLiveQuery } from 'dexie-react-hooks';
import { useState } from 'react';
import { organisationTemplates } from '../../device/document-queries';
import { saveTemplate, TEMPLATE_PLACEHOLDERS } from '../../domain/documents';
import type { DocumentTemplate } from '../../domain/entities';
import { useDb } from '../data/device-data';
import { useWriter } from '../data/writer';
import { ActionButton } from '../feedback/ActionButton';
import { CheckboxField, FieldGroup, TextAreaField, TextField } from '../forms/fields';
import { t } from '../i18n';
import { useUiStore } from '../state/ui-store';

const FIELDS = Object.keys(TEMPLATE_PLACEHOLDERS)
  .map((name) => `{${name}}`)
  .join(', ');

function TemplateForm({
  orgId,
  template,
}: {
  orgId: string;
  /** The template edited, or null for a new one. */
  template: DocumentTemplate | null;
}) {
  const write = useWriter();
  const staffId = useUiStore((s) => s.staffId);
  const [title, setTitle] = useState(template?.title ?? '');
  const [body, setBody] = useState(template?.body ?? '');
  const [active, setActive] = useState(template?.active ?? true);
  const save = async () => {
    await write((stamp) =>
      saveTemplate({ orgId, id: template?.id ?? null, title, body, active }, stamp),
    );
    if (!template) {
      setTitle('');
      setBody('');
      setActive(true);
    }
  };
  return (
    <FieldGroup
      legend={
        template
          ? t('documents.templates.edit', { title: template.title })
          : t('documents.templates.add')
      }
    >
      <TextField label={t('documents.templates.titleField')} value={title} onChange={setTitle} />
      <TextAreaField
        label={t('documents.templates.bodyField')}
        value={body}
        onChange={setBody}
        rows={5}
      />
      <CheckboxField
        label={t('documents.templates.active')}
        checked={active}
        onChange={setActive}
      />
      <div className="actions">
        <ActionButton
          disabledReason={staffId ? null : t('documents.templates.whoAreYou')}
          onAction={save}
          success={template ? t('documents.templates.saved') : t('documents.templates.created')}
        >
          {template ? t('documents.templates.save') : t('documents.templates.create')}
        </ActionButton>
      </div>
    </FieldGroup>
  );
}

export function TemplatesPage() {
  const db = useDb();
  const data = useLiveQuery(async () => (db ? organisationTemplates(db) : null), [db]);
  if (!data) return null;
  return (
    <section className="stack" aria-labelledby="templates-title">
      <h2 id="templates-title">{t('documents.templates.title')}</h2>
      <p>{t('documents.templates.intro', { fields: FIELDS })}</p>
      {data.templates.map((tpl) => (
        // A save that changes the row from elsewhere restarts its form from the stored text.
        <TemplateForm
          key={`${tpl.id}:${tpl.title}:${tpl.body}:${tpl.active}`}
          orgId={data.orgId}
          template={tpl}
        />
      ))}
      <TemplateForm orgId={data.orgId} template={null} />
    </section>
  );
}
