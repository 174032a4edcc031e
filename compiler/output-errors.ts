import { PolicyError } from '../constructs/errors';

// What each file-system failure means for the person who chose the output
// folder: these are mistakes in the command or the machine, not bugs.
const CAUSES: Readonly<Record<string, string>> = {
  ENOTDIR: 'a part of its path is a file, not a folder',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  ENAMETOOLONG: 'its path is too long',
  ELOOP: 'its path loops through symbolic links',
  EISDIR: 'a folder stands where a file goes',
  EMFILE: 'too many files are open',
};

/**
 * A file-system error while preparing or swapping in the output folder, as
 * an `output/unwritable` PolicyError (exit 1, the folder left as it was);
 * anything else unchanged.
 */
export function asOutputError(e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || !(code in CAUSES)) return e;
  return new PolicyError([
    {
      rule: 'output/unwritable',
      severity: 'error',
      message: `cannot write the output folder: ${CAUSES[code]} (${code})`,
      fix: 'Point --outdir at a folder this user can create and write, on a writable disk with free space.',
    },
  ]);
}
