import { code, markdownTitle, md } from './report';

/** A finding as the JSON output gives it (toJsonFindings): every text field already scrubbed of credentials. */
type ShownFinding = Readonly<Record<string, unknown>>;

// A PR comment is read, not searched: past this many, the CI log has the rest.
const MAX_SHOWN = 50;

/**
 * The PR comment for a change whose policies do not compile: which errors,
 * where, and how to fix them. A CI step that posts the review would
 * otherwise post nothing (or an empty comment), and the author would have to
 * dig the reason out of the job's log. Errors first; warnings are left to
 * the log, since nothing was compared.
 */
export function notCompiledMarkdown(base: string, head: string, findings: readonly ShownFinding[]): string {
  const errors = findings.filter((f) => f.severity === 'error');
  const lines = [
    markdownTitle(base, head),
    '',
    `:x: **The policies do not compile** (${errors.length} error(s)), so nothing was compared. Synth and check stop on the same errors.`,
    '',
  ];
  for (const f of errors.slice(0, MAX_SHOWN)) {
    const where = [typeof f.path === 'string' ? ` at ${code(f.path)}` : '', typeof f.source === 'string' ? ` (${code(f.source)})` : ''].join('');
    lines.push(`- ${code(String(f.rule))}${where}: ${md(String(f.message))}${typeof f.fix === 'string' ? `<br>Fix: ${md(f.fix)}` : ''}`);
  }
  if (errors.length > MAX_SHOWN) lines.push(`- … ${errors.length - MAX_SHOWN} more error(s) left out: the job's log has them all.`);
  return `${lines.join('\n')}\n`;
}
