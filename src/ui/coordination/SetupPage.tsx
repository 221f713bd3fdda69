// A new centre's first start (docs/guide/coordination.md): a checklist of what is still missing —
// truck, rooms, services, stops and their hours, the rooms' roster, the team, the patient list —
// each step linking to the screen that does it (planning, team, import). Only what no screen makes
// is made here: a missing truck with its four rooms, or the usual services (src/domain/organisation.ts).
import { useState } from 'react';
import { Link } from 'react-router';
import { newRowId } from '../../device/ids';
import { standardServices, truckRooms } from '../../domain/organisation';
import { nextStop, type SetupStepId, setupSteps } from '../../domain/setup';
import { useWriter } from '../data/writer';
import { formatDate, t, tn } from '../i18n';
import type { OrgRows } from './coordination-data';

const LINKS: Partial<Record<SetupStepId, string>> = {
  rooms: '/coordination/equipe',
  stops: '/coordination/planning',
  roster: '/coordination/planning',
  staff: '/coordination/equipe',
  patients: '/coordination/import',
};

export function SetupPage({ rows, today }: { rows: OrgRows; today: string }) {
  const write = useWriter();
  const [status, setStatus] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const steps = setupSteps(rows, today);
  const required = steps.filter((s) => !s.optional);
  const doneCount = required.filter((s) => s.done).length;
  const orgId = rows.staff[0]?.orgId ?? '';
  const next = nextStop(rows.stops, today);
  const names = (list: readonly { name: string }[]) => list.map((x) => x.name).join(', ');

  const run = async (make: () => Promise<void>) => {
    setFailure(null);
    setStatus(null);
    try {
      await make();
      setStatus(t('setup.created'));
    } catch (e) {
      setFailure((e as Error).message);
    }
  };
  const createTruck = () =>
    run(async () => {
      const unitId = newRowId();
      const rooms = truckRooms(orgId, unitId, newRowId);
      await write(
        [
          { entity: 'unit', id: unitId, set: { orgId, name: 'Camion 1', registration: null } },
          ...rooms.map(({ id, ...fields }) => ({ entity: 'room' as const, id, set: fields })),
        ],
        { action: 'unit.created', entity: 'unit', entityId: unitId },
      );
    });
  const createServices = () =>
    run(async () => {
      await write(
        standardServices(orgId, newRowId).map(({ id, ...fields }) => ({
          entity: 'service' as const,
          id,
          set: fields,
        })),
        { action: 'service.created', entity: 'service', entityId: null },
      );
    });

  const summary = (id: SetupStepId): string => {
    switch (id) {
      case 'truck':
        return rows.units.length
          ? tn('setup.steps.truck.done', rows.units.length, { names: names(rows.units) })
          : t('setup.steps.truck.missing');
      case 'rooms':
        return rows.rooms.length
          ? tn('setup.steps.rooms.done', rows.rooms.length, {
              names: names([...rows.rooms].sort((a, b) => a.order - b.order)),
            })
          : t('setup.steps.rooms.missing');
      case 'services':
        return rows.services.length
          ? tn('setup.steps.services.done', rows.services.length, {
              names: rows.services.map((s) => s.label).join(', '),
            })
          : t('setup.steps.services.missing');
      case 'stops': {
        const ahead = rows.stops.filter((s) => s.date >= today && s.status !== 'cancelled');
        return next
          ? tn('setup.steps.stops.done', ahead.length, {
              date: formatDate(`${next.date}T12:00:00Z`),
              commune: next.communeName,
              opens: next.opensAt,
              closes: next.closesAt,
            })
          : t('setup.steps.stops.missing');
      }
      case 'roster':
        return steps.find((s) => s.id === 'roster')?.done
          ? t('setup.steps.roster.done')
          : t('setup.steps.roster.missing');
      case 'staff': {
        const active = rows.staff.filter((s) => s.active).length;
        return steps.find((s) => s.id === 'staff')?.done
          ? tn('setup.steps.staff.done', active)
          : t('setup.steps.staff.missing');
      }
      case 'patients':
        return rows.patients.length
          ? tn('setup.steps.patients.done', rows.patients.length)
          : t('setup.steps.patients.missing');
    }
  };

  return (
    <div className="stack setup">
      <h2>{t('setup.title')}</h2>
      <p>{t('setup.intro')}</p>
      <p role="status">
        {doneCount === required.length
          ? t('setup.allDone')
          : tn('setup.progress', doneCount, { total: required.length })}
      </p>
      {status ? (
        <p role="status" className="notice notice--success">
          {status}
        </p>
      ) : null}
      {failure ? (
        <p role="alert" className="notice notice--error">
          {failure}
        </p>
      ) : null}
      <ol className="setup__steps plain-list stack">
        {steps.map((step) => {
          const link = LINKS[step.id];
          return (
            <li
              key={step.id}
              className={`panel stack setup__step setup__step--${step.done ? 'done' : 'todo'}`}
            >
              <h3>
                <span className="setup__mark">
                  {step.done
                    ? t('setup.done')
                    : step.optional
                      ? t('setup.optional')
                      : t('setup.todo')}
                </span>{' '}
                {t(`setup.steps.${step.id}.title`)}
              </h3>
              <p>{summary(step.id)}</p>
              <div className="actions">
                {step.id === 'truck' && !step.done ? (
                  <button
                    type="button"
                    className="button button--primary"
                    onClick={() => void createTruck()}
                  >
                    {t('setup.steps.truck.create')}
                  </button>
                ) : null}
                {step.id === 'services' && !step.done ? (
                  <button
                    type="button"
                    className="button button--primary"
                    onClick={() => void createServices()}
                  >
                    {t('setup.steps.services.create')}
                  </button>
                ) : null}
                {link ? (
                  <Link className="button" to={link}>
                    {t(
                      `setup.steps.${step.id as 'rooms' | 'stops' | 'roster' | 'staff' | 'patients'}.link`,
                    )}
                  </Link>
                ) : null}
              </div>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
