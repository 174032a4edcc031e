import * as path from 'node:path';
import type { IConstruct } from 'constructs';

/**
 * Where each construct was created: the first stack frame outside this
 * library, so a finding can point at the policy line a person wrote.
 */
const sources = new WeakMap<IConstruct, string>();

const LIBRARY_ROOT = path.resolve(__dirname, '..', '..');
const LIBRARY_DIRS = ['constructs', 'compiler', 'analysis', 'simulator', 'cli'].map(
  (d) => path.join(LIBRARY_ROOT, d) + path.sep,
);

function isLibraryFrame(file: string): boolean {
  return (
    file.startsWith('node:') ||
    file.includes(`${path.sep}node_modules${path.sep}`) ||
    LIBRARY_DIRS.some((d) => file.startsWith(d))
  );
}

function callerLocation(): string | undefined {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 30;
  Error.captureStackTrace(holder, callerLocation);
  Error.stackTraceLimit = limit;
  for (const line of (holder.stack ?? '').split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?[^()\s]+?):(\d+):\d+\)?$/.exec(line.trim());
    if (!m) continue;
    const file = m[1].startsWith('file://') ? new URL(m[1]).pathname : m[1];
    if (!path.isAbsolute(file) || isLibraryFrame(file)) continue;
    return `${file}:${m[2]}`;
  }
  return undefined;
}

export function recordSource(c: IConstruct): void {
  const at = callerLocation();
  if (at) sources.set(c, at);
}

/** `file:line` (absolute) where the construct or its nearest recorded ancestor was created. */
export function sourceOf(c: IConstruct): string | undefined {
  for (let cur: IConstruct | undefined = c; cur; cur = cur.node.scope) {
    const s = sources.get(cur);
    if (s) return s;
  }
  return undefined;
}

/** A source location relative to `root`, with `/` separators, for stable output. */
export function relativeSource(source: string | undefined, root: string): string | undefined {
  if (!source) return undefined;
  const rel = path.relative(root, source);
  return rel.split(path.sep).join('/');
}
