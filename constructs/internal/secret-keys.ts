/**
 * Config keys whose values are credentials in any plugin config, whatever
 * the module: `diff` fingerprints them, and construct errors never echo
 * them, even for a `definePlugin` whose definition lists no `secretKeys`.
 */
export const SECRET_CONFIG_KEYS: readonly string[] = ['credentials', 'password', 'token', 'secret'];

// The last word of a key that names a credential, however the key is
// written: `client_secret`, `apiToken`, `Password`, `access-token`; and
// the HTTP headers that carry one (`Authorization`, `Proxy-Authorization`,
// `Cookie`), which a module is often handed as a map of headers to send.
const SECRET_WORDS = new Set([
  'credential', 'credentials', 'password', 'passwords', 'passwd', 'passphrase', 'secret', 'secrets', 'token', 'apikey', 'apikeys',
  'authorization', 'bearer', 'cookie', 'cookies',
]);
// `key` names one only after these: `api_key`, `privateKey`, `hmac_key`, not `cache_key`.
const KEY_QUALIFIERS = new Set(['api', 'private', 'secret', 'access', 'signing', 'client', 'hmac', 'encryption', 'shared', 'master', 'auth']);

// A diff asks for every path of every value: the keys are few.
const named = new Map<string, boolean>();

/** Whether a config key names a credential (the fixed keys, and the same words in any case or compound). */
export function isSecretKeyName(key: string): boolean {
  let secret = named.get(key);
  if (secret === undefined) {
    secret = namesSecret(key);
    if (named.size < 10_000) named.set(key, secret);
  }
  return secret;
}

function namesSecret(key: string): boolean {
  const words = key
    // An acronym ends one letter before the next word: `HMACKey`, `APIToken`, `JWTSecret`.
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const last = words[words.length - 1];
  return last !== undefined && (SECRET_WORDS.has(last) || ((last === 'key' || last === 'keys') && KEY_QUALIFIERS.has(words[words.length - 2] ?? '')));
}
