import * as fs from 'node:fs';
import * as path from 'node:path';
import { PolicyError } from '../constructs/errors';
import { realPath } from './project-root';
import { isGeneratedFile } from './tree-files';

/** The files among `files` (relative to `outdir`) that synth did not write, sorted, each once. */
export function foreignFiles(outdir: string, files: readonly string[]): string[] {
  return [...new Set(files)].filter((rel) => !isGeneratedFile(path.join(outdir, ...rel.split('/')))).sort();
}

/** A few of `files` for a message: `a, b, c, d, e and 7 more`. */
export function someOf(files: readonly string[], shown = 5): string {
  return files.slice(0, shown).join(', ') + (files.length > shown ? ` and ${files.length - shown} more` : '');
}

/**
 * For `openTreeWriter`'s `checkReplaced`: synth replaces the whole output
 * folder, so a folder that holds anything synth did not write (a checkout's
 * `.git`, a README, another app's manifests, the project itself after
 * `--outdir .`) is refused instead of emptied, and so is a hand-written file
 * at a path synth generates. Only the files the new tree drops or changes
 * are read, and only their first line.
 */
export function refuseForeignFiles(outdir: string): (files: string[]) => void {
  return (files) => {
    const foreign = foreignFiles(outdir, files);
    if (foreign.length === 0) return;
    throw new PolicyError([
      {
        rule: 'output/foreign-files',
        severity: 'error',
        message: `refusing to replace the output folder: synth replaces all of it, and it holds ${foreign.length} file(s) that waypoint-policy did not generate (${someOf(foreign)})`,
        fix: 'Give synth a folder of its own (--outdir, dist/ by default), or move those files out of it first.',
      },
    ]);
  };
}

/**
 * Refuse an output folder that holds the project itself (`--outdir .`, `..`,
 * `/`, a home folder), before anything reads it: the foreign-file check
 * would refuse it too, but only after listing every file below it, which for
 * `/` or a home folder means the whole disk.
 */
export function refuseEnclosingOutput(outdir: string, root: string): void {
  const out = realPath(outdir);
  const rel = path.relative(out, realPath(root));
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return;
  throw new PolicyError([
    {
      rule: 'output/foreign-files',
      severity: 'error',
      message: `refusing to replace the output folder: synth replaces all of it, and it holds the policy project itself (${rel === '' ? 'it is the project folder' : `the project is at ${rel}`})`,
      fix: 'Give synth a folder of its own inside the project (--outdir dist, the default).',
    },
  ]);
}

/** Refuse an output path that exists but is not a folder or a link to one: synth would have to replace it whole. */
export function refuseNonFolder(outdir: string): void {
  // Missing is fine (synth creates it); a link to nothing is not a folder.
  if (!fs.lstatSync(outdir, { throwIfNoEntry: false })) return;
  let isFolder = false;
  try {
    isFolder = fs.statSync(outdir).isDirectory();
  } catch {
    // A dangling link.
  }
  if (isFolder) return;
  throw new PolicyError([
    {
      rule: 'output/foreign-files',
      severity: 'error',
      message: 'refusing to replace the output folder: there is a file (or a link to nothing) at its path, which waypoint-policy did not generate',
      fix: 'Give synth a folder of its own (--outdir, dist/ by default), or move that file away first.',
    },
  ]);
}
