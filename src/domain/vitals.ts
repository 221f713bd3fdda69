// Vital signs as typed in a consultation: units, hard limits (a value outside is a typing error
// and is refused) and plausible ranges (a value outside is kept but flagged « à vérifier »).
// Pure. Decimal commas are accepted, as French keyboards type them.
import type { Vitals } from './entities';

export type VitalField =
  | 'systolic'
  | 'diastolic'
  | 'heartRate'
  | 'temperature'
  | 'spo2'
  | 'weightKg'
  | 'heightCm'
  | 'glycaemia';

export interface VitalSpec {
  label: string;
  unit: string;
  /** Outside [min, max]: refused (the entity's schema refuses it too). */
  min: number;
  max: number;
  /** Outside [low, high]: accepted, flagged for a second look. */
  low: number;
  high: number;
  integer: boolean;
}

export const VITALS: Readonly<Record<VitalField, VitalSpec>> = {
  systolic: {
    label: 'Pression systolique',
    unit: 'mmHg',
    min: 40,
    max: 300,
    low: 90,
    high: 180,
    integer: true,
  },
  diastolic: {
    label: 'Pression diastolique',
    unit: 'mmHg',
    min: 20,
    max: 200,
    low: 50,
    high: 110,
    integer: true,
  },
  heartRate: {
    label: 'Fréquence cardiaque',
    unit: '/min',
    min: 20,
    max: 250,
    low: 45,
    high: 120,
    integer: true,
  },
  temperature: {
    label: 'Température',
    unit: '°C',
    min: 30,
    max: 45,
    low: 35.5,
    high: 38.5,
    integer: false,
  },
  spo2: {
    label: 'Saturation en oxygène',
    unit: '%',
    min: 50,
    max: 100,
    low: 92,
    high: 100,
    integer: true,
  },
  weightKg: { label: 'Poids', unit: 'kg', min: 0.3, max: 400, low: 2, high: 200, integer: false },
  heightCm: { label: 'Taille', unit: 'cm', min: 20, max: 250, low: 45, high: 210, integer: false },
  // Capillary glycaemia in g/L, as French glucometers show it (1 g/L = 5.55 mmol/L). Schema 5.
  glycaemia: {
    label: 'Glycémie capillaire',
    unit: 'g/L',
    min: 0.1,
    max: 10,
    low: 0.4,
    high: 5,
    integer: false,
  },
};

export const VITAL_FIELDS = Object.keys(VITALS) as VitalField[];

export type VitalsInput = Partial<Record<VitalField, string>>;
export type VitalsValues = Record<VitalField, number | null>;

export interface VitalsCheck {
  values: VitalsValues;
  /** Refusals, one per field, in French. */
  errors: Partial<Record<VitalField, string>>;
  /** Accepted but unusual values, in French. */
  warnings: Partial<Record<VitalField, string>>;
}

const fmt = (n: number) => String(n).replace('.', ',');

/** Reads what was typed: empty fields stay null; every typed field is checked. */
export function checkVitals(input: VitalsInput): VitalsCheck {
  const values = Object.fromEntries(VITAL_FIELDS.map((f) => [f, null])) as VitalsValues;
  const errors: VitalsCheck['errors'] = {};
  const warnings: VitalsCheck['warnings'] = {};
  for (const field of VITAL_FIELDS) {
    const raw = (input[field] ?? '').trim().replace(',', '.');
    if (raw === '') continue;
    const spec = VITALS[field];
    const n = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw) || !Number.isFinite(n)) {
      errors[field] = `${spec.label} : « ${input[field]} » n’est pas un nombre.`;
      continue;
    }
    if (spec.integer && !Number.isInteger(n)) {
      errors[field] = `${spec.label} : un nombre entier est attendu (${spec.unit}).`;
      continue;
    }
    if (n < spec.min || n > spec.max) {
      errors[field] =
        `${spec.label} : ${fmt(n)} ${spec.unit} est hors des valeurs possibles (${fmt(spec.min)} à ${fmt(spec.max)}).`;
      continue;
    }
    values[field] = n;
    if (n < spec.low || n > spec.high) {
      warnings[field] = `${spec.label} : ${fmt(n)} ${spec.unit}, valeur inhabituelle à vérifier.`;
    }
  }
  if (
    values.systolic !== null &&
    values.diastolic !== null &&
    values.diastolic >= values.systolic &&
    !errors.diastolic
  ) {
    errors.diastolic = 'La pression diastolique doit être inférieure à la systolique.';
  }
  return { values, errors, warnings };
}

