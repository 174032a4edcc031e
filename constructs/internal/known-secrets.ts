import { inspect } from 'node:util';
import { isSecretKeyName } from './secret-keys';

/**
 * The credential values this process has read from the environment or a
 * file, kept only in memory, so that every message printed about the
 * policies can be scrubbed of them: a last line of defence for text that
 * does not come from us (an exception the policy code threw with a value in
 * it, a third-party error). Messages are written never to hold a credential
 * in the first place.
 */
const values = new Set<string>();

// Parts of a credential (the password of a user:password pair, each line of
// one that spans lines): scrubbed only from text policy code threw
// (scrubThrown), not from every output as `values` are. A part may be an
// ordinary word (`waypoint`, `default`) that also names the tool, targets,
// objects and files, which diff's report and every finding's path would
// otherwise lose.
const parts = new Set<string>();

// Shorter values would scrub ordinary words out of messages.
const MIN_LENGTH = 6;

/**
 * Remember a credential value read in this process, with the other forms a
 * message may quote it in: its base64 (how the module may store it), the
 * `user:password` it decodes to when it is stored as base64, and each of
 * them as JSON escapes it (a quote or backslash in it: `diff --json`, a
 * `JSON.parse` error). Its parts (the password alone, each line of one that
 * spans lines), at least as long as a whole value must be, are remembered
 * for `scrubThrown` only. Returns the value.
 */
export function rememberSecret(value: string): string {
  if (value.length >= MIN_LENGTH) {
    remember(value);
    // Each line of one that spans lines, too: findings quote only the first
    // line of what policy code threw, which then holds part of the value.
    if (/[\r\n]/.test(value)) for (const line of value.split(/\r?\n|\r/)) remember(line, parts);
    remember(Buffer.from(value, 'utf8').toString('base64'));
    const pair = decodedPair(value);
    if (pair !== undefined) remember(pair);
    // The password alone, too: policy code that splits the pair may throw
    // with just that part (the user name is no secret, and stays readable).
    const password = passwordOf(pair ?? value);
    if (password !== undefined) remember(password, parts);
  }
  return value;
}

/** What follows the first ':' of a `user:password` pair, if anything does. */
function passwordOf(pair: string): string | undefined {
  const colon = pair.indexOf(':');
  return colon > 0 && colon < pair.length - 1 ? pair.slice(colon + 1) : undefined;
}

function remember(form: string, into: Set<string> = values): void {
  if (form.length < MIN_LENGTH) return;
  into.add(form);
  const escaped = JSON.stringify(form).slice(1, -1);
  if (escaped !== form) into.add(escaped);
  // As util.inspect quotes it (node:assert's messages, an object printed
  // into a thrown message): a backslash doubled, a control character as \x..,
  // where JSON would write \u00..
  const inspected = inspect(form).slice(1, -1);
  if (inspected !== form) into.add(inspected);
}

/**
 * Whether `text` is the base64 of a `user:password` pair: a credential as
 * the module stores it, whatever name or path it was passed as.
 */
export function isEncodedPair(text: string): boolean {
  return decodedPair(text) !== undefined;
}

/** The `user:password` that base64 `value` stands for, when it is one (printable, with a ':'). */
function decodedPair(value: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  if (!decoded.includes(':') || /[\0-\x1f\x7f\ufffd]/.test(decoded)) return undefined;
  // Only a faithful decoding: base64 of the result gives the value back (padding aside).
  if (Buffer.from(decoded, 'utf8').toString('base64').replace(/=+$/, '') !== value.replace(/=+$/, '')) return undefined;
  return decoded;
}

// Credentials declared but perhaps not read yet, by source: policy code can
// throw with a value in the message before any construct reads it. Looked up
// only when findings are printed (readDeclaredSecrets), so declaring one costs
// no read; kept until a lookup finds a value (a variable may be set after an
// earlier print).
const declared = new Map<string, () => string | undefined>();

/**
 * Remember a declared credential's source (`key` names it once): its value is
 * read, and then scrubbed like a read one, when findings are next printed.
 */
export function rememberDeclared(key: string, lookup: () => string | undefined): void {
  declared.set(key, lookup);
}

/**
 * Read the declared credentials not read yet, so that scrubSecrets replaces
 * them too. Once per print of a list of findings, not per message: a run
 * with thousands of missing sources would otherwise look each up again for
 * every message (quadratic).
 */
export function readDeclaredSecrets(): void {
  for (const [key, lookup] of declared) {
    let value: string | undefined;
    try {
      value = lookup();
    } catch {
      // Unreadable now: it cannot be in a message either.
    }
    if (typeof value !== 'string') continue;
    declared.delete(key);
    // As a read would store it: without the one line ending a file or `echo` adds.
    rememberSecret(value.replace(/\r?\n$/, ''));
  }
}

/** `text` with every remembered credential value replaced. */
export function scrubSecrets(text: string): string {
  if (values.size === 0) return text;
  return scrubCut(replaceEach(text, values), values);
}

// Every message printed is scrubbed (each field of each of a synth's
// findings), and the remembered sets only grow: their order is worked out
// again only when one has grown, not per message.
const ordered = new WeakMap<ReadonlySet<string>, { readonly size: number; readonly forms: readonly string[] }>();

/** `text` with every one of `forms` in it replaced. */
function replaceEach(text: string, forms: ReadonlySet<string>): string {
  let known = ordered.get(forms);
  if (known?.size !== forms.size) {
    known = { size: forms.size, forms: longestFirst(forms) };
    ordered.set(forms, known);
  }
  return replaceAll(text, known.forms, '<redacted credential>');
}

