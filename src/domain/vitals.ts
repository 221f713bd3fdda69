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
  | 'heightCm';

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
