// After a deploy, a tab still running the old build may ask for chunks that no longer exist.
// Reload once to pick up the new build; never loop if the failure persists.
import { wallClock } from '../../device/stamp';

const GUARD_KEY = 'escale.staleChunkReloadAt';
const MIN_INTERVAL_MS = 60_000;

export function shouldReloadForStaleChunk(lastReloadAt: number | null, now: number): boolean {
  return lastReloadAt === null || now - lastReloadAt > MIN_INTERVAL_MS;
}

export function installStaleChunkGuard(win: Window = window): void {
  win.addEventListener('vite:preloadError', (event) => {
    const raw = win.sessionStorage.getItem(GUARD_KEY);
    const last = raw === null ? null : Number(raw);
    const now = wallClock.ms();
    if (!shouldReloadForStaleChunk(Number.isFinite(last) ? last : null, now)) return;
    win.sessionStorage.setItem(GUARD_KEY, String(now));
    event.preventDefault();
    win.location.reload();
  });
}