/** At least one measure was typed and none is refused. */
export function vitalsReady(check: VitalsCheck): boolean {
  return (
    Object.keys(check.errors).length === 0 && VITAL_FIELDS.some((f) => check.values[f] !== null)
  );
}

/** Body-mass index to one decimal, when weight and height are known. */
export function bmi(v: Pick<Vitals, 'weightKg' | 'heightCm'>): number | null {
  if (v.weightKg === null || v.heightCm === null || v.heightCm <= 0) return null;
  const m = v.heightCm / 100;
  return Math.round((v.weightKg / (m * m)) * 10) / 10;
}

// ---- abnormal values (issue #15 item 2) ----
//
// A value past one of these thresholds is possible and kept, but it calls for the clinician's
// attention now: it is flagged in words and colour where it is typed, in the note's table (the
// supervisor sees it there) and in the patient's summary. Adult thresholds; the table with the
// same sources is in docs/guide/salle.md (« Valeurs anormales »).
//
// | measure          | flagged when      | source / rationale                                                          |
// | ---------------- | ----------------- | --------------------------------------------------------------------------- |
// | systolic         | ≥ 180 or < 90     | ESC/ESH 2018 and HAS: grade 3 hypertension (≥ 180/110); < 90: hypotension,   |
// |                  |                   | a criterion of shock (NEWS2 scores systolic ≤ 90 at 3)                      |
// | diastolic        | ≥ 110             | ESC/ESH 2018 and HAS: grade 3 hypertension                                  |
// | heart rate       | < 40 or > 120     | NEWS2 (Royal College of Physicians 2017): ≤ 40 scores 3, 111–130 scores 2   |
// | temperature      | ≥ 39 or < 35.5 °C | ≥ 39 °C: high fever (HAS, fièvre de l'adulte); < 35.5 °C: NEWS2 ≤ 35.0 at 3, |
// |                  |                   | kept half a degree above to catch an early hypothermia                      |
// | SpO₂             | < 92 %            | BTS 2017 oxygen guideline (target 94–98 %) and NEWS2 scale 1: ≤ 91 % at 3   |
// | glycaemia (g/L)  | < 0.70 or ≥ 2.50  | < 0.70 g/L: hypoglycaemia (ADA/SFD level 1, < 70 mg/dL); ≥ 2.50 g/L: SFD    |
// |                  |                   | advises looking for ketosis (ketones) above 2.5 g/L                         |
//
// Weight and height are not flagged (no threshold without the person's history).

export type FlaggedVital = Exclude<VitalField, 'weightKg' | 'heightCm'>;

export interface AbnormalThreshold {
  /** Flagged when the value is strictly below. */
  below?: number;
  /** Flagged when the value is at or above. */
  atLeast?: number;
  /** Flagged when the value is strictly above (heart rate: « > 120 »). */
  above?: number;
}

export const ABNORMAL: Readonly<Record<FlaggedVital, AbnormalThreshold>> = {
  systolic: { atLeast: 180, below: 90 },
  diastolic: { atLeast: 110 },
  heartRate: { below: 40, above: 120 },
  temperature: { atLeast: 39, below: 35.5 },
  spo2: { below: 92 },
  glycaemia: { atLeast: 2.5, below: 0.7 },
};

