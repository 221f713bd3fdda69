// A device made usable by the first part of its snapshot (docs/decisions/0030-usable-first.md)
// says so while the registry is still loading: the sync progress tells the day's data arrived,
// and the desk's search warns that a patient it does not find may already be known — until the
// bootstrap's last transaction removes the mark.
import { render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EscaleDb } from '../../src/device/db';
import { REGISTRY_LOADING, type RegistryLoading } from '../../src/device/snapshot';
import { useArrivalStore } from '../../src/ui/reception/arrival-store';
import { SyncProgressView } from '../../src/ui/shell/SyncProgress';
import { useUiStore } from '../../src/ui/state/ui-store';
import { NOW } from './fixtures';
import { freshDb, renderAt, seedDemoDay } from './support';

const LOADING =
  'Le registre des patients est encore en cours de chargement : un patient absent des résultats est peut-être déjà connu. Réessayez la recherche avant de créer une identité.';

describe('the sync progress of a bootstrap', () => {
  const status = (usable: boolean) => ({
    state: 'syncing' as const,
    pending: 0,
    lastSuccessAt: null,
    lastAttemptAt: null,
    lastError: null,
    server: null,
    pull: { reached: 0, target: 1200, received: 480, pages: 3, ...(usable ? { usable } : {}) },
  });

  it('says the day’s data arrived and the registry is still loading once usable', () => {
    render(<SyncProgressView status={status(true)} />);
    expect(screen.getByRole('status')).toHaveTextContent(
      'Les données du jour sont arrivées : l’appareil est utilisable. Le registre des patients et l’historique sont encore en cours de chargement.',
    );
  });

  it('says nothing of the kind before', () => {
    render(<SyncProgressView status={status(false)} />);
    expect(screen.queryByRole('status')).toBeNull();
  });
});

describe('the desk’s search while the registry is loading', () => {
  let db: EscaleDb;
  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(NOW));
    useUiStore.setState({ profile: 'reception', staffId: null, dirtyForms: [] });
    useArrivalStore.getState().reset();
    db = freshDb();
    await seedDemoDay(db);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('warns that a miss proves nothing, until the bootstrap completes', async () => {
    const mark: RegistryLoading = {
      server: 'https://central.example',
      seq: 900,
      day: NOW.slice(0, 10),
      rows: 5000,
      usableRows: 120,
    };
    await db.meta.put({ key: REGISTRY_LOADING, value: mark });
    renderAt('/accueil/arrivee', db);
    await screen.findByRole('searchbox', { name: 'Nom, prénom, date de naissance ou NIR' });
    expect(await screen.findByText(LOADING)).toBeVisible();
    // The bootstrap's last transaction removes the mark: the warning goes with it.
    await db.meta.delete(REGISTRY_LOADING);
    await waitFor(() => expect(screen.queryByText(LOADING)).toBeNull());
  });

  it('says nothing on a device holding its whole registry', async () => {
    renderAt('/accueil/arrivee', db);
    await screen.findByRole('searchbox', { name: 'Nom, prénom, date de naissance ou NIR' });
    expect(screen.queryByText(LOADING)).toBeNull();
  });
});
