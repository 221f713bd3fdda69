// The team and the rooms (docs/design.md §2: the coordinating doctor manages staff, rooms and
// devices): add or change a member — profession, roles, supervisor of an intern, active or not —
// and rename the rooms. Every change goes through the write path and is audited. Each member's
// password (for signing in on enrolled devices) is set on the server, never kept here.
import { useState } from 'react';
import { AccountError, setStaffPassword } from '../../device/accounts';
import {
  type Profession,
  professionSchema,
  type Role,
  roleSchema,
  type Staff,
} from '../../domain/entities';
import { normaliseRpps } from '../../domain/rpps';
import { defaultRoles, type StaffErrors, type StaffInput, staffErrors } from '../../domain/team';
import { useDb } from '../data/device-data';
import { useWriter } from '../data/writer';
import { sortedRooms, staffName } from '../day/day-data';
import { CheckboxField, FieldGroup, SelectField, TextField } from '../forms/fields';
import { t } from '../i18n';
import type { OrgRows } from './coordination-data';

const EMPTY: StaffInput = {
  firstName: '',
  lastName: '',
  profession: '',
  roles: [],
  supervisorId: null,
  rpps: '',
};

function inputOf(s: Staff): StaffInput {
  return {
    firstName: s.firstName,
    lastName: s.lastName,
    profession: s.profession,
    roles: [...s.roles],
    supervisorId: s.supervisorId,
    rpps: s.rpps ?? '',
  };
}

