// What the browser says about this device's storage (docs/design.md §8): persisted or evictable,
// how much is used of the quota. Every call tolerates a browser without the Storage API.
export const QUOTA_WARNING_RATIO = 0.8;

export interface StorageReport {
  /** navigator.storage exists at all. */
  supported: boolean;
  /** null when the browser cannot tell. */
  persisted: boolean | null;
  usage: number | null;
  quota: number | null;
}

type StorageLike = Partial<Pick<StorageManager, 'persisted' | 'persist' | 'estimate'>>;

function storageOf(nav: Navigator | undefined): StorageLike | undefined {
  return nav && 'storage' in nav ? (nav.storage as StorageLike | undefined) : undefined;
}

export async function readStorage(
  nav: Navigator | undefined = globalThis.navigator,
): Promise<StorageReport> {
  const storage = storageOf(nav);
  if (!storage) return { supported: false, persisted: null, usage: null, quota: null };
  const [persisted, estimate] = await Promise.all([
    storage.persisted ? storage.persisted().catch(() => null) : null,
    storage.estimate ? storage.estimate().catch(() => null) : null,
  ]);
  return {
    supported: true,
    persisted,
    usage: estimate?.usage ?? null,
    quota: estimate?.quota ?? null,
  };
}

/** Asks the browser to keep this site's data; resolves to the answer, null if it cannot ask. */
export async function requestPersistence(
  nav: Navigator | undefined = globalThis.navigator,
): Promise<boolean | null> {
  const storage = storageOf(nav);
  if (!storage?.persist) return null;
  return storage.persist().catch(() => null);
}

/** Share of the quota in use, or null when unknown. */
export function usageRatio(report: Pick<StorageReport, 'usage' | 'quota'>): number | null {
  if (report.usage === null || report.quota === null || report.quota <= 0) return null;
  return report.usage / report.quota;
}

export function quotaIsTight(report: Pick<StorageReport, 'usage' | 'quota'>): boolean {
  const ratio = usageRatio(report);
  return ratio !== null && ratio > QUOTA_WARNING_RATIO;
}
