// The services' priority policy (issue 17 item 1): per service, the coordination chooses the
// queue priority among walk-ins, the booking starts held for priority patients and until when,
// and who may be received. The rules (and the refusal of a policy that would make a service
// unbookable) are src/domain/priority.ts's; the order they drive is src/domain/queue-order.ts's.
import { useState } from 'react';
import {
  eligibilitySchema,
  type PriorityPolicy,
  queuePrioritySchema,
  type Service,
} from '../../domain/entities';
import { type PolicyErrors, policyErrors, policyOf } from '../../domain/priority';
import { useWriter } from '../data/writer';
import { ActionButton } from '../feedback/ActionButton';
import { SelectField, TextField } from '../forms/fields';
import { t, tn } from '../i18n';
import type { OrgRows } from './coordination-data';

function summaryOf(p: PriorityPolicy): string {
  const parts: string[] = [];
  if (p.queue !== 'none') {
    parts.push(
      t('pathway.policy.summary.queue', { queue: t(`pathway.policy.queueOptions.${p.queue}`) }),
    );
  }
  if (p.reservedSlots > 0) {
    parts.push(
      tn('pathway.policy.summary.reserved', p.reservedSlots, { time: p.reservedUntil ?? '' }),
    );
  }
  if (p.eligibility === 'no_mt') parts.push(t('pathway.policy.summary.onlyNoMt'));
  return parts.length ? parts.join(' · ') : t('pathway.policy.summary.none');
}

function ServicePolicy({
  service,
  rows,
  today,
}: {
  service: Service;
  rows: OrgRows;
  today: string;
}) {
  const write = useWriter();
  const current = policyOf(service);
  const [queue, setQueue] = useState(current.queue);
  const [reserved, setReserved] = useState(String(current.reservedSlots));
  const [until, setUntil] = useState(current.reservedUntil ?? '');
  const [eligibility, setEligibility] = useState(current.eligibility);
  const [errors, setErrors] = useState<PolicyErrors>({});
  const titleId = `policy-${service.id}`;

  const save = async () => {
    const count = reserved.trim() === '' ? 0 : Number(reserved.trim());
    if (!/^\d+$/.test(reserved.trim() || '0')) {
      const found = { reservedSlots: t('pathway.policy.notNumber') };
      setErrors(found);
      throw new Error(found.reservedSlots);
    }
    const policy: PriorityPolicy = {
      queue,
      reservedSlots: count,
      reservedUntil: count > 0 && until.trim() !== '' ? until.trim() : null,
      eligibility,
    };
    const found = policyErrors(service, policy, {
      stops: rows.stops,
      slots: rows.slots,
      services: rows.services,
      from: today,
    });
    setErrors(found);
    const first = found.reservedSlots ?? found.reservedUntil;
    if (first) throw new Error(first);
    await write([{ entity: 'service', id: service.id, set: { priorityPolicy: policy } }], {
      action: 'service.policy_changed',
      entity: 'service',
      entityId: service.id,
    });
  };

  return (
    <section className="panel stack" aria-labelledby={titleId}>
      <h3 id={titleId}>{t('pathway.policy.service', { service: service.label })}</h3>
      <p className="muted">{summaryOf(current)}</p>
      <div className="form-grid">
        <SelectField
          label={t('pathway.policy.queue')}
          value={queue}
          onChange={(v: PriorityPolicy['queue']) => setQueue(v)}
          options={queuePrioritySchema.options.map((q) => ({
            value: q,
            label: t(`pathway.policy.queueOptions.${q}`),
          }))}
        />
        <TextField
          label={t('pathway.policy.reservedSlots')}
          value={reserved}
          onChange={setReserved}
          inputMode="numeric"
          hint={t('pathway.policy.reservedSlotsHint')}
          error={errors.reservedSlots}
        />
        <TextField
          label={t('pathway.policy.reservedUntil')}
          type="time"
          value={until}
          onChange={setUntil}
          hint={t('pathway.policy.reservedUntilHint')}
          error={errors.reservedUntil}
        />
        <SelectField
          label={t('pathway.policy.eligibility')}
          value={eligibility}
          onChange={(v: PriorityPolicy['eligibility']) => setEligibility(v)}
          options={eligibilitySchema.options.map((e) => ({
            value: e,
            label: t(`pathway.policy.eligibilityOptions.${e}`),
          }))}
        />
      </div>
      <div className="actions">
        <ActionButton
          primary
          onAction={save}
          success={t('pathway.policy.saved', { service: service.label })}
        >
          {t('pathway.policy.save', { service: service.label })}
        </ActionButton>
      </div>
    </section>
  );
}

export function PolicyPage({ rows, today }: { rows: OrgRows; today: string }) {
  const services = [...rows.services].sort((a, b) => a.label.localeCompare(b.label, 'fr'));
  return (
    <div className="stack">
      <h2>{t('pathway.policy.title')}</h2>
      <p>{t('pathway.policy.intro')}</p>
      {services.map((s) => (
        <ServicePolicy key={s.id} service={s} rows={rows} today={today} />
      ))}
    </div>
  );
}
