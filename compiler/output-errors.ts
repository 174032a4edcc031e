import * as path from 'node:path';
import { PolicyError } from '../constructs/errors';
import { shownPath } from './shown-path';
import { isOutputPath, lockFileOf, targetFolder } from './output-paths';
import { WRITER_NOT_STARTED } from './writer-lane';

/** What went wrong, and (when the general advice does not fit) what to do about it. */
interface Cause {
  readonly what: string;
  readonly fix?: string;
}

const FIX = 'Point --outdir at a folder this user can create and write, on a writable disk with free space.';

const ONE_AT_A_TIME: Cause = {
  what: 'a file or folder appeared at a path synth was creating (another synth writing the same folder at the same time?)',
  fix: 'Run one synth at a time for this folder, then run it again.',
};

// What each file-system failure means for the person who chose the output
// folder: these are mistakes in the command or the machine, not bugs. The
// CLI names the folder itself, so no message carries a path of this machine.
const CAUSES: Readonly<Record<string, Cause>> = {
  ENOTDIR: { what: 'a part of its path is a file, not a folder' },
  EACCES: { what: 'permission denied' },
  EPERM: { what: 'the operation is not permitted' },
  EROFS: { what: 'the file system is read-only' },
  ENOSPC: { what: 'the disk is full' },
  EDQUOT: { what: 'the disk quota is used up' },
  ENAMETOOLONG: { what: 'its path is too long' },
  ELOOP: { what: 'its path loops through symbolic links' },
  EISDIR: { what: 'a folder stands where a file goes' },
  EMFILE: { what: 'too many files are open' },
  [WRITER_NOT_STARTED]: {
    what: 'a writer thread could not start: the process is most likely out of file descriptors (or threads)',
    fix: 'Raise the open-file limit of the shell or CI job that runs synth (ulimit -n: the usual 1024 is plenty, a few dozen is not), or its thread limit (ulimit -u), then run synth again.',
  },
  // Synth swaps the new tree in by renaming the folder, which a mount point refuses.
  EBUSY: {
    what: 'it is busy: a mount point, or held by another program, so synth cannot swap the new tree in',
    fix: 'Point --outdir at a folder inside the mount, not the mount point itself (synth replaces the whole folder), or close the program that holds it.',
  },
  ENOENT: {
    what: 'a folder on its path does not exist, or cannot be created there: a symbolic link that points to nothing, a folder removed while synth ran, or a file system that makes no folders (proc, sysfs)',
    fix: 'Create the folder the symbolic link points to (or remove the link), or point --outdir at a folder that exists or can be created, then run synth again.',
  },
  EEXIST: ONE_AT_A_TIME,
  ENOTEMPTY: ONE_AT_A_TIME,
  // The new tree is built beside the folder (hard-linking unchanged files from
  // it) and renamed into place, which works only within one file system.
  EXDEV: {
    what: 'it is on another file system than the folder it sits in (a mount point?), and synth builds the new tree beside it',
    fix: 'Point --outdir at a folder inside the mount, not the mount point itself (synth replaces the whole folder).',
  },
  EIO: {
    what: 'the disk or network file system reported an input/output error',
    fix: 'Check the disk or network mount the folder is on, then run synth again, or point --outdir at a folder on another disk.',
  },
  ETXTBSY: {
    what: 'a file in it is a program that is running',
    fix: 'Stop the program that runs from that folder, or point --outdir at another folder.',
  },
};

/** What a file-system error code means, in words (the code itself when it is not one of the known ones). */
export function fsCause(code: string): string {
  return Object.hasOwn(CAUSES, code) ? CAUSES[code].what : code;
}

/** `ENOSPC: the disk is full`, or the code alone when it has no known meaning: "ENOSPC" alone tells most readers nothing. */
export function codeAndCause(code: string): string {
  return Object.hasOwn(CAUSES, code) ? `${code}: ${CAUSES[code].what}` : code;
}

// Codes our own code could raise by mistake (a path it got wrong): these
// are the folder's fault only when the failing path is the output folder's.
const AMBIGUOUS = new Set(['ENOENT', 'EEXIST', 'ENOTEMPTY', 'ENOTDIR', 'EISDIR']);

/**
 * A file-system error while preparing or swapping in the output folder
 * `outdir`, as an `output/unwritable` PolicyError (exit 1, the folder left as
 * it was); anything else unchanged. An error that names another path, or an
 * ambiguous code naming none, stays an internal error: advice about the
 * folder would mislead when the fault is ours.
 */
export function asOutputError(e: unknown, outdir: string, cwd: string = process.cwd()): unknown {
  const err = e as (NodeJS.ErrnoException & { dest?: unknown }) | undefined;
  const code = err?.code;
  if (typeof code !== 'string' || !Object.hasOwn(CAUSES, code)) return e;
  const paths = [err?.path, err?.dest].filter((p): p is string => typeof p === 'string');
  if (paths.length > 0 ? !paths.some((p) => isOutputPath(p, outdir)) : AMBIGUOUS.has(code)) return e;
  const cause = deniedBeside(code, paths, outdir, cwd) ?? CAUSES[code];
  return new PolicyError([
    {
      rule: 'output/unwritable',
      severity: 'error',
      message: `cannot write the output folder: ${cause.what}${code === WRITER_NOT_STARTED ? '' : ` (${code})`}`,
      fix: cause.fix ?? FIX,
    },
  ]);
}

/**
 * Permission denied in the folder that holds the output folder, not in the
 * output folder itself: its lock file, the new tree and the old one's
 * renamed copy go there. "Permission denied" alone sends the reader to a
 * folder they can write; this names the one they cannot.
 */
function deniedBeside(code: string, paths: readonly string[], outdir: string, cwd: string): Cause | undefined {
  if (code !== 'EACCES' && code !== 'EPERM') return undefined;
  let abs: string;
  try {
    abs = targetFolder(path.resolve(cwd, outdir));
  } catch {
    return undefined;
  }
  const parent = path.dirname(abs);
  if (!paths.some((p) => path.dirname(path.resolve(p)) === parent)) return undefined;
  const shown = shownPath(parent, cwd);
  const where = shown === '.' ? 'the working directory (.)' : shown;
  return {
    what: `${code === 'EACCES' ? 'permission denied' : 'the operation is not permitted'} in ${where}, the folder that holds it`,
    fix: `Synth writes beside the output folder too (its lock file ${shownPath(lockFileOf(abs), cwd)}, then the new tree, swapped in by renaming), so this user must be able to write ${shown}: make it writable, or point --outdir at a folder inside a writable one.`,
  };
}
