/**
 * A finding is one problem in a policy, as data: detection and wording are
 * kept apart from formatting (text or JSON) so every command reports alike.
 */
import * as path from 'node:path';
import { readDeclaredSecrets, scrubSecrets } from '../constructs/internal/known-secrets';
import { relativeSource } from '../constructs/internal/provenance';

export type Severity = 'error' | 'warning';

/** The Kubernetes object a finding is about. */
export interface ObjectRef {
  readonly apiVersion?: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

export interface Finding {
  /** Stable rule id, documented in docs/rules.md. */
  readonly rule: string;
  readonly severity: Severity;
  /** What is wrong, with the value received. Never contains a credential. */
  readonly message: string;
  /** How to fix it. */
  readonly fix?: string;
  /** The object concerned, when there is one. */
  readonly object?: ObjectRef;
  /** Construct path (`target/namespace/construct`), when the finding comes from a construct tree. */
  readonly path?: string;
  /** `file:line` where the construct was created, when known. */
  readonly source?: string;
  /** Manifest file the object was read from (validate --manifests). */
  readonly file?: string;
}

export function objectLabel(o: ObjectRef): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

/** One finding as the lines a person reads in a terminal. */
export function formatFinding(f: Finding): string {
  const where = [f.path && `at ${f.path}`, f.source && `(${f.source})`, f.file && `in ${f.file}`]
    .filter(Boolean)
    .join(' ');
  const lines = [`${f.severity}[${f.rule}]: ${f.message}`];
  if (f.object) lines.push(`  object: ${objectLabel(f.object)}`);
  if (where) lines.push(`  ${where}`);
  if (f.fix) lines.push(`  fix: ${f.fix}`);
  return scrubSecrets(lines.join('\n'));
}

export function formatFindings(findings: readonly Finding[]): string {
  readDeclaredSecrets();
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  const body = findings.map(formatFinding).join('\n\n');
  return `${body}${body ? '\n\n' : ''}${errors} error(s), ${warnings} warning(s)`;
}

/** Order findings deterministically: errors first, then by rule, object and message. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const key = (f: Finding) =>
    [f.severity === 'error' ? '0' : '1', f.rule, f.object ? objectLabel(f.object) : '', f.path ?? '', f.message].join('\u0000');
  return [...findings].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * Report absolute `source` paths relative to the project root, with `/`
 * separators: a file outside it too (`../lib/team.ts:19`), as the findings
 * of the analysis name it, so one run never names one file two ways. A
 * file of the project that a message or fix names (the first construct of a
 * reused id, a credential file) is shown from the root too.
 */
export function relativizeSources(findings: readonly Finding[], root: string): Finding[] {
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  return findings.map((f) => {
    const source = f.source !== undefined && path.isAbsolute(f.source) ? relativeSource(f.source, root) : f.source;
    const message = fromRoot(f.message, prefix);
    const fix = f.fix === undefined ? undefined : fromRoot(f.fix, prefix);
    return source === f.source && message === f.message && fix === f.fix ? f : { ...f, source, message, fix };
  });
}

/**
 * `text` with each path under `prefix` (the project root and a separator)
 * written from the root with `/` separators. A path ends where a message
 * goes on: a space, a ':' before a line number, a quote, comma or bracket.
 */
function fromRoot(text: string, prefix: string): string {
  if (!text.includes(prefix)) return text;
  const [before, ...paths] = text.split(prefix);
  return before + paths.map((rest) => rest.replace(/^[^\s:()'",]+/, (p) => p.split(path.sep).join('/'))).join('');
}
