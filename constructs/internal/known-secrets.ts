/**
 * The credential values this process has read from the environment or a
 * file, kept only in memory, so that every message printed about the
 * policies can be scrubbed of them: a last line of defence for text that
 * does not come from us (an exception the policy code threw with a value in
 * it, a third-party error). Messages are written never to hold a credential
 * in the first place.
 */
const values = new Set<string>();

// Shorter values would scrub ordinary words out of messages.
const MIN_LENGTH = 6;

/** Remember a credential value read in this process, with its base64 form (how the module may store it); returns it. */
export function rememberSecret(value: string): string {
  if (value.length >= MIN_LENGTH) {
    values.add(value);
    values.add(Buffer.from(value, 'utf8').toString('base64'));
  }
  return value;
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
  let out = text;
  for (const v of values) if (out.includes(v)) out = out.split(v).join('<redacted credential>');
  return out;
}
