import { createHash, randomBytes } from 'node:crypto';

/**
 * Headers whose values are printed as given: standard ones that carry no
 * secret. Every other value is shown as a fingerprint, so a trace pasted
 * into a pull request never leaks a credential, whatever its header is
 * called (`-H 'user:password'` is a header named `user`).
 */
const PRINTED = new Set([
  'accept',
  'accept-encoding',
  'accept-language',
  'cache-control',
  'content-length',
  'content-type',
  'host',
  'pragma',
  'te',
  'user-agent',
  'x-forwarded-proto',
  'x-request-id',
]);

/** Whether a header's value must never be printed. */
export function isSensitiveHeader(name: string): boolean {
  return !PRINTED.has(name.toLowerCase());
}

/**
 * A value shown as its length and the first 8 hex digits of its salted
 * SHA-256 (`shortHash`): enough to tell two values apart in a trace, too
 * little to recover them or to check a guess.
 */
export function fingerprint(value: string): string {
  return `<redacted, ${value.length} chars, ${shortHash(value)}>`;
}

// A random salt per process: a fingerprint printed in a pull request comment
// must not let anyone confirm a guessed password offline (`user:password`
// values are short, and 8 hex digits of a plain SHA-256 are quick to match).
// Within one run, and so within one report, equal values still match.
const SALT = randomBytes(16);

/**
 * `sha256:` and the first 8 hex digits of the value's SHA-256, salted per
 * run: the one fingerprint every output uses. It tells two values of one
 * output apart; it differs from one run to the next.
 */
export function shortHash(value: string): string {
  return `sha256:${createHash('sha256').update(SALT).update(value, 'utf8').digest('hex').slice(0, 8)}`;
}

/**
 * A header value safe to print: the value of any header but a few standard
 * ones keeps only a recognised auth scheme (`Basic`, `Bearer`...) followed by
 * the fingerprint of the rest.
 */
export function redactHeaderValue(name: string, value: string): string {
  if (!isSensitiveHeader(name)) return value;
  // The scheme is kept as written (case matters to basic_auth); only known
  // scheme words are shown, so a bare secret followed by a space stays hidden.
  const scheme = /^(basic|bearer|digest|negotiate|token|apikey) (.*)$/is.exec(value);
  return scheme ? `${scheme[1]} ${fingerprint(scheme[2])}` : fingerprint(value);
}

// One masking for every printed module URL (a password may itself hold '@').
export { printableUrl } from '../analysis/schema/go-url';
