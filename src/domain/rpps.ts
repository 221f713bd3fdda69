// The RPPS number of a health professional (Répertoire partagé des professionnels de santé): 11
// digits whose last is a Luhn key over the first ten. Checked when the coordination types it on
// the team page and by the servers on every staff op (entities.ts); carried by the FHIR export.
// Pure.

/** Whether the digits pass the Luhn check (the last digit is the key). */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** A well-formed RPPS number: 11 digits with a valid Luhn key. */
export function isRpps(value: string): boolean {
  return /^\d{11}$/.test(value) && luhnValid(value);
}

/** The RPPS as typed (spaces allowed between digit groups), or null when left empty. */
export function normaliseRpps(typed: string): string | null {
  const compact = typed.replace(/\s+/g, '');
  return compact === '' ? null : compact;
}

/** What is wrong with an RPPS as typed, in French, or null (empty is allowed: not known). */
export function rppsError(typed: string): string | null {
  const value = normaliseRpps(typed);
  if (value === null) return null;
  if (!/^\d+$/.test(value)) return 'Le numéro RPPS ne contient que des chiffres.';
  if (value.length !== 11) {
    return `Le numéro RPPS compte 11 chiffres (${value.length} saisis).`;
  }
  if (!luhnValid(value)) {
    return 'Ce numéro RPPS n’est pas valide : sa clé de contrôle (le dernier chiffre) ne correspond pas. Vérifiez la saisie.';
  }
  return null;
}
