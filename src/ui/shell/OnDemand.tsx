// The boundary of one screen loaded on demand. Each such screen gets its own, keyed by its route,
// so a boundary never suspends while another screen is mounted inside it: Preact (decision 0032)
// parks a mounted subtree in a detached tree when its boundary suspends, and a route change below
// then renders into that parked tree — the page one came back to stayed blank (React hid and kept
// it). A boundary of its own only ever suspends on its first mount, with nothing to park.
import { type ReactNode, Suspense } from 'react';
import { Loading } from './Loading';

export function OnDemand({ children }: { children: ReactNode }) {
  return <Suspense fallback={<Loading />}>{children}</Suspense>;
}
