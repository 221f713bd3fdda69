// The update prompt never reloads over unsaved edits; the UI store keeps only small device
// preferences, in idb-keyval.
import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { get } from 'idb-keyval';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { shouldReloadForStaleChunk } from '../../src/ui/pwa/stale-chunks';
import { cancelDeferredUpdate, requestUpdate, setUpdateApplier } from '../../src/ui/pwa/update';
import { UpdateBanner } from '../../src/ui/shell/UpdateBanner';
import { useDirtyForm } from '../../src/ui/state/dirty-forms';
import { UI_STORE_KEY, useUiStore } from '../../src/ui/state/ui-store';

const initial = { profile: null, roomId: null, updateAvailable: false, dirtyForms: [] };

beforeEach(() => {
  useUiStore.setState(initial);
});

afterEach(() => {
  cancelDeferredUpdate();
  setUpdateApplier(null);
});

describe('the update banner', () => {
  it('stays hidden until a new version waits', () => {
    render(<UpdateBanner />);
    expect(screen.queryByText('Nouvelle version disponible')).toBeNull();
    act(() => {
      useUiStore.getState().setUpdateAvailable(true);
    });
    expect(screen.getByText('Nouvelle version disponible')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Mettre à jour' })).toBeInTheDocument();
  });

  it('applies the update at once when no form is dirty', async () => {
    const apply = vi.fn(async () => {});
    setUpdateApplier(apply);
    useUiStore.setState({ updateAvailable: true });
    render(<UpdateBanner />);
    await userEvent.setup().click(screen.getByRole('button', { name: 'Mettre à jour' }));
    expect(apply).toHaveBeenCalledExactlyOnceWith(true);
  });

  it('waits for dirty forms to be saved, says so, then applies', async () => {
    const apply = vi.fn(async () => {});
    setUpdateApplier(apply);
    useUiStore.setState({ updateAvailable: true });
    useUiStore.getState().setFormDirty('consultation-42', true);
    render(<UpdateBanner />);
    await userEvent.setup().click(screen.getByRole('button', { name: 'Mettre à jour' }));
    expect(apply).not.toHaveBeenCalled();
    expect(screen.getByText(/s’appliquera dès que les saisies en cours/)).toBeInTheDocument();
    act(() => {
      useUiStore.getState().setFormDirty('consultation-42', false);
    });
    expect(apply).toHaveBeenCalledExactlyOnceWith(true);
  });

  it('does nothing when no new version is waiting', async () => {
    const apply = vi.fn(async () => {});
    setUpdateApplier(apply);
    expect(await requestUpdate()).toBe('unavailable');
    expect(apply).not.toHaveBeenCalled();
  });
});

function Form({ id, dirty }: { id: string; dirty: boolean }) {
  useDirtyForm(id, dirty);
  return null;
}

describe('dirty forms', () => {
  it('are registered while dirty and forgotten when saved or closed', () => {
    const { rerender, unmount } = render(<Form id="a" dirty={true} />);
    expect(useUiStore.getState().dirtyForms).toEqual(['a']);
    rerender(<Form id="a" dirty={false} />);
    expect(useUiStore.getState().dirtyForms).toEqual([]);
    rerender(<Form id="a" dirty={true} />);
    unmount();
    expect(useUiStore.getState().dirtyForms).toEqual([]);
  });
});

describe('the UI store', () => {
  it('persists the chosen profile and room (the display’s sound, the recall intervals) in idb-keyval, not the page’s transient flags', async () => {
    useUiStore.getState().chooseProfile('room', 'room-2');
    useUiStore.getState().setUpdateAvailable(true);
    useUiStore.getState().setFormDirty('f', true);
    await vi.waitFor(async () => {
      const saved = JSON.parse((await get<string>(UI_STORE_KEY)) ?? 'null');
      expect(saved?.state).toEqual({
        profile: 'room',
        roomId: 'room-2',
        staffId: null,
        displaySound: { chime: false, speech: false },
        // The coordinator's recall intervals are this device's setting (1 and 3 months by default).
        recallMonths: [1, 3],
      });
    });
  });

  it('forgets the room when the device becomes something other than a room', () => {
    useUiStore.getState().chooseProfile('room', 'room-2');
    useUiStore.getState().chooseProfile('display', 'room-2');
    expect(useUiStore.getState()).toMatchObject({ profile: 'display', roomId: null });
  });
});

describe('the stale-chunk reload guard', () => {
  it('reloads once, then not again within a minute', () => {
    expect(shouldReloadForStaleChunk(null, 1_000_000)).toBe(true);
    expect(shouldReloadForStaleChunk(1_000_000, 1_030_000)).toBe(false);
    expect(shouldReloadForStaleChunk(1_000_000, 1_061_000)).toBe(true);
  });
});
