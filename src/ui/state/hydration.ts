// Persisted UI stores load asynchronously (idb-keyval). Until they have, what the page sets or
// the user types could be overwritten by the stored copy: screens wait for it.
import { useEffect, useState } from 'react';

interface Persisted {
  persist: { hasHydrated(): boolean; onFinishHydration(fn: () => void): () => void };
}

export function useHydrated(store: Persisted): boolean {
  const [done, setDone] = useState(() => store.persist.hasHydrated());
  useEffect(() => {
    if (store.persist.hasHydrated()) setDone(true);
    return store.persist.onFinishHydration(() => setDone(true));
  }, [store]);
  return done;
}
