import type { KubeObject } from '../compiler/model';
import { pluginDefinitionFor } from '../constructs/define-plugin';
import { maskedUrl } from '../analysis/schema/go-url';
import { shortHash } from '../simulator/redact';
import { isSecretKeyName } from '../constructs/internal/secret-keys';
import { isEncodedPair } from '../constructs/internal/known-secrets';

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

// A Secret's values, whatever their keys (`config.json`, `htpasswd`); the keys stay readable.
const isSecretData = (path: Path) => path.length >= 2 && (path[0] === 'data' || path[0] === 'stringData');

// A URL anywhere (an upstream in a plugin's config) may carry `user:password@`
// or a token in its query, as a module's own url does.
const isUrl = (value: string) => /^[A-Za-z][A-Za-z0-9+.-]*:\/\/\S+$/.test(value);

// `Bearer eyJ...`, `Basic dXNl...`: an Authorization header's value, whatever key holds it.
const AUTH_SCHEME = /^\s*(bearer|basic)\s+\S+\s*$/i;
// `Authorization: Bearer ...`, `X-Api-Key: ...`: a header line, under a key or in a list of lines.
const HEADER_LINE = /^\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*:\s*\S/;

// A private key in PEM (`-----BEGIN RSA PRIVATE KEY-----`) or OpenPGP armor (`... PGP PRIVATE KEY BLOCK-----`), not a certificate: a module handed a key to sign with.
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/;
// A signed JWT (header.payload.signature, the header's JSON base64url: `eyJ`): a bearer credential without its `Bearer `.
const JWT = /^\s*eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\s*$/;
// Tokens whose issuer marks them by prefix so that scanners find them: GitHub, GitLab, Slack, Stripe secret keys.
const PREFIXED_TOKEN = /^\s*(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{20,}|glpat-[\w-]{16,}|xox[abposr]-[\w-]{8,}|[sr]k_live_\w{8,})\s*$/;

/**
 * Whether a string is a credential by its shape, wherever it is: an
 * Authorization header's value, a header line naming a credential, a
 * `user:password` pair in base64 (how basic_auth stores one), a PEM private
 * key, a JWT, or a token its issuer marks by prefix (`ghp_`, `glpat-`,
 * `xoxb-`, `sk_live_`).
 */
function looksLikeCredential(value: string): boolean {
  const header = HEADER_LINE.exec(value);
  return (
    AUTH_SCHEME.test(value) ||
    (header !== null && isSecretKeyName(header[1])) ||
    isEncodedPair(value) ||
    PEM_PRIVATE_KEY.test(value) ||
    JWT.test(value) ||
    PREFIXED_TOKEN.test(value)
  );
}

/**
 * A map key as the review prints it: below a secret key, or shaped like a
 * credential wherever it is (a map from `user:password` in base64, or from a
 * bearer token, to a team), its fingerprint; a key prints in field paths
 * and in the objects listed, where the value test never sees it.
 */
export function printedKey(key: string, underSecret: boolean): string {
  return underSecret || looksLikeCredential(key) ? credentialFingerprint(key) : key;
}

// The fields of a list item that say what its other fields hold: `{ name: Authorization, value: ... }`.
const NAMING_FIELDS = ['name', 'key', 'header'];

function secretNamingFields(item: unknown): string[] {
  if (!item || typeof item !== 'object' || Array.isArray(item)) return [];
  const o = item as Record<string, unknown>;
  return NAMING_FIELDS.filter((k) => typeof o[k] === 'string' && isSecretKeyName(o[k] as string));
}

/** `policy`, and secret too every path below `path` whose next step `except` does not name. */
function secretBelow(policy: SecretPolicy, path: Path, except: ReadonlySet<string> = new Set()): SecretPolicy {
  const at = path.length;
  return {
    isSecret: (p) => policy.isSecret(p) || (p.length > at && !except.has(String(p[at])) && path.every((x, i) => p[i] === x)),
    mask: policy.mask,
  };
}

/**
 * `policy`, and below `path` every field but the naming one of an item
 * (either revision's, `items`) that names a credential: a list of headers
 * to send, `[{ name: Authorization, value: Bearer ... }]`, holds it under
 * `value`, a key no list of names can tell from any other.
 */
export function withNamedItem(policy: SecretPolicy, path: Path, ...items: unknown[]): SecretPolicy {
  const naming = new Set(items.flatMap(secretNamingFields));
  return naming.size === 0 ? policy : secretBelow(policy, path, naming);
}

/**
 * `policy`, and every item below `path` when a list there (either
 * revision's, `lists`) holds a private key's BEGIN line: a key given line by
 * line, whose base64 lines no test of one value can tell from any text.
 */
export function withKeyLines(policy: SecretPolicy, path: Path, ...lists: unknown[]): SecretPolicy {
  const holdsKey = (l: unknown) => Array.isArray(l) && l.some((x) => typeof x === 'string' && PEM_PRIVATE_KEY.test(x));
  return lists.some(holdsKey) ? secretBelow(policy, path) : policy;
}

// `spec.vmConfig.env[i].value`: environment values are how a module is
// handed an API key, whatever the variable is called.
const isEnvValue = (path: Path) => path.length === 5 && path[0] === 'spec' && path[1] === 'vmConfig' && path[2] === 'env' && path[4] === 'value';

/**
 * The secrets of one manifest: the fixed keys anywhere; a Secret's data and
 * stringData values; for a WasmPlugin, its
 * environment values, and for one of a registered module (built-in or
 * `definePlugin`), its definition's `secretKeys` anywhere under
 * `spec.pluginConfig`. Module URLs, and any other string that is a URL,
 * print without their `user:password@`, and with their query values as
 * fingerprints.
 */
export function secretPolicyFor(manifest: KubeObject | undefined): SecretPolicy {
  const spec = manifest?.kind === 'WasmPlugin' ? (manifest.spec as { url?: unknown } | undefined) : undefined;
  const pluginKeys = new Set(typeof spec?.url === 'string' ? (pluginDefinitionFor(spec.url)?.secretKeys ?? []) : []);
  return {
    isSecret: (path) =>
      underSecretName(path) ||
      (manifest?.kind === 'Secret' && isSecretData(path)) ||
      (manifest?.kind === 'WasmPlugin' && isEnvValue(path)) ||
      (pluginKeys.size > 0 && path[0] === 'spec' && path[1] === 'pluginConfig' && underSecretKey(path.slice(2), pluginKeys)),
    mask: (path, value) => ((manifest?.kind === 'WasmPlugin' && isModuleUrl(path)) || isUrl(value) ? maskedUrl(value, credentialFingerprint) : value),
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
  if (typeof value === 'string') return policy.isSecret(path) || looksLikeCredential(value) ? credentialFingerprint(value) : policy.mask(path, value);
  // A secret that is not a string (a number, a nested object) prints as its fingerprint too.
  if (policy.isSecret(path) && value !== undefined && value !== null && typeof value !== 'object') return credentialFingerprint(String(value));
  if (Array.isArray(value)) {
    const inner = withKeyLines(policy, path, value);
    return value.map((v, i) => redactSecrets(v, [...path, i], inner));
  }
  if (value && typeof value === 'object') {
    // Below a secret key, the keys are fingerprints too: a key may be the secret itself (a map from API key to team).
    const keyed = policy.isSecret(path);
    const inner = withNamedItem(policy, path, value);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [printedKey(k, keyed), redactSecrets(v, [...path, k], inner)]));
  }
  return value;
}
