// The coordinator's worklist (docs/guide/coordination.md, Suivi des parcours; issue 17 item 2):
// an orientation followed step by step to « médecin traitant déclaré », which changes the
// patient's médecin traitant status with its date and source; recall intervals of 0 refused.
import { configure, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EscaleDb } from '../../src/device/db';
import { proposeOrientation } from '../../src/device/orientation-commands';
import { stampNow } from '../../src/device/stamp';
import { writeChanges } from '../../src/device/write';
import { useUiStore } from '../../src/ui/state/ui-store';
import { NOW } from './fixtures';
import { freshDb, renderAt, seedDemoDay, TEST_DEVICE_ID } from './support';

configure({ asyncUtilTimeout: 10_000 });

let db: EscaleDb;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(NOW));
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response('{}', { status: 503 })),
  );
  db = freshDb();
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  useUiStore.setState({ staffId: null, profile: null, recallMonths: [1, 3] });
});

describe('Suivi des parcours', () => {
  it('follows an orientation to « médecin traitant déclaré » and records the patient’s MT', async () => {
    const demo = await seedDemoDay(db);
    const coordinator = demo.day.staff.find((s) => s.roles.includes('coordinateur'))!;
    const intern = demo.day.staff.find((s) => s.profession === 'interne')!;
    const patient = demo.patients.find((p) => p.mtStatus === 'none')!;
    const org = demo.day.stop!.orgId;
    const act = proposeOrientation(
      { org, patientId: patient.id, consultationId: null, staffId: intern.id },
      { purpose: 'medecin_traitant', target: 'doctor', targetName: 'Dr Roger', note: '' },
    )(stampNow());
    await writeChanges(db, { deviceId: TEST_DEVICE_ID, org, userId: intern.id }, act.changes);
    useUiStore.setState({ staffId: coordinator.id, profile: 'coordination' });
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    renderAt('/coordination/suivi', db);

    const name = `${patient.birthName} ${patient.usedFirstName ?? patient.firstNames}`;
    const button = (action: string) => screen.findByRole('button', { name: `${action} — ${name}` });
    await user.click(await button('Contact pris'));
    await user.click(await button('Acceptée'));
    // « Médecin traitant déclaré » is not offered before the doctor accepted; now it is.
    await user.click(await button('Médecin traitant déclaré'));
    await waitFor(async () => {
      const row = await db.rows('patient').get(patient.id);
      expect(row).toMatchObject({
        mtStatus: 'declared',
        mtName: 'Dr Roger',
        mtSource: 'orientation',
      });
      expect(row?.mtStatusAt).toMatch(/^\d{4}-/);
    });
    const [o] = await db.rows('orientation').where('patientId').equals(patient.id).toArray();
    expect(o!.state).toMatchObject({ status: 'mt_declared', by: coordinator.id });
    expect(o!.steps.map((s) => s.state).sort()).toEqual([
      'accepted',
      'contacted',
      'mt_declared',
      'proposed',
    ]);
    // Settled: no longer to follow.
    await waitFor(() =>
      expect(screen.queryByRole('button', { name: `Abandonner — ${name}` })).toBeNull(),
    );
  });

  it('refuses an abandon without its reason, beside the button', async () => {
    const demo = await seedDemoDay(db);
    const coordinator = demo.day.staff.find((s) => s.roles.includes('coordinateur'))!;
    const patient = demo.patients.find((p) => p.mtStatus === 'none')!;
    const org = demo.day.stop!.orgId;
    const act = proposeOrientation(
      { org, patientId: patient.id, consultationId: null, staffId: coordinator.id },
      { purpose: 'social', target: 'social_service', targetName: 'CCAS de Mamers', note: '' },
    )(stampNow());
    await writeChanges(db, { deviceId: TEST_DEVICE_ID, org, userId: coordinator.id }, act.changes);
    useUiStore.setState({ staffId: coordinator.id, profile: 'coordination' });
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    renderAt('/coordination/suivi', db);
    const name = `${patient.birthName} ${patient.usedFirstName ?? patient.firstNames}`;
    await user.click(await screen.findByRole('button', { name: `Abandonner — ${name}` }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Indiquer pourquoi l’orientation est abandonnée.',
    );
    const [o] = await db.rows('orientation').where('patientId').equals(patient.id).toArray();
    expect(o!.state.status).toBe('proposed');
  });

  it('refuses a recall interval of zero in French', async () => {
    const demo = await seedDemoDay(db);
    const coordinator = demo.day.staff.find((s) => s.roles.includes('coordinateur'))!;
    useUiStore.setState({ staffId: coordinator.id, profile: 'coordination' });
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    renderAt('/coordination/suivi', db);
    const field = await screen.findByRole('textbox', {
      name: 'Rappeler après (mois, séparés par des virgules)',
    });
    expect(field).toHaveValue('1, 3');
    await user.clear(field);
    await user.type(field, '0, 3');
    await user.click(screen.getByRole('button', { name: 'Appliquer les intervalles' }));
    expect(
      (await screen.findAllByText(/Un intervalle de rappel de 0 mois/)).length,
    ).toBeGreaterThan(0);
    expect(useUiStore.getState().recallMonths).toEqual([1, 3]);
  });
});
