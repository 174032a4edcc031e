import type { Finding } from '../analysis/finding';
import { formatFinding } from '../analysis/finding';
import { readDeclaredSecrets, scrubThrown } from './internal/known-secrets';

/**
 * Thrown for a mistake in a policy (never for a bug in waypoint-policy). The
 * CLI prints its findings without a stack trace and writes nothing.
 */
export class PolicyError extends Error {
  declare public readonly findings: readonly Finding[];

  constructor(findings: readonly Finding[]) {
    super();
    this.name = 'PolicyError';
    // Not enumerable: Node prints an uncaught error, and console.log an
    // error, with its enumerable properties, and a finding's text is only
    // scrubbed as the message is (a value the policy put in a name, an
    // exception it threw with one in it).
    Object.defineProperty(this, 'findings', { value: findings, enumerable: false });
    // Worded when read (and the stack's first line with it), not here: by
    // then the credentials the program declared are known and scrubbed, read
    // or not yet, as from printed findings; building an error the policy may
    // catch reads none.
    Object.defineProperty(this, 'message', {
      get: () => {
        readDeclaredSecrets();
        return findings.map(formatFinding).join('\n\n');
      },
      // Error-wrapping code may assign a message (`e.message = context + e.message`): it then holds what was assigned.
      set: (value: string) => {
        Object.defineProperty(this, 'message', { value, writable: true, configurable: true, enumerable: false });
      },
      configurable: true,
    });
  }
}

export function isPolicyError(e: unknown): e is PolicyError {
  return e instanceof Error && Array.isArray((e as PolicyError).findings) && e.name === 'PolicyError';
}

/**
 * What policy or plugin code threw, as findings quote it: its name and the
 * first line of its message. Only the first line: later ones may quote a
 * whole object (a failed JSON patch appends the document), credentials included.
 */
export function thrown(e: unknown): { name: string; firstLine: string } {
  const err = asError(e);
  // Scrubbed here, not only when printed: the password of a credential alone is scrubbed from thrown text only.
  return { name: readSafely(() => String(err.name), 'Error'), firstLine: scrubThrown(readSafely(() => String(err.message), '(its message could not be read)').split('\n')[0]) };
}

/**
 * What policy code threw, as an Error to read. A value whose text cannot be
 * read (a `toString` that throws, an object without a prototype) is still
 * the policy's exception, not a crash of ours.
 */
export function asError(e: unknown): Error {
  // `instanceof` itself throws for a revoked Proxy.
  return readSafely(() => e instanceof Error, false) ? (e as Error) : new Error(readSafely(() => String(e), '(a value that cannot be printed)'));
}

/** `read()`, or `fallback` when reading throws (a getter of the policy's). */
export function readSafely<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}
