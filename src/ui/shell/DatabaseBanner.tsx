// Problems with the local database the user must act on: another window blocks an upgrade,
// a newer version is open elsewhere, or the browser wiped the data (docs/design.md §8).
import { useDatabaseProblem } from '../data/device-data';
import { useUiStore } from '../state/ui-store';

export function DatabaseBanner() {
  const problem = useDatabaseProblem();
  const startNotice = useUiStore((s) => s.startNotice);
  if (!problem && !startNotice) return null;
  return (
    <div className="notice notice--error banner" role="alert">
      {problem ? <p>{problem}</p> : null}
      {startNotice ? <p>{startNotice}</p> : null}
    </div>
  );
}
