// The patient's objection to the reuse of their data for research (src/domain/research.ts), as
// a change for the one write path; id and instant come from the writer's stamp.
import type { Change } from './write';

export function recordResearchObjection(input: {
  id: string;
  orgId: string;
  patientId: string;
  staffId: string;
  at: string;
  objects: boolean;
}): Change {
  const { id, ...insert } = input;
  return { entity: 'researchObjection', id, insert };
}
