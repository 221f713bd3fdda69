// The waiting-room screen as a kiosk: no app bar, the latest call large, the waiting tickets a
// page at a time, and an optional chime and spoken call (ticket and room, never a name) switched
// on from the screen's own settings and kept on the device.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { get } from 'idb-keyval';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EscaleDb } from '../../src/device/db';
import { writeChanges } from '../../src/device/write';
import { statusValue } from '../../src/domain/queue';
import { zonedIso } from '../../src/domain/time';
import { DisplayView } from '../../src/ui/display/DisplayView';
import type { DisplayModel } from '../../src/ui/display/display-model';
import { UI_STORE_KEY, useUiStore } from '../../src/ui/state/ui-store';
import { NOW, TODAY } from './fixtures';
import { freshDb, renderAt, seedDemoDay } from './support';

function tickets(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(3, '0')}`);
}

/** What the browser was asked to say and ring. */
class Recorder {
  spoken: { text: string; lang: string; voice: string | null }[] = [];
  tones: number[] = [];
  /** Chimes and utterances in the order they happened. */
  events: string[] = [];
}

function stubSound(recorder: Recorder) {
  class Utterance {
    lang = '';
    voice: { name: string } | null = null;
    rate = 1;
    constructor(readonly text: string) {}
  }
  vi.stubGlobal('SpeechSynthesisUtterance', Utterance);
  vi.stubGlobal('speechSynthesis', {
    getVoices: () => [
      { lang: 'en-US', name: 'English' },
      { lang: 'fr-FR', name: 'Français' },
    ],
    speak: (u: Utterance) => {
      recorder.spoken.push({ text: u.text, lang: u.lang, voice: u.voice?.name ?? null });
      recorder.events.push(`speak ${u.text}`);
    },
  });
  const param = () => ({ value: 0, setValueAtTime() {}, exponentialRampToValueAtTime() {} });
  class FakeAudioContext {
    currentTime = 0;
    destination = {};
    resume() {
      return Promise.resolve();
    }
    createGain() {
      return { gain: param(), connect: (next: unknown) => next };
    }
    createOscillator() {
      const osc = {
        type: '',
        frequency: param(),
        onended: null as null | (() => void),
        connect: (next: unknown) => next,
        start() {
          recorder.tones.push(osc.frequency.value);
        },
        // The tone has rung once the current task is over.
        stop() {
          queueMicrotask(() => {
            recorder.events.push('tone');
            osc.onended?.();
          });
        },
      };
      return osc;
    }
  }
  vi.stubGlobal('AudioContext', FakeAudioContext);
}

let db: EscaleDb;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(NOW));
  useUiStore.setState({
    profile: 'display',
    dirtyForms: [],
    displaySound: { chime: false, speech: false },
  });
  db = freshDb();
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('the waiting-room screen as a kiosk', () => {
  it('has no app bar: its own corner keeps the sync state and its settings', async () => {
    await seedDemoDay(db);
    const { container } = renderAt('/affichage', db);
    await screen.findByRole('region', { name: 'Appelés' });
    expect(screen.queryByRole('banner')).toBeNull();
    expect(screen.queryByText('Profil : Affichage')).toBeNull();
    expect(container.querySelector('.sync-indicator')).not.toBeNull();
    expect(screen.getByRole('button', { name: 'Réglages de l’écran' })).toBeInTheDocument();
    expect(container.querySelector('.layout--kiosk')).not.toBeNull();
  });

  it('keeps the app bar on the device-health screen of the same device', async () => {
    await seedDemoDay(db);
    renderAt('/appareil', db);
    expect(await screen.findByRole('banner')).toBeInTheDocument();
  });

  it('shows the latest call large and the earlier ones beside it', () => {
    const model: DisplayModel = {
      called: [
        { ticket: 'MG-009', roomName: 'Box 1', calledAt: zonedIso(TODAY, '09:58') },
        { ticket: 'DE-002', roomName: 'Salle 4', calledAt: zonedIso(TODAY, '09:50') },
      ],
      waiting: [],
    };
    const { container } = render(
      <DisplayView model={model} viewport={{ width: 1920, height: 1080 }} now={NOW} />,
    );
    expect(container.querySelector('.display__latest')).toHaveTextContent('MG-009 → Box 1');
    const earlier = screen.getByRole('list', { name: 'Appels précédents' });
    expect(within(earlier).getByText('DE-002 → Salle 4')).toBeInTheDocument();
    expect(screen.getByText('10:00')).toBeInTheDocument();
  });

  it('shows 30 waiting tickets in columns per service, a page at a time', () => {
    const model: DisplayModel = {
      called: [],
      waiting: [
        { serviceId: 'dp', label: 'Dépistage et prévention', tickets: tickets('DP', 4) },
        { serviceId: 'de', label: 'Dentiste', tickets: tickets('DE', 6) },
        { serviceId: 'mg', label: 'Médecine générale', tickets: tickets('MG', 15) },
        { serviceId: 'sf', label: 'Sage-femme', tickets: tickets('SF', 5) },
      ],
    };
    const viewport = { width: 1920, height: 1080 };
    const { rerender } = render(<DisplayView model={model} viewport={viewport} now={NOW} />);
    const mg = screen.getByRole('region', { name: /Médecine générale/ });
    expect(within(mg).getByText('page 1 sur 2')).toBeInTheDocument();
    expect(within(mg).getByText('15 tickets en attente')).toBeInTheDocument();
    const firstPage = within(mg)
      .getAllByRole('listitem')
      .map((li) => li.textContent);
    expect(firstPage).toEqual(tickets('MG', 10));
    // A column that holds all its tickets has no pages.
    const de = screen.getByRole('region', { name: /Dentiste/ });
    expect(within(de).queryByText(/^page/)).toBeNull();
    expect(within(de).getAllByRole('listitem')).toHaveLength(6);

    rerender(<DisplayView model={model} viewport={viewport} tick={1} now={NOW} />);
    const mgAgain = screen.getByRole('region', { name: /Médecine générale/ });
    expect(within(mgAgain).getByText('page 2 sur 2')).toBeInTheDocument();
    expect(
      within(mgAgain)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(tickets('MG', 15).slice(10));
  });
});

describe('the display’s sound', () => {
  async function callMg002(demo: Awaited<ReturnType<typeof seedDemoDay>>, at: string) {
    await writeChanges(db, { deviceId: 'box-1', org: demo.day.stop!.orgId }, [
      {
        entity: 'queueEntry',
        id: demo.entries.waiting1.id,
        set: { status: statusValue('called'), roomId: demo.roomId('Box 1'), calledAt: at },
      },
    ]);
  }

  it('rings and reads each new call in French, ticket and room only, once switched on', async () => {
    const recorder = new Recorder();
    stubSound(recorder);
    const demo = await seedDemoDay(db);
    renderAt('/affichage', db);
    fireEvent.click(await screen.findByRole('button', { name: 'Réglages de l’écran' }));
    const settings = screen.getByRole('dialog', { name: 'Réglages de l’écran' });
    fireEvent.click(within(settings).getByLabelText('Carillon à chaque appel'));
    fireEvent.click(within(settings).getByLabelText(/^Annonce vocale de l’appel/));
    // Kept on the device, with its role.
    await waitFor(async () => {
      const stored = JSON.parse((await get<string>(UI_STORE_KEY)) ?? '{}');
      expect(stored.state.displaySound).toEqual({ chime: true, speech: true });
    });
    fireEvent.click(within(settings).getByRole('button', { name: 'Fermer les réglages' }));

    // MG-001 was already called into Box 2 when the screen opened: not called out again.
    await callMg002(demo, zonedIso(TODAY, '09:59'));
    await waitFor(() => expect(recorder.spoken).toHaveLength(1));
    expect(recorder.spoken[0]).toEqual({
      text: 'Ticket MG 2, Box 1',
      lang: 'fr-FR',
      voice: 'Français',
    });
    // The chime (two tones) rings before the call is read out.
    expect(recorder.tones).toHaveLength(2);
    expect(recorder.events).toEqual(['tone', 'tone', 'speak Ticket MG 2, Box 1']);
    for (const p of demo.patients) {
      expect(recorder.spoken[0]!.text.toLowerCase()).not.toContain(p.birthName.toLowerCase());
    }

    // Called again later (the patient did not come): a new call, said again.
    await callMg002(demo, zonedIso(TODAY, '10:03'));
    await waitFor(() => expect(recorder.spoken).toHaveLength(2));
  });

  it('stays silent while the settings leave it off', async () => {
    const recorder = new Recorder();
    stubSound(recorder);
    const demo = await seedDemoDay(db);
    renderAt('/affichage', db);
    const called = await screen.findByRole('region', { name: 'Appelés' });
    await callMg002(demo, zonedIso(TODAY, '09:59'));
    await waitFor(() => expect(within(called).getByText('MG-002 → Box 1')).toBeInTheDocument());
    expect(recorder.spoken).toEqual([]);
    expect(recorder.tones).toEqual([]);
  });

  it('says so when the browser cannot speak', async () => {
    await seedDemoDay(db);
    renderAt('/affichage', db);
    fireEvent.click(await screen.findByRole('button', { name: 'Réglages de l’écran' }));
    expect(
      screen.getByText('Ce navigateur ne sait pas lire de texte à voix haute.'),
    ).toBeInTheDocument();
  });
});
