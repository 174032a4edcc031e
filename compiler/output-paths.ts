/**
 * Where synth writes an output folder: the folder itself (through a link),
 * the names of the copies it keeps beside it, and its lock file. Pure naming,
 * kept apart so the lock and the error messages can tell synth's own paths
 * without loading the writers.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { realPath } from './project-root';

/**
 * What stagingFor() puts after `.<outdir>-`: which copy (`new` the staging
 * tree, `old` the retired output, `del` a copy being removed), the pid, a
 * time tag.
 */
// The time tag is `Date.now()` in base 36 (8 digits since 1973): a person's
// `.dist-old-2024-jan` is not one.
const STAGING_TAG = /^(old|new|del)-(\d+)-[0-9a-z]{8,}$/;

/** The tag of `name` if it is one that stagingFor() makes beside the folder named `base`. */
export function stagingTag(name: string, base: string): RegExpExecArray | null {
  const prefix = `.${base}-`;
  return name.startsWith(prefix) ? STAGING_TAG.exec(name.slice(prefix.length)) : null;
}

/** The lock file of the output folder `abs` (compiler/output-lock.ts): beside it, as its staging copies are. */
export function lockFileOf(abs: string): string {
  return path.join(path.dirname(abs), `.${path.basename(abs)}.lock`);
}

/**
 * Whether `p` is where synth writes `outdir`: the folder (or the folder a
 * link there names), a path inside it, one of its ancestors, a staging
 * copy beside it (or inside one), or its lock file.
 */
export function isOutputPath(p: string, outdir: string): boolean {
  const q = path.resolve(p);
  // `a` is `b` or inside it (`b` may be the root, which ends in a separator).
  const within = (a: string, b: string) => a === b || a.startsWith(b.endsWith(path.sep) ? b : b + path.sep);
  return [path.resolve(outdir), realPath(path.resolve(outdir))].some((abs) => {
    if (within(q, abs) || within(abs, q)) return true;
    const parent = path.dirname(abs);
    if (q === lockFileOf(abs)) return true;
    return within(q, parent) && stagingTag(path.relative(parent, q).split(path.sep)[0], path.basename(abs)) !== null;
  });
}

/**
 * The folder synth replaces for `outdir`: `outdir` itself, or the folder a
 * link there names (the link is kept). A link's target is read, not
 * resolved, so a link whose folder a dead run left renamed away still names
 * the folder to recover.
 */
export function targetFolder(outdir: string): string {
  const abs = path.resolve(outdir);
  const st = fs.lstatSync(abs, { throwIfNoEntry: false });
  if (!st?.isSymbolicLink()) return abs;
  // Relative to the folder the link really sits in: `..` in its target
  // climbs from there, not from the path as written (which may pass links).
  const target = path.resolve(fs.realpathSync(path.dirname(abs)), fs.readlinkSync(abs));
  return fs.existsSync(target) ? fs.realpathSync(target) : target;
}

/** The name a retired copy takes while it is removed. */
export function deletionName(full: string): string {
  return path.join(path.dirname(full), path.basename(full).replace(/-old-(?=\d+-[0-9a-z]{8,}$)/, '-del-'));
}
