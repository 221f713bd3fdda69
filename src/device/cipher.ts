// The synchronous AES-256-GCM that seals clinical records inside IndexedDB transactions
// (decision 0003), loaded on first need: a data key only exists after an unlock, which is
// asynchronous anyway, so the cipher stays out of the first screen's bundle.
type Gcm = typeof import('@noble/ciphers/aes.js').gcm;

let loaded: Gcm | null = null;

/** Loads the cipher (once); call before putting a data key in memory. */
export async function loadCipher(): Promise<void> {
  loaded ??= (await import('@noble/ciphers/aes.js')).gcm;
}

export function gcm(...args: Parameters<Gcm>): ReturnType<Gcm> {
  if (!loaded) throw new Error('Le chiffrement n’est pas chargé : déverrouillez l’appareil.');
  return loaded(...args);
}
