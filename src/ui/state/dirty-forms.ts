// Forms declare unsaved edits here so an update (a page reload) never lands on top of them.
import { useEffect } from 'react';
import { useUiStore } from './ui-store';

/** Marks `formId` dirty while `dirty` is true, and clean again when the form goes away. */
export function useDirtyForm(formId: string, dirty: boolean): void {
  const setFormDirty = useUiStore((s) => s.setFormDirty);
  useEffect(() => {
    setFormDirty(formId, dirty);
    return () => setFormDirty(formId, false);
  }, [formId, dirty, setFormDirty]);
}