/** The non-empty ones of `values`, once each, longest first, so one inside another goes whole. */
function longestFirst(values: Iterable<string>): string[] {
  return [...new Set(values)].filter((x) => x.length > 0).sort((a, b) => b.length - a.length);
}

/** `text` with every one of `forms` replaced by `mark`, in their order. */
function replaceAll(text: string, forms: readonly string[], mark: string): string {
  let out = text;
  for (const v of forms) if (out.includes(v)) out = out.split(v).join(mark);
  return out;
}

/** `text` with the start or end of any of `known` hidden where a quote cut it short. */
function scrubCut(text: string, known: ReadonlySet<string>): string {
  let out = text;
  if (out.includes('"...') || out.includes('..."')) out = out.replace(CUT_QUOTE, (q: string, b?: string, i?: string, a?: string) => scrubCutQuote(known, q, b, i ?? '', a));
  return /\.\.\.['"`]/.test(out) ? out.replace(CUT_INSIDE, (q: string, m: string, i: string) => scrubCutInside(known, q, m, i)) : out;
}

/**
 * `text`, which policy code threw, with every remembered credential value
 * replaced, and its parts too (a password alone, a line), whole or cut short
 * in a quote (Node's argument errors quote 25 characters of a longer
 * string). The declared credentials are read first: the policy code may
 * have read one itself, before any construct did.
 */
export function scrubThrown(text: string): string {
  readDeclaredSecrets();
  const out = scrubSecrets(text);
  return parts.size === 0 ? out : scrubCut(replaceEach(out, parts), parts);
}

// Node's argument errors quote a long string cut to its first characters,
// the dots inside the quotes (`Received type string ('alice:supersecretpassword...')`):
// the start of a credential, which the whole-value replacement cannot see.
const CUT_INSIDE = /(['"`])([^'"`\n]*)\.\.\.\1/g;

function scrubCutInside(known: ReadonlySet<string>, quote: string, mark: string, inner: string): string {
  let shown = inner;
  // Past the user name of a user:password value: `'shop...'` shows no secret.
  for (const v of known) shown = hideOverlap(shown, v, 'end', v.indexOf(':') + 2);
  return shown === inner ? quote : `${mark}${shown}...${mark}`;
}

// V8 quotes a window of what JSON.parse refused, cut to a few characters
// (`"plugin:Plu"... is not valid JSON`): the start or end of a credential,
// which the whole-value replacement above cannot see.
const CUT_QUOTE = /(\.\.\.)?"([^"\n]*)"(\.\.\.)?/g;
// Shorter overlaps are too common in ordinary words to be worth hiding.
const MIN_OVERLAP = 4;

function scrubCutQuote(known: ReadonlySet<string>, quote: string, before: string | undefined, inner: string, after: string | undefined): string {
  if (!before && !after) return quote;
  let shown = inner;
  for (const v of known) {
    // Cut after the quote: the quote may end with the start of a value.
    if (after) shown = hideOverlap(shown, v, 'end');
    // Cut before it: the quote may begin with the end of a value.
    if (before) shown = hideOverlap(shown, v, 'start');
  }
  return shown === inner ? quote : `${before ?? ''}"${shown}"${after ?? ''}`;
}

function hideOverlap(shown: string, value: string, at: 'start' | 'end', shortest = MIN_OVERLAP): string {
  for (let k = Math.min(shown.length, value.length - 1); k >= Math.max(MIN_OVERLAP, shortest); k--) {
    if (at === 'end' && shown.endsWith(value.slice(0, k))) return `${shown.slice(0, shown.length - k)}<redacted credential>`;
    if (at === 'start' && shown.startsWith(value.slice(value.length - k))) return `<redacted credential>${shown.slice(k)}`;
  }
  return shown;
}

/**
 * The strings of `config` found under any of `secretKeys`, or under a key
 * named like a credential (`client_secret`, `apiToken`), at any depth, as
 * the review's redaction reads them: the values a plugin definition says
 * are never printed, and, below such a key, the object keys too (a map from
 * API key to team). The named keys count where the schema cannot list them
 * (a record): diff fingerprints them there too.
 */
export function secretStringsOf(config: unknown, secretKeys: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (v: unknown, secret: boolean): void => {
    if (typeof v === 'string') {
      if (secret) out.push(v);
    } else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') {
      if (secret) out.push(String(v));
    } else if (Array.isArray(v)) {
      for (const x of v) walk(x, secret);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (secret) out.push(k);
        walk(x, secret || secretKeys.includes(k) || isSecretKeyName(k));
      }
    }
  };
  walk(config, false);
  return out;
}

/**
 * The strings of `config` under any of `secretKeys` that a message could
 * quote recognisably: as many characters as a remembered credential needs
 * (shorter ones would scrub ordinary words out of the message). For text a
 * plugin definition's own code wrote about a config: a refinement's
 * message, an `analyze()` issue.
 */
export function quotableSecretsOf(config: unknown, secretKeys: readonly string[]): string[] {
  return secretStringsOf(config, secretKeys).filter((s) => s.length >= MIN_LENGTH);
}

/** `text` with every value in `secrets` replaced, longest first. */
export function withoutValues(text: string, secrets: readonly string[]): string {
  return replaceAll(text, longestFirst(secrets), '<redacted>');
}