export const FLAGGED_VITALS = Object.keys(ABNORMAL) as FlaggedVital[];

export interface VitalFlag {
  field: FlaggedVital;
  value: number;
  direction: 'high' | 'low';
  /** In French, with the value, the unit and the threshold crossed. */
  message: string;
}

/** Whether a value of this measure is abnormal, and which way (null: not flagged). */
export function abnormalDirection(field: VitalField, value: number): 'high' | 'low' | null {
  const rule = (ABNORMAL as Partial<Record<VitalField, AbnormalThreshold>>)[field];
  if (!rule) return null;
  if (rule.below !== undefined && value < rule.below) return 'low';
  if (rule.atLeast !== undefined && value >= rule.atLeast) return 'high';
  if (rule.above !== undefined && value > rule.above) return 'high';
  return null;
}

function thresholdText(rule: AbnormalThreshold, direction: 'high' | 'low'): string {
  if (direction === 'low') return `< ${fmt(rule.below!)}`;
  return rule.atLeast !== undefined ? `≥ ${fmt(rule.atLeast)}` : `> ${fmt(rule.above!)}`;
}

/** The flag of one measure, or null when the value is absent or not abnormal. */
export function vitalFlag(field: VitalField, value: number | null | undefined): VitalFlag | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  const direction = abnormalDirection(field, value);
  if (direction === null) return null;
  const spec = VITALS[field];
  const rule = ABNORMAL[field as FlaggedVital];
  // Every measure's label is feminine (pression, fréquence, température, saturation, glycémie).
  const word = direction === 'high' ? 'élevée' : 'basse';
  return {
    field: field as FlaggedVital,
    value,
    direction,
    message: `${spec.label} ${word} : ${fmt(value)} ${spec.unit} (seuil ${thresholdText(rule, direction)} ${spec.unit})`,
  };
}

/** Every abnormal measure of a set of values, in the order of VITAL_FIELDS. */
export function vitalFlags(values: Partial<Record<VitalField, number | null>>): VitalFlag[] {
  return FLAGGED_VITALS.flatMap((f) => vitalFlag(f, values[f] ?? null) ?? []);
}

/** The flag of what is being typed in a field (nothing while it is not a valid number). */
export function typedVitalFlag(field: VitalField, typed: string): VitalFlag | null {
  const check = checkVitals({ [field]: typed });
  if (check.errors[field]) return null;
  return vitalFlag(field, check.values[field]);
}

// ---- trends (the summary's last vitals) ----

export interface VitalTrend {
  field: VitalField;
  /** Up to the last three values, oldest first, with when they were taken. */
  values: { value: number; takenAt: string; flag: VitalFlag | null }[];
  /** The last value against the one before: up, down, stable; null with a single value. */
  direction: 'up' | 'down' | 'stable' | null;
}

/** The last three values of each measure over a patient's vitals, with their direction. */
export function vitalTrends(
  vitals: readonly (Partial<Record<VitalField, number | null>> & { takenAt: string })[],
  count = 3,
): VitalTrend[] {
  const sorted = [...vitals].sort((a, b) =>
    a.takenAt < b.takenAt ? -1 : a.takenAt > b.takenAt ? 1 : 0,
  );
  const out: VitalTrend[] = [];
  for (const field of VITAL_FIELDS) {
    const values = sorted
      .flatMap((v) => {
        const value = v[field];
        return typeof value === 'number'
          ? [{ value, takenAt: v.takenAt, flag: vitalFlag(field, value) }]
          : [];
      })
      .slice(-count);
    if (values.length === 0) continue;
    const last = values[values.length - 1]!.value;
    const before = values.length > 1 ? values[values.length - 2]!.value : null;
    const direction =
      before === null ? null : last > before ? 'up' : last < before ? 'down' : 'stable';
    out.push({ field, values, direction });
  }
  return out;
}
