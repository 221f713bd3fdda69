// Tablet and laptop ergonomics (issue 23, item 8): progress shown for long work (a first sync, an
// export, a purge) as a French progress bar assistive technology can read; the shared pieces of
// « feedback where the eye is » (shortcuts on the physical key, the confirmation dialog).
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EscaleDb } from '../../src/device/db';
import { EMPTY_REGISTRATION } from '../../src/domain/registration';
import { ConfirmDialog } from '../../src/ui/feedback/ConfirmDialog';
import { matchesShortcut } from '../../src/ui/feedback/shortcuts';
import { RegistrationForm } from '../../src/ui/reception/RegistrationForm';
import { SyncProgressView } from '../../src/ui/shell/SyncProgress';
import { useUiStore } from '../../src/ui/state/ui-store';
import { NOW } from './fixtures';
import { freshDb, renderAt, seedDemoDay } from './support';

describe('progress of a first sync', () => {
  it('shows how far the pull is and how many changes arrived, in French', () => {
    render(
      <SyncProgressView
        status={{
          state: 'syncing',
          pending: 0,
          lastSuccessAt: null,
          lastAttemptAt: null,
          lastError: null,
          server: null,
          pull: { reached: 300, target: 1200, received: 287, pages: 3 },
        }}
      />,
    );
    const bar = screen.getByRole('progressbar', {
      name: 'Réception des données de l’organisation',
    });
    expect(bar).toHaveAttribute('aria-valuenow', '300');
    expect(bar).toHaveAttribute('aria-valuemin', '0');
    expect(bar).toHaveAttribute('aria-valuemax', '1200');
    expect(bar).toHaveAttribute('aria-valuetext', '287 modifications reçues (page 3)');
    expect(screen.getByText('287 modifications reçues (page 3)')).toBeVisible();
  });

  it('shows nothing once up to date', () => {
    const { container } = render(
      <SyncProgressView
        status={{
          state: 'ok',
          pending: 0,
          lastSuccessAt: NOW,
          lastAttemptAt: NOW,
          lastError: null,
          server: null,
          pull: null,
        }}
      />,
    );
    expect(container).toBeEmptyDOMElement();
  });
});

describe('progress of an export', () => {
  let db: EscaleDb;
  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(NOW));
    db = freshDb();
    await seedDemoDay(db);
    useUiStore.setState({ profile: 'coordination', dirtyForms: [] });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('says which step the export is at while the file is written', async () => {
    const seen: (string | null)[] = [];
    vi.stubGlobal(
      'URL',
      Object.assign(URL, {
        // The moment the file is handed to the browser: what does the screen say?
        createObjectURL: () => {
          const bar = screen.queryByRole('progressbar', { name: 'Export en cours' });
          seen.push(bar?.getAttribute('aria-valuetext') ?? null);
          return 'blob:test';
        },
        revokeObjectURL: () => {},
      }),
    );
    const user = userEvent.setup();
    renderAt('/coordination/indicateurs', db);
    await user.click(await screen.findByRole('button', { name: 'Exporter les indicateurs (CSV)' }));
    expect(await screen.findByText(/^Export prêt : escale-indicateurs-/)).toBeInTheDocument();
    expect(seen).toEqual(['Étape 2 sur 3 : écriture du fichier']);
    // Done: the bar is gone.
    expect(screen.queryByRole('progressbar')).toBeNull();
  });
});

describe('shortcuts and confirmations', () => {
  it('matches Alt+letter on the physical key, whatever the layout types', () => {
    const press = (init: KeyboardEventInit) => new KeyboardEvent('keydown', init);
    // macOS types « ˜ » for Alt+N; AZERTY and QWERTY share the code KeyN.
    expect(matchesShortcut(press({ altKey: true, key: '˜', code: 'KeyN' }), 'Alt+N')).toBe(true);
    expect(matchesShortcut(press({ key: 'n', code: 'KeyN' }), 'Alt+N')).toBe(false);
    expect(matchesShortcut(press({ altKey: true, ctrlKey: true, code: 'KeyN' }), 'Alt+N')).toBe(
      false,
    );
    expect(matchesShortcut(press({ altKey: true, code: 'KeyS' }), 'Alt+N')).toBe(false);
  });

  it('a confirmation starts on « Annuler », keeps the keyboard inside, and Escape cancels', async () => {
    const user = userEvent.setup();
    const onConfirm = vi.fn();
    const onCancel = vi.fn();
    render(
      <ConfirmDialog
        title="t"
        body="b"
        confirmLabel="c"
        onConfirm={onConfirm}
        onCancel={onCancel}
      />,
    );
    const dialog = screen.getByRole('alertdialog', { name: 't' });
    expect(dialog).toHaveAttribute('aria-modal', 'true');
    expect(dialog).toHaveAccessibleDescription('b');
    const cancel = within(dialog).getByRole('button', { name: 'Annuler' });
    const confirm = within(dialog).getByRole('button', { name: 'c' });
    expect(cancel).toHaveFocus();
    await user.tab();
    expect(confirm).toHaveFocus();
    await user.tab();
    expect(cancel).toHaveFocus();
    await user.tab({ shift: true });
    expect(confirm).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(onCancel).toHaveBeenCalledTimes(1);
    expect(onConfirm).not.toHaveBeenCalled();
  });
});

describe('the keyboard a tablet opens', () => {
  it('registration: digits for the NIR, a date picker, a phone keypad, no autofill of patient data', () => {
    render(
      <RegistrationForm
        form={EMPTY_REGISTRATION}
        errors={{}}
        warnings={[]}
        onChange={() => {}}
        onSubmit={() => {}}
        onCancel={() => {}}
        busy={false}
      />,
    );
    const nir = screen.getByLabelText(/^NIR/);
    expect(nir).toHaveAttribute('inputmode', 'numeric');
    expect(nir).toHaveAttribute('enterkeyhint', 'next');
    expect(screen.getByLabelText(/^Date de naissance/)).toHaveAttribute('type', 'date');
    expect(screen.getByLabelText(/^Téléphone/)).toHaveAttribute('inputmode', 'tel');
    expect(screen.getByLabelText(/^E-mail/)).toHaveAttribute('inputmode', 'email');
    // The receptionist's own details must never be offered for a patient.
    for (const label of [/^Nom de naissance/, /^Téléphone/, /^Adresse/]) {
      expect(screen.getByLabelText(label)).toHaveAttribute('autocomplete', 'off');
    }
  });
});
