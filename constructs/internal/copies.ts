import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Which copy of the library (its package folder) made a construct. Two
 * copies in one program (a team's construct package with its own nested
 * waypoint-policy) keep their registries (ownership, deferred objects,
 * sources, plugin definitions) apart, so one copy would misread the other's
 * constructs. The brand is global (`Symbol.for`) so that each copy can see
 * the other's.
 */
const COPY = Symbol.for('waypoint-policy.copy');

/** This copy's package folder. */
export const LIBRARY_COPY = path.resolve(__dirname, '..', '..');

/** Mark `x` as made by this copy. */
export function brand(x: object): void {
  (x as Record<symbol, string>)[COPY] = LIBRARY_COPY;
}

/** The other copy of the library that made `x`, if another one did. */
export function otherCopyOf(x: unknown): string | undefined {
  const copy = typeof x === 'object' && x !== null ? (x as Record<symbol, string | undefined>)[COPY] : undefined;
  return copy !== undefined && copy !== LIBRARY_COPY ? copy : undefined;
}

/** A package folder as `npm ls` places it, from the first node_modules on (no machine path); undefined outside any. */
export function npmPlacement(dir: string): string | undefined {
  const posix = dir.split(path.sep).join('/');
  const at = posix.indexOf('/node_modules/');
  return at >= 0 ? posix.slice(at + 1) : undefined;
}

/** A copy of the library as `npm ls` would place it. */
function describeCopy(dir: string): string {
  return npmPlacement(dir) ?? 'a checkout of waypoint-policy, not an installed package';
}

function realPathOf(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return dir;
  }
}

/**
 * Two copies as `describeCopy` names them; when that names both alike (a
 * workspace package's own node_modules and the project's), from the folder
 * they share instead, so the message tells them apart.
 */
function describeBoth(other: string, reader: string): [string, string] {
  const named: [string, string] = [describeCopy(other), describeCopy(reader)];
  if (named[0] !== named[1]) return named;
  const a = other.split(path.sep);
  const b = reader.split(path.sep);
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  return [a.slice(common).join('/'), b.slice(common).join('/')];
}

/** The message and fix of `library/two-copies` for something `other` made (`reader`: the copy reading it, this one). */
export function twoCopies(other: string, reader: string = LIBRARY_COPY): { message: string; fix: string } {
  if (realPathOf(other) === realPathOf(reader)) {
    // Node keeps symlinked paths apart only with --preserve-symlinks: one copy on disk, two in memory.
    return {
      message: `made by the same copy of waypoint-policy loaded a second time through a symbolic link (${describeCopy(other)}): each load keeps its own record of what it owns and emits, so its objects would be misread (another team's Service taken as ours) or left out`,
      fix: 'Run without --preserve-symlinks (NODE_PRESERVE_SYMLINKS), or import the library through one path.',
    };
  }
  const [theirs, ours] = describeBoth(other, reader);
  const linked = linkedPackageOf(realPathOf(other), realPathOf(reader));
  return {
    message: `made by another copy of waypoint-policy (${theirs}) than the one reading it (${ours}): each copy keeps its own record of what it owns and emits, so its objects would be misread (another team's Service taken as ours) or left out`,
    fix:
      linked === undefined
        ? 'Install one copy: make waypoint-policy a peerDependency of the package that brought the second one, then run npm dedupe (npm ls waypoint-policy lists both).'
        : `The package at ${linked} is linked from outside this project (npm link, or npm install of its folder), so Node loads the copy in its own node_modules (installed there for its own development), which npm dedupe never touches: install it packed instead (npm pack there, then npm install the .tgz), or make both folders one npm workspace so that one copy is hoisted.`,
  };
}

/** The folder before the first node_modules of a copy's real path: the project that installed it. */
function installedBy(dir: string): string | undefined {
  const at = dir.indexOf(`${path.sep}node_modules${path.sep}`);
  return at >= 0 ? dir.slice(0, at) : undefined;
}

/**
 * When `other` sits in the node_modules of a package outside the project
 * that installed `reader` (a linked package's own dependencies), that
 * package's folder relative to the project; else undefined.
 */
function linkedPackageOf(other: string, reader: string): string | undefined {
  const project = installedBy(reader);
  const owner = installedBy(other);
  if (project === undefined || owner === undefined) return undefined;
  const relative = path.relative(project, owner);
  if (relative !== '..' && !relative.startsWith(`..${path.sep}`)) return undefined;
  return relative.split(path.sep).join('/');
}
