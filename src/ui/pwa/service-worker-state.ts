// "Prêt hors ligne" is announced only once navigator.serviceWorker.ready has resolved (§8).
import { useEffect, useState } from 'react';

export type ServiceWorkerState = 'unsupported' | 'pending' | 'ready';

export function useServiceWorkerState(
  nav: Navigator | undefined = globalThis.navigator,
): ServiceWorkerState {
  const supported = !!nav && 'serviceWorker' in nav && !!nav.serviceWorker;
  const [state, setState] = useState<ServiceWorkerState>(supported ? 'pending' : 'unsupported');
  useEffect(() => {
    if (!supported) return;
    let alive = true;
    nav.serviceWorker.ready.then(
      () => alive && setState('ready'),
      () => undefined,
    );
    return () => {
      alive = false;
    };
  }, [nav, supported]);
  return state;
}
