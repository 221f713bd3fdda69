// Who works on this device now (quick user switch on a shared laptop). Every write is stamped
// with this person; PIN unlock (accounts) will sit in front of this choice.
import type { Staff } from '../../domain/entities';
import { staffName } from '../day/day-data';
import { SelectField } from '../forms/fields';
import { t } from '../i18n';
import { useUiStore } from '../state/ui-store';

export function StaffPicker({ staff, suggested }: { staff: Staff[]; suggested: string[] }) {
  const staffId = useUiStore((s) => s.staffId);
  const setStaff = useUiStore((s) => s.setStaff);
  // The room's rostered people first, then everyone else who is active.
  const ordered = [
    ...staff.filter((s) => suggested.includes(s.id)),
    ...staff.filter((s) => !suggested.includes(s.id)),
  ].filter((s) => s.active);
  return (
    <SelectField
      label={t('room.whoAmI')}
      value={staffId ?? ''}
      onChange={(id) => setStaff(id === '' ? null : id)}
      options={[
        { value: '', label: t('room.chooseMe') },
        ...ordered.map((s) => ({
          value: s.id,
          label: t('room.staffLine', {
            name: staffName(s),
            profession: t(`room.professions.${s.profession}`),
          }),
        })),
      ]}
    />
  );
}
