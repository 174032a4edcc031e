import type { KubeObject } from '../compiler/model';
import { pluginDefinitionFor } from '../constructs/define-plugin';
import { maskedUrl } from '../analysis/schema/go-url';
import { shortHash } from '../simulator/redact';
import { isSecretKeyName } from '../constructs/internal/secret-keys';

type Path = readonly (string | number)[];

/** Decides, for one object, which values are secret and how each prints. */
export interface SecretPolicy {
  isSecret(path: Path): boolean;
  /** A non-secret value that may hold a secret part (a URL's `user:password@`). */
  mask(path: Path, value: string): string;
}

function underSecretKey(path: Path, keys: ReadonlySet<string>): boolean {
  return path.some((p) => typeof p === 'string' && keys.has(p));
}

/**
 * Whether a key on `path` names a credential in any emitted object
 * (`password`, `client_secret`, `apiToken`...): a reviewer sees that a
 * credential changed (its fingerprint changes), never the value.
 */
function underSecretName(path: Path): boolean {
  return path.some((p) => typeof p === 'string' && isSecretKeyName(p));
}

const isModuleUrl = (path: Path) => path.length === 2 && path[0] === 'spec' && path[1] === 'url';

// `spec.vmConfig.env[i].value`: environment values are how a module is
// handed an API key, whatever the variable is called.
const isEnvValue = (path: Path) => path.length === 5 && path[0] === 'spec' && path[1] === 'vmConfig' && path[2] === 'env' && path[4] === 'value';

/**
 * The secrets of one manifest: the fixed keys anywhere; for a WasmPlugin, its
 * environment values, and for one of a registered module (built-in or
 * `definePlugin`), its definition's `secretKeys` anywhere under
 * `spec.pluginConfig`. Module URLs print without
 * their `user:password@`, and with their query values as fingerprints.
 */
export function secretPolicyFor(manifest: KubeObject | undefined): SecretPolicy {
  const spec = manifest?.kind === 'WasmPlugin' ? (manifest.spec as { url?: unknown } | undefined) : undefined;
  const pluginKeys = new Set(typeof spec?.url === 'string' ? (pluginDefinitionFor(spec.url)?.secretKeys ?? []) : []);
  return {
    isSecret: (path) =>
      underSecretName(path) ||
      (manifest?.kind === 'WasmPlugin' && isEnvValue(path)) ||
      (pluginKeys.size > 0 && path[0] === 'spec' && path[1] === 'pluginConfig' && underSecretKey(path.slice(2), pluginKeys)),
    mask: (path, value) => (manifest?.kind === 'WasmPlugin' && isModuleUrl(path) ? maskedUrl(value, credentialFingerprint) : value),
  };
}

/** For a changed object: a value is secret if either revision's module says so (the url itself can change). */
export function secretPolicyForChange(before: KubeObject, after: KubeObject): SecretPolicy {
  const a = secretPolicyFor(before);
  const b = secretPolicyFor(after);
  return { isSecret: (p) => a.isSecret(p) || b.isSecret(p), mask: (p, v) => b.mask(p, a.mask(p, v)) };
}

/** A short, stable fingerprint: the first 8 hex digits of the value's SHA-256. */
export function credentialFingerprint(value: string): string {
  return shortHash(value);
}

/** Replace every secret string by its fingerprint, and mask the rest (deep copy). */
export function redactSecrets(value: unknown, path: (string | number)[], policy: SecretPolicy): unknown {
  if (typeof value === 'string') return policy.isSecret(path) ? credentialFingerprint(value) : policy.mask(path, value);
  // A secret that is not a string (a number, a nested object) prints as its fingerprint too.
  if (policy.isSecret(path) && value !== undefined && value !== null && typeof value !== 'object') return credentialFingerprint(String(value));
  if (Array.isArray(value)) return value.map((v, i) => redactSecrets(v, [...path, i], policy));
  if (value && typeof value === 'object') {
    // Below a secret key, the keys are fingerprints too: a key may be the secret itself (a map from API key to team).
    const keyed = policy.isSecret(path);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [keyed ? credentialFingerprint(k) : k, redactSecrets(v, [...path, k], policy)]));
  }
  return value;
}
