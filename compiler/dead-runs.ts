/**
 * What killed runs leave beside the output folder: finding their copies by
 * name and pid, putting back an output a run died before restoring, and
 * removing the rest. Runs before anything reads the output, and `check`
 * reads it too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { discard } from './copy-removal';
import { stagingTag, targetFolder } from './output-paths';

/**
 * Whether process `pid` runs on this machine. This process counts as gone:
 * what names it was left by an earlier process that had the same pid (a
 * container restarted with the same folder mounted), not by this one.
 */
export function isAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The copies dead runs left beside `outdir` (oldest name first): only the
 * exact names stagingFor() makes, of processes that are gone. A synth of the
 * same folder running now must keep its staging tree, and a person's
 * `.dist-old-notes` is not ours.
 */
function deadRunCopies(outdir: string): { retired: boolean; full: string }[] {
  const parent = path.dirname(outdir);
  if (!fs.existsSync(parent)) return [];
  const out: { retired: boolean; full: string }[] = [];
  for (const name of fs.readdirSync(parent).sort()) {
    const m = stagingTag(name, path.basename(outdir));
    if (m && !isAlive(Number(m[2]))) out.push({ retired: m[1] === 'old', full: path.join(parent, name) });
  }
  return out;
}

/**
 * A previous run that died between its two renames leaves `dist` missing and
 * its old copy beside it: put the old copy back before doing anything, and
 * remove whatever else dead runs left.
 */
export function recover(outdir: string): void {
  for (const { retired, full } of deadRunCopies(outdir)) {
    try {
      if (retired && !fs.existsSync(outdir)) fs.renameSync(full, outdir);
      else discard(full, retired);
    } catch {
      // Left for a later run: it must not stop this one.
    }
  }
}

/**
 * Where a synth that died between its two renames left the output folder
 * (its retired copy), when the folder itself is missing; read only, for
 * `check`. The next synth puts that same copy back (recover).
 */
export function interruptedCopy(outdir: string): string | undefined {
  try {
    const abs = targetFolder(outdir);
    return fs.existsSync(abs) ? undefined : deadRunCopies(abs).find((c) => c.retired)?.full;
  } catch {
    return undefined;
  }
}

/**
 * Put back the output a run that died between its two renames left beside
 * `outdir`, and remove the staging copies of dead runs. Runs before anything
 * reads the output folder (the emptying guard, the foreign-file check), so
 * those see the folder as it was; never throws.
 */
export function recoverOutput(outdir: string): void {
  try {
    recover(targetFolder(outdir));
  } catch {
    // What cannot be recovered now is reported by the write itself.
  }
}
