import * as path from 'node:path';

/**
 * A path as messages show it: relative from `from` (the working directory for
 * a command's own messages; findings use the project root), with `/`
 * separators, `.` for `from` itself, so it can be pasted where the command
 * ran. A path that shares no folder with `from` but the file-system root
 * (`/run/secrets/admin`, `/dev/null`) stays absolute: `../../../run/...`
 * changes with the depth of `from`, and reads worse, for nothing.
 */
export function shownPath(p: string, from: string): string {
  const abs = path.resolve(from, p);
  const base = path.resolve(from);
  const rel = path.relative(base, abs);
  if (rel === '') return '.';
  // Another drive (Windows): no relative path reaches it.
  if (path.isAbsolute(rel)) return abs;
  const top = (q: string) => path.relative(path.parse(q).root, q).split(path.sep)[0];
  if (rel.split(path.sep)[0] === '..' && top(abs) !== top(base)) return abs.split(path.sep).join('/');
  return rel.split(path.sep).join('/');
}
