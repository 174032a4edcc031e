import { shortHash } from '../simulator/redact';

/**
 * Object keys whose values are secrets in any emitted object: a reviewer
 * sees that a credential changed (its fingerprint changes), never the value.
 */
const SECRET_KEYS = new Set(['credentials', 'password', 'token', 'secret']);

export function isSecretPath(path: readonly (string | number)[]): boolean {
  return path.some((p) => typeof p === 'string' && SECRET_KEYS.has(p));
}

/** A short, stable fingerprint: the first 8 hex digits of the value's SHA-256. */
export function credentialFingerprint(value: string): string {
  return shortHash(value);
}

/** Replace every string under a secret key by its fingerprint (deep copy). */
export function redactSecrets(value: unknown, path: (string | number)[] = []): unknown {
  if (typeof value === 'string') return isSecretPath(path) ? credentialFingerprint(value) : value;
  if (Array.isArray(value)) return value.map((v, i) => redactSecrets(v, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecrets(v, [...path, k])]));
  }
  return value;
}
