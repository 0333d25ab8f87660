// Password hashes remembered from one build to the next (in the output's state.json, 0600), so that a
// rebuild hashes only passwords it has not hashed before: SHA-512 crypt is slow on purpose, and a fleet
// with a password per VM would otherwise pay for every VM on every run. Each hash is filed under an
// HMAC of its salt and password keyed by the salt secret: without the secret, the key tells nothing
// of the password; with it, the secret already decides every salt.
import { createHmac } from 'node:crypto';
import { passwordHashKey } from './plan-accounts.js';
import type { PasswordToHash } from './hash-passwords.js';

/** Hashes by passwordCacheKey, as a previous build left them. */
export type PasswordCache = ReadonlyMap<string, string>;

export function passwordCacheKey(saltSecret: string, salt: string, password: string): string {
  return createHmac('sha256', saltSecret).update(`password-cache\0${salt}\0${password}`).digest('base64url');
}

/** The hashes `cache` already holds for `pairs`, by passwordHashKey (how planFleet looks them up). */
export function cachedHashes(pairs: readonly PasswordToHash[], cache: PasswordCache, saltSecret: string): Map<string, string> {
  const found = new Map<string, string>();
  if (cache.size === 0) return found;
  for (const { salt, password } of pairs) {
    const hash = cache.get(passwordCacheKey(saltSecret, salt, password));
    if (hash !== undefined) found.set(passwordHashKey(salt, password), hash);
  }
  return found;
}

/** What to remember of a plan's hashes (by passwordHashKey): the same hashes by passwordCacheKey. */
export function passwordCacheEntries(hashes: ReadonlyMap<string, string>, saltSecret: string): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const [key, hash] of hashes) {
    const [salt = '', password = ''] = splitHashKey(key);
    entries[passwordCacheKey(saltSecret, salt, password)] = hash;
  }
  return entries;
}

/** passwordHashKey's parts: a crypt salt holds no NUL, so the first one ends it. */
function splitHashKey(key: string): [string, string] {
  const end = key.indexOf('\0');
  return [key.slice(0, end), key.slice(end + 1)];
}
