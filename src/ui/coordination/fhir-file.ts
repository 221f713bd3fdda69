// The FHIR export's file, loaded on the first « Exporter en FHIR (R4) » (import('./fhir-file')):
// the domain's bundles, the device's reads and the place index stay out of every screen's first
// chunk. Birth places are named from the offline place index when it loads; without it the
// bundle keeps the INSEE code alone.

import type { EscaleDb } from '../../device/db';
import { consultationFhirExport, type PlaceName, periodFhirExport } from '../../device/fhir-export';
import type { Viewer } from '../../domain/access';
import { placeByCode } from '../../domain/communes';
import { periodAuditDetail } from '../../domain/fhir';
import { fetchCommunes } from '../reception/PlacePicker';

async function placeNames(): Promise<PlaceName | undefined> {
  try {
    const index = await fetchCommunes();
    return (code) => placeByCode(index, code)?.name;
  } catch {
    return undefined;
  }
}

/** The media type of a FHIR JSON file. */
export const FHIR_JSON = 'application/fhir+json;charset=utf-8';

export interface FhirFile {
  file: string;
  json: string;
  exported: number;
  notReadable: number;
  unsigned: number;
  /** What the audit keeps: counts only. */
  auditDetail: string;
}

/** The period's consultations as one FHIR collection file. */
export async function periodFhirFile(
  db: EscaleDb,
  period: { from: string; to: string },
  viewer: Viewer,
  staffId: string | null,
  madeAt: string,
): Promise<FhirFile> {
  const result = await periodFhirExport(db, period, viewer, staffId, madeAt, await placeNames());
  return {
    file: `escale-fhir-${period.from}-${period.to}.json`,
    json: `${JSON.stringify(result.bundle, null, 2)}\n`,
    exported: result.exported,
    notReadable: result.notReadable,
    unsigned: result.unsigned,
    auditDetail: periodAuditDetail(period, result),
  };
}

/** One consultation's FHIR document as a file. */
export async function consultationFhirFile(
  db: EscaleDb,
  consultationId: string,
  viewer: Viewer,
  staffId: string | null,
  madeAt: string,
): Promise<{ file: string; json: string }> {
  const bundle = await consultationFhirExport(
    db,
    consultationId,
    viewer,
    staffId,
    madeAt,
    await placeNames(),
  );
  return {
    file: `escale-fhir-consultation-${madeAt.slice(0, 10)}-${bundle.id?.slice(0, 8) ?? ''}.json`,
    json: `${JSON.stringify(bundle, null, 2)}\n`,
  };
}
