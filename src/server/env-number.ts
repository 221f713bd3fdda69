// Whole-number settings read from the environment (PORT, BODY_LIMIT, RELAY_COALESCE_MS,
// RELOAD_OPS): a value that is not a whole number in range stops the server at its start with
// the variable named, rather than running with NaN (a body limit that lets nothing through, a
// relay that never waits, a reload threshold no device ever reaches).

export function envNumber(
  env: Record<string, string | undefined>,
  name: string,
  range: { min: number; max: number },
): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < range.min || value > range.max) {
    throw new Error(
      `${name}=${JSON.stringify(env[name])} : un nombre entier entre ${range.min} et ${range.max} est attendu.`,
    );
  }
  return value;
}