function StaffForm({
  rows,
  editing,
  onDone,
}: {
  rows: OrgRows;
  editing: Staff | null;
  onDone(message: string): void;
}) {
  const write = useWriter();
  const [input, setInput] = useState<StaffInput>(editing ? inputOf(editing) : EMPTY);
  const [active, setActive] = useState(editing?.active ?? true);
  const [errors, setErrors] = useState<StaffErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const clinicians = rows.staff.filter(
    (s) => s.active && s.roles.includes('clinicien') && s.id !== editing?.id,
  );
  const orgId = rows.staff[0]?.orgId ?? rows.stops[0]?.orgId ?? '';

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const found = staffErrors(input, rows.staff, editing?.id ?? null);
    setErrors(found);
    if (Object.keys(found).length > 0 || !input.profession) return;
    const profession = input.profession;
    try {
      await write(({ newId }) => {
        const id = editing?.id ?? newId();
        return {
          changes: [
            {
              entity: 'staff',
              id,
              set: {
                ...(editing ? {} : { orgId }),
                firstName: input.firstName.trim(),
                lastName: input.lastName.trim(),
                profession,
                roles: input.roles,
                supervisorId: input.supervisorId,
                rpps: normaliseRpps(input.rpps ?? ''),
                active,
              },
            },
          ],
          audit: {
            action: editing ? 'staff.changed' : 'staff.added',
            entity: 'staff',
            entityId: id,
          },
        };
      });
      onDone(t(editing ? 'coordination.team.saved' : 'coordination.team.added'));
    } catch (e) {
      setFailure((e as Error).message);
    }
  };
  const toggleRole = (role: Role, on: boolean) =>
    setInput({
      ...input,
      roles: on ? [...input.roles, role] : input.roles.filter((r) => r !== role),
    });

  return (
    <form
      className="panel stack"
      onSubmit={(e) => void submit(e)}
      noValidate
      aria-labelledby="staff-form-title"
    >
      <h3 id="staff-form-title">
        {editing
          ? t('coordination.team.editTitle', { name: staffName(editing) })
          : t('coordination.team.addTitle')}
      </h3>
      <div className="form-grid">
        <TextField
          label={t('coordination.team.firstName')}
          value={input.firstName}
          onChange={(v) => setInput({ ...input, firstName: v })}
          error={errors.firstName}
          required
        />
        <TextField
          label={t('coordination.team.lastName')}
          value={input.lastName}
          onChange={(v) => setInput({ ...input, lastName: v })}
          error={errors.lastName}
          required
        />
        <SelectField
          label={t('coordination.team.profession')}
          value={input.profession}
          onChange={(v: Profession) =>
            setInput({
              ...input,
              profession: v,
              roles: input.roles.length ? input.roles : defaultRoles(v),
            })
          }
          options={[
            { value: '', label: t('coordination.team.choose') },
            ...professionSchema.options.map((p) => ({
              value: p,
              label: t(`room.professions.${p}`),
            })),
          ]}
          error={errors.profession}
          required
        />
        <SelectField
          label={t('coordination.team.supervisor')}
          value={input.supervisorId ?? ''}
          onChange={(v) => setInput({ ...input, supervisorId: v || null })}
          options={[
            { value: '', label: t('coordination.team.noSupervisor') },
            ...clinicians.map((s) => ({ value: s.id, label: staffName(s) })),
          ]}
          error={errors.supervisorId}
        />
        <TextField
          label={t('coordination.team.rpps')}
          value={input.rpps ?? ''}
          onChange={(v) => setInput({ ...input, rpps: v })}
          inputMode="numeric"
          hint={t('coordination.team.rppsHint')}
          error={errors.rpps}
        />
      </div>
      <FieldGroup legend={t('coordination.team.roles')} error={errors.roles}>
        {roleSchema.options.map((role) => (
          <CheckboxField
            key={role}
            label={t(`coordination.team.roleNames.${role}`)}
            checked={input.roles.includes(role)}
            onChange={(on) => toggleRole(role, on)}
          />
        ))}
      </FieldGroup>
      <CheckboxField label={t('coordination.team.active')} checked={active} onChange={setActive} />
      {failure ? (
        <p role="alert" className="notice notice--error">
          {failure}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="button button--primary">
          {t('coordination.team.save')}
        </button>
        <button type="button" className="button" onClick={() => onDone('')}>
          {t('coordination.team.cancel')}
        </button>
      </div>
    </form>
  );
}

/** Minimum length the server accepts (it answers 400 weak_password below). */
const MIN_PASSWORD = 8;

function PasswordForm({ person, onDone }: { person: Staff; onDone(message: string): void }) {
  const db = useDb();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<{ password?: string; confirm?: string }>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const name = staffName(person);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!db || busy) return;
    const found: typeof errors = {};
    if (password.length < MIN_PASSWORD) found.password = t('coordination.team.password.tooShort');
    else if (confirm !== password) found.confirm = t('coordination.team.password.mismatch');
    setErrors(found);
    setFailure(null);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      await setStaffPassword(db, person.id, password);
      onDone(t('coordination.team.password.saved', { name }));
    } catch (e) {
      const reason = e instanceof AccountError ? e.message : (e as Error).message;
      setFailure(t('coordination.team.password.failed', { reason }));
      setBusy(false);
    }
  };
  return (
    <form
      className="panel stack"
      onSubmit={(e) => void submit(e)}
      noValidate
      aria-labelledby="password-form-title"
    >
      <h3 id="password-form-title">{t('coordination.team.password.title', { name })}</h3>
      <p>{t('coordination.team.password.intro')}</p>
      <div className="form-grid">
        <TextField
          label={t('coordination.team.password.password')}
          value={password}
          onChange={setPassword}
          type="password"
          autoComplete="new-password"
          error={errors.password}
          required
          autoFocus
        />
        <TextField
          label={t('coordination.team.password.confirm')}
          value={confirm}
          onChange={setConfirm}
          type="password"
          autoComplete="new-password"
          error={errors.confirm}
          required
        />
      </div>
      {failure ? (
        <p role="alert" className="notice notice--error">
          {failure}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? t('coordination.team.password.saving') : t('coordination.team.password.save')}
        </button>
        <button type="button" className="button" onClick={() => onDone('')}>
          {t('coordination.team.password.cancel')}
        </button>
      </div>
    </form>
  );
}

