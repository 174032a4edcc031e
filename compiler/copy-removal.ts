/**
 * Removing a copy beside the output (a retired tree after the swap, or what
 * a dead run left), even one a read-only folder would otherwise keep: shared
 * by the swap and by recovery.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { deletionName } from './output-paths';

/**
 * Remove a retired or staging copy. A read-only output folder (its owner's
 * 0555, kept by swapIn) cannot lose its entries: it is ours to remove, so it
 * is made writable first, or copies would pile up beside the output. So are
 * folders inside it a `chmod -R a-w` left read-only: the copy would otherwise
 * stay beside the output for good, old credentials and all.
 */
function removeTree(dir: string): void {
  writable(dir);
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM') throw e;
    // Only on this rare path: walk the copy and open every folder for removal.
    writableTree(dir);
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  }
}

/**
 * Remove a copy beside the output. A retired copy (`-old-`) is renamed to
 * its `-del-` name first: recover() puts an `old` copy back as the output
 * folder, so one that a killed removal left half-deleted must no longer bear
 * that name (a later run would restore it, and `check` would name it, as the
 * last output).
 */
export function discard(full: string, retired: boolean): void {
  let doomed = full;
  if (retired) {
    doomed = deletionName(full);
    fs.renameSync(full, doomed);
  }
  removeTree(doomed);
}

/** Give the owner write access to folder `dir` if it lacks it; never throws. */
function writable(dir: string): void {
  try {
    const st = fs.lstatSync(dir);
    if (st.isDirectory() && (st.mode & 0o200) === 0) fs.chmodSync(dir, (st.mode & 0o7777) | 0o700);
  } catch {
    // Gone already, or not ours: rmSync says which.
  }
}

/** `writable` for `dir` and every folder below it (links are not followed). */
function writableTree(dir: string): void {
  writable(dir);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) if (e.isDirectory()) writableTree(path.join(dir, e.name));
}
