// The discreet sign, on the reception board and the room screen, that an open contradiction of
// the day names this patient (docs/decisions/0004-day-invariants.md): the coordination settles it.
import { t } from '../i18n';

export function ContradictionMarker({ shown }: { shown: boolean }) {
  if (!shown) return null;
  const label = t('day.contradictionMarker');
  return (
    <span className="contradiction-marker" role="img" aria-label={label} title={label}>
      {t('day.contradictionGlyph')}
    </span>
  );
}
