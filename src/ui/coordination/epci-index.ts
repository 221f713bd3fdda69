// The offline commune → EPCI index (public/geo/epci.json, built from
// @etalab/decoupage-administratif by scripts/geo/epci.ts), loaded only when the research extract
// is made, never on the first screen. The service worker precaches it with the app.
import { type EpciIndex, loadEpci } from '../../domain/epci';

export const EPCI_URL = '/geo/epci.json';

let cached: Promise<EpciIndex> | null = null;

/** The index, loaded once per page; a failed load is retried on the next use. */
export function fetchEpci(): Promise<EpciIndex> {
  cached ??= fetch(EPCI_URL)
    .then((res) => {
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return res.json();
    })
    .then(loadEpci)
    .catch((error: unknown) => {
      cached = null;
      throw error;
    });
  return cached;
}
