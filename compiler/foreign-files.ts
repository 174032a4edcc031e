import * as fs from 'node:fs';
import * as path from 'node:path';
import { PolicyError } from '../constructs/errors';
import { GENERATED_PREFIX, isGeneratedFile } from './write';

export { GENERATED_PREFIX, isGeneratedFile };

const SHOWN = 5;

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
    const foreign = [...new Set(files)].filter((rel) => !isGeneratedFile(path.join(outdir, ...rel.split('/')))).sort();
    if (foreign.length === 0) return;
    const shown = foreign.slice(0, SHOWN).join(', ') + (foreign.length > SHOWN ? ` and ${foreign.length - SHOWN} more` : '');
    throw new PolicyError([
      {
        rule: 'output/foreign-files',
        severity: 'error',
        message: `refusing to replace the output folder: synth replaces all of it, and it holds ${foreign.length} file(s) that waypoint-policy did not generate (${shown})`,
        fix: 'Give synth a folder of its own (--outdir, dist/ by default), or move those files out of it first.',
      },
    ]);
  };
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
