// New row ids for the screens (uuid v7: time-ordered), so that no screen makes its own.
import { v7 as uuidv7 } from 'uuid';

export function newRowId(): string {
  return uuidv7();
}
