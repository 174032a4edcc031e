/**
 * How the basic_auth plugin (istio-ecosystem/wasm-extensions 1.12.0) reads
 * and stores credentials, reproduced exactly: the compiler uses it to refuse
 * configs the plugin would refuse, the simulator to compare headers.
 */

const B64 = /^[A-Za-z0-9+/]$/;
const B64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * The plugin's `decodeWithoutPadding` acceptance test: strip up to two `=`,
 * every character but the last from the alphabet, and the last character's
 * unused low bits zero.
 */
export function isDecodableBase64(s: string): boolean {
  if (s.length === 0) return false;
  let n = s.length;
  for (let i = 0; i < 2 && n > 0 && s[n - 1] === '='; i++) n--;
  if (n === 0) return false;
  for (let i = 0; i < n - 1; i++) if (!B64.test(s[i])) return false;
  const last = n - 1;
  const value = B64_ALPHABET.indexOf(s[last]);
  if (value < 0) return false;
  switch (last % 4) {
    case 0:
      return false;
    case 1:
      return (value & 0x0f) === 0;
    case 2:
      return (value & 0x03) === 0;
    default:
      return true;
  }
}

/** A `${NAME}` placeholder that Flux substitutes at apply time (Credential.fluxSubstitution). */
export function isSubstitutionPlaceholder(c: string): boolean {
  return /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(c);
}

/**
 * Whether the plugin accepts a configured credential string. A substitution
 * placeholder is accepted here: its real value only exists in the cluster.
 */
export function isAcceptedCredential(c: string): boolean {
  return c.includes(':') || isDecodableBase64(c) || isSubstitutionPlaceholder(c);
}

/**
 * The form the plugin stores and compares byte for byte with what follows
 * `Basic ` in the Authorization header: `user:pass` is base64-encoded with
 * padding; anything else is kept verbatim.
 */
export function storedCredential(c: string): string {
  return c.includes(':') ? Buffer.from(c, 'utf8').toString('base64') : c;
}

/**
 * A credential the plugin takes as base64 (no ':') whose bytes hold no ':':
 * RFC 7617 clients encode `user:password`, so no request carries it.
 */
export function isBase64WithoutUser(c: string): boolean {
  if (c.includes(':') || isSubstitutionPlaceholder(c) || !isDecodableBase64(c)) return false;
  return !Buffer.from(c, 'base64').includes(0x3a);
}

/** A base64 credential without padding: accepted, but standard clients send the padded form. */
export function isUnpaddedBase64(c: string): boolean {
  return !c.includes(':') && !isSubstitutionPlaceholder(c) && !c.endsWith('=') && c.length % 4 !== 0;
}

/**
 * A rule's `hosts` entry as messages quote it: a `user:password@` before the
 * host (a URL's userinfo pasted into the list) is masked, as in module URLs.
 */
export function printableHost(h: string): string {
  const at = h.lastIndexOf('@');
  return JSON.stringify(at < 0 ? h : `***@${h.slice(at + 1)}`);
}
