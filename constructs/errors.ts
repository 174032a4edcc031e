import type { Finding } from '../analysis/finding';
import { formatFinding } from '../analysis/finding';

/**
 * Thrown for a mistake in a policy (never for a bug in waypoint-policy). The
 * CLI prints its findings without a stack trace and writes nothing.
 */
export class PolicyError extends Error {
  public readonly findings: readonly Finding[];

  constructor(findings: readonly Finding[]) {
    super(findings.map(formatFinding).join('\n\n'));
    this.name = 'PolicyError';
    this.findings = findings;
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
  const err = e instanceof Error ? e : new Error(String(e));
  return { name: err.name, firstLine: err.message.split('\n')[0] };
}
