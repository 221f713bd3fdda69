// The waiting-room screen follows the day live from local data: a call lights the ticket and its
// room up until the consultation starts; names never appear.
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EscaleDb } from '../../src/device/db';
import { writeChanges } from '../../src/device/write';
import { statusValue } from '../../src/domain/queue';
import { useUiStore } from '../../src/ui/state/ui-store';
import { NOW } from './fixtures';
import { freshDb, renderAt, seedDemoDay } from './support';

let db: EscaleDb;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(NOW));
  useUiStore.setState({ profile: 'display', dirtyForms: [] });
  db = freshDb();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('waiting-room screen', () => {
  it('highlights a call as it happens, until the patient goes in', async () => {
    const demo = await seedDemoDay(db);
    const { container } = renderAt('/affichage', db);
    const called = await screen.findByRole('region', { name: 'Appelés' });
    expect(within(called).queryByText(/MG-002/)).toBeNull();
    const org = demo.day.stop!.orgId;
    const entry = demo.entries.waiting1;
    await writeChanges(db, { deviceId: 'box-1', org }, [
      {
        entity: 'queueEntry',
        id: entry.id,
        set: { status: statusValue('called'), roomId: demo.roomId('Box 1'), calledAt: NOW },
      },
    ]);
    await waitFor(() => expect(within(called).getByText('MG-002 → Box 1')).toBeInTheDocument());
    await writeChanges(db, { deviceId: 'box-1', org }, [
      { entity: 'queueEntry', id: entry.id, set: { status: statusValue('in_consultation') } },
    ]);
    await waitFor(() => expect(within(called).queryByText(/MG-002/)).toBeNull());
    const text = container.textContent!.toLowerCase();
    for (const p of demo.patients) expect(text).not.toContain(p.birthName.toLowerCase());
  });
});
