// The catalogue's parts used only by the room, coordination and supervision screens: loaded with
// them (App.tsx), not with the shell, reception or the display, so an enrolled reception's first
// load carries none of it (bundle.reception_js_kb). tests/ui/catalogue-split.test.ts checks that
// no module outside those screens uses one of these keys.
import { consultation } from './fr/consultation';
import { coordination } from './fr/coordination';
import { documents } from './fr/documents';
import { indicators } from './fr/indicators';
import { pastRecord } from './fr/past-record';
import { pathway } from './fr/pathway';
import { patientImport, setup } from './fr/setup';
import { summary } from './fr/summary';
import { supervision } from './fr/supervision';

export const frScreens = {
  consultation,
  coordination,
  documents,
  indicators,
  pastRecord,
  pathway,
  patientImport,
  setup,
  summary,
  supervision,
};
