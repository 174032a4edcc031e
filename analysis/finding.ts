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
 * file that a message or fix names (the first construct of a reused id, a
 * credential file) is shown from the root too, also outside it
 * (`../secrets/admin`), unless it shares no folder with the root but the
 * file-system root (`/run/secrets/admin`), as shownPath() shows paths.
 */
export function relativizeSources(findings: readonly Finding[], root: string): Finding[] {
  return findings.map((f) => {
    const source = f.source !== undefined && path.isAbsolute(f.source) ? relativeSource(f.source, root) : f.source;
    const message = fromRoot(f.message, root);
    const fix = f.fix === undefined ? undefined : fromRoot(f.fix, root);
    return source === f.source && message === f.message && fix === f.fix ? f : { ...f, source, message, fix };
  });
}

/** Where a path ends in a message that goes on: a space, a ':' before a line number, a quote, comma or bracket. */
const PATH_REST = /^[^\s:()'",]+/;

/**
 * `text` with each absolute path under `root` written from the root with
 * `/` separators, and then each under a folder above it (deepest first) as
 * `../`... from the root. Above the root, only a path that starts a word
 * counts: `/tmp/` is also the end of `ghcr.io/tmp/x`. The file-system root
 * is no such folder: every absolute path and many URLs hold a `/`.
 */
function fromRoot(text: string, root: string): string {
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  let out = text;
  if (out.includes(prefix)) {
    const [before, ...paths] = out.split(prefix);
    out = before + paths.map((rest) => rest.replace(PATH_REST, (p) => p.split(path.sep).join('/'))).join('');
  }
  let up = '..';
  for (let dir = path.dirname(root); path.dirname(dir) !== dir; dir = path.dirname(dir), up += '/..') {
    const above = dir + path.sep;
    if (!out.includes(above)) continue;
    const escaped = above.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out.replace(new RegExp(`(^|[\\s('"\`=,])${escaped}([^\\s:()'",]+)`, 'g'), (_, start: string, rest: string) => `${start}${up}/${rest.split(path.sep).join('/')}`);
  }
  return out;
}