function RoomName({ id, name }: { id: string; name: string }) {
  const write = useWriter();
  const [value, setValue] = useState(name);
  const [error, setError] = useState<string | undefined>();
  const save = async () => {
    if (!value.trim()) {
      setError(t('coordination.team.roomNameMissing'));
      return;
    }
    setError(undefined);
    try {
      await write([{ entity: 'room', id, set: { name: value.trim() } }], {
        action: 'room.renamed',
        entity: 'room',
        entityId: id,
        detail: value.trim(),
      });
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <div className="inline-form">
      <TextField
        label={t('coordination.team.roomName', { name })}
        value={value}
        onChange={setValue}
        error={error}
      />
      <button type="button" className="button" onClick={() => void save()}>
        {t('coordination.team.rename')}
      </button>
    </div>
  );
}

export function TeamPage({ rows }: { rows: OrgRows }) {
  const [editing, setEditing] = useState<Staff | 'new' | null>(null);
  const [passwordFor, setPasswordFor] = useState<Staff | null>(null);
  const [status, setStatus] = useState('');
  const staff = new Map(rows.staff.map((s) => [s.id, s]));
  const sorted = [...rows.staff].sort((a, b) => a.lastName.localeCompare(b.lastName, 'fr'));
  return (
    <div className="stack">
      <h2>{t('coordination.team.title')}</h2>
      {status ? (
        <p role="status" className="notice notice--success">
          {status}
        </p>
      ) : null}
      <div className="table-scroll">
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">{t('coordination.team.columns.name')}</th>
              <th scope="col">{t('coordination.team.columns.profession')}</th>
              <th scope="col">{t('coordination.team.columns.roles')}</th>
              <th scope="col">{t('coordination.team.columns.supervisor')}</th>
              <th scope="col">{t('coordination.team.columns.active')}</th>
              <th scope="col">{t('coordination.team.columns.edit')}</th>
              <th scope="col">{t('coordination.team.columns.password')}</th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((s) => {
              const sup = s.supervisorId ? staff.get(s.supervisorId) : undefined;
              return (
                <tr key={s.id}>
                  <th scope="row">{staffName(s)}</th>
                  <td>{t(`room.professions.${s.profession}`)}</td>
                  <td>{s.roles.map((r) => t(`coordination.team.roleNames.${r}`)).join(', ')}</td>
                  <td>{sup ? staffName(sup) : t('day.none')}</td>
                  <td>{s.active ? t('coordination.team.yes') : t('coordination.team.no')}</td>
                  <td>
                    <button
                      type="button"
                      className="button"
                      aria-label={t('coordination.team.editFor', { name: staffName(s) })}
                      onClick={() => setEditing(s)}
                    >
                      {t('coordination.team.edit')}
                    </button>
                  </td>
                  <td>
                    <button
                      type="button"
                      className="button"
                      aria-label={t('coordination.team.password.actionFor', {
                        name: staffName(s),
                      })}
                      onClick={() => {
                        setStatus('');
                        setPasswordFor(s);
                      }}
                    >
                      {t('coordination.team.password.action')}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {passwordFor ? (
        <PasswordForm
          key={passwordFor.id}
          person={passwordFor}
          onDone={(message) => {
            setPasswordFor(null);
            setStatus(message);
          }}
        />
      ) : null}
      {editing ? (
        <StaffForm
          key={editing === 'new' ? 'new' : editing.id}
          rows={rows}
          editing={editing === 'new' ? null : editing}
          onDone={(message) => {
            setEditing(null);
            setStatus(message);
          }}
        />
      ) : (
        <button type="button" className="button button--primary" onClick={() => setEditing('new')}>
          {t('coordination.team.add')}
        </button>
      )}
      <section className="panel stack" aria-labelledby="rooms-title">
        <h3 id="rooms-title">{t('coordination.team.roomsTitle')}</h3>
        {sortedRooms(rows.rooms).map((r) => (
          <RoomName key={r.id} id={r.id} name={r.name} />
        ))}
      </section>
    </div>
  );
}
