/**
 * The staging tree beside the output: where it goes, what the live tree
 * holds at commit, and the swap in with two renames (or its undo). Both
 * writers fill a staging tree and finish through here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { discard } from './copy-removal';
import { recover } from './dead-runs';
import { deletionName, targetFolder } from './output-paths';
import { core } from './tree-files';
import type { WriteResult } from './tree-writer-types';

export interface Staging {
  readonly abs: string;
  readonly staging: string;
  readonly retired: string;
}

export function stagingFor(outdir: string): Staging {
  const abs = targetFolder(outdir);
  const st = fs.statSync(abs, { throwIfNoEntry: false });
  if (st && !st.isDirectory()) {
    throw Object.assign(new Error(`${abs} is not a folder: synth writes a folder of files there, and leaves what is there as it was`), { code: 'ENOTDIR', path: abs });
  }
  recover(abs);
  core.makeDir(path.dirname(abs));
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const parent = path.dirname(abs);
  return {
    abs,
    staging: path.join(parent, `.${path.basename(abs)}-new-${tag}`),
    retired: path.join(parent, `.${path.basename(abs)}-old-${tag}`),
  };
}

/** What the live tree holds at commit, beside the new one. */
export interface LiveTree {
  /** How many of its files the new tree drops. */
  readonly removed: number;
  /** Its folders with no file below them: the staging tree has none. */
  readonly emptyFolders: number;
}

/**
 * At commit: list the live tree (now, not when writing began, so a file
 * saved meanwhile is seen), hand what the swap would destroy to the check,
 * and say how many files the new tree drops and how many empty folders the
 * live one holds.
 */
export function checkLiveTree(s: Staging, check: ((files: string[]) => void) | undefined, added: ReadonlySet<string>, overwritten: readonly string[]): LiveTree {
  const empty: string[] = [];
  const removed = core.listFiles(s.abs, undefined, '', [], empty).filter((rel) => !added.has(rel));
  if (check) {
    try {
      check([...removed, ...overwritten]);
    } catch (e) {
      dropStaging(s);
      throw e;
    }
  }
  return { removed: removed.length, emptyFolders: empty.length };
}

/**
 * Swap the filled staging tree in, unless the live tree already is it: a
 * synth that changes nothing (a pre-commit hook, a watcher's rerun) then
 * leaves every folder in place too. A swap gives each folder a new inode,
 * and a watcher on one (fs.watch, an editor's) would hear every entry
 * renamed, then stay on the removed old copy and miss later changes.
 *
 * Nothing written and nothing removed says both trees hold the same files
 * (each kept file was linked from the live one), so the same folders that
 * hold files. The staging tree has no other folders (the writer makes a
 * folder only for a file in it), so the trees differ only if the live one
 * holds an empty folder, which the listing at commit counted: no second walk
 * of either tree.
 */
export function commitStaging(s: Staging, written: number, live: LiveTree): WriteResult['leftBehind'] {
  if (written === 0 && live.removed === 0 && live.emptyFolders === 0 && fs.statSync(s.abs, { throwIfNoEntry: false })?.isDirectory()) {
    dropStaging(s);
    return undefined;
  }
  return swapIn(s);
}

/** Swap the filled staging tree in with two renames; undo on failure. Returns the old tree if it could not be removed. */
function swapIn(s: Staging): WriteResult['leftBehind'] {
  try {
    if (!fs.existsSync(s.staging)) core.makeDir(s.staging);
    // The new folder replaces the old one: keep the mode its owner gave it
    // (a group-writable or setgid dist/), not the umask's.
    const old = fs.statSync(s.abs, { throwIfNoEntry: false });
    if (old) fs.chmodSync(s.staging, old.mode & 0o7777);
    if (old) fs.renameSync(s.abs, s.retired);
    fs.renameSync(s.staging, s.abs);
  } catch (e) {
    dropStaging(s);
    throw e;
  }
  try {
    if (fs.existsSync(s.retired)) discard(s.retired, true);
  } catch (e) {
    // The new tree is in place; a later run's recover() tries again. Said, as it may hold old manifests.
    const left = [deletionName(s.retired), s.retired].find((p) => fs.existsSync(p));
    if (left !== undefined) return { path: left, code: (e as NodeJS.ErrnoException).code };
  }
  return undefined;
}

/** Remove the staging tree and put the old one back if it was moved. Runs on a failure path: never throws over the error being reported. */
export function dropStaging(s: Staging): void {
  try {
    fs.rmSync(s.staging, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // Left for recover() at the next run; the error that brought us here is what matters.
  }
  if (!fs.existsSync(s.abs) && fs.existsSync(s.retired)) fs.renameSync(s.retired, s.abs);
}
