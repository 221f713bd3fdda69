// The waiting-room screen's sound: a two-tone chime made with Web Audio (no file to cache) and
// the call read out by the browser's own speech synthesis, in French. Both are optional and off
// by default; the text spoken is built by the caller from the ticket and the room only.

/** The browser parts the announcer uses; absent ones are simply skipped. */
export interface SoundApis {
  AudioContext?: typeof AudioContext;
  speechSynthesis?: SpeechSynthesis;
  SpeechSynthesisUtterance?: typeof SpeechSynthesisUtterance;
}

function browserApis(): SoundApis {
  const w = globalThis as unknown as SoundApis;
  return {
    AudioContext: w.AudioContext,
    speechSynthesis: w.speechSynthesis,
    SpeechSynthesisUtterance: w.SpeechSynthesisUtterance,
  };
}

export interface Announcer {
  /** Plays the chime; resolves when it has rung (at once when there is no audio). */
  chime(): Promise<void>;
  /** Reads `text` out in French (skipped when the browser has no speech synthesis). */
  speak(text: string): void;
  /** Whether this browser can speak at all. */
  canSpeak: boolean;
}

/** Ding-dong: two sine tones, a major third apart, each fading out. */
const TONES = [
  { hz: 659.25, at: 0, length: 0.6 },
  { hz: 523.25, at: 0.45, length: 0.9 },
];

export function makeAnnouncer(apis: SoundApis = browserApis()): Announcer {
  let context: AudioContext | null = null;
  return {
    canSpeak: !!apis.speechSynthesis && !!apis.SpeechSynthesisUtterance,
    chime() {
      if (!apis.AudioContext) return Promise.resolve();
      context ??= new apis.AudioContext();
      const ctx = context;
      // A context made before the page was touched starts suspended (autoplay rules).
      void ctx.resume?.();
      const start = ctx.currentTime;
      let last: OscillatorNode | null = null;
      for (const tone of TONES) {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.type = 'sine';
        osc.frequency.value = tone.hz;
        gain.gain.setValueAtTime(0.0001, start + tone.at);
        gain.gain.exponentialRampToValueAtTime(0.4, start + tone.at + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + tone.at + tone.length);
        osc.connect(gain).connect(ctx.destination);
        osc.start(start + tone.at);
        osc.stop(start + tone.at + tone.length);
        last = osc;
      }
      return new Promise((resolve) => {
        if (last) last.onended = () => resolve();
        else resolve();
      });
    },
    speak(text) {
      const synth = apis.speechSynthesis;
      const Utterance = apis.SpeechSynthesisUtterance;
      if (!synth || !Utterance) return;
      const utterance = new Utterance(text);
      utterance.lang = 'fr-FR';
      const voice = synth.getVoices().find((v) => v.lang.toLowerCase().startsWith('fr'));
      if (voice) utterance.voice = voice;
      utterance.rate = 0.9; // a little slower than conversation: a waiting room echoes
      synth.speak(utterance);
    },
  };
}

/** Has the page been touched or typed on since it loaded? Browsers hold sound back until then. */
export function pageActivated(): boolean {
  const activation = (navigator as Navigator & { userActivation?: { hasBeenActive: boolean } })
    .userActivation;
  // Browsers without the API give no way to know: assume sound may play.
  return activation ? activation.hasBeenActive : true;
}
