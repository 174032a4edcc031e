/**
 * The atomic, quiet-rewriting write of the output tree: where a write
 * starts, and every name callers import about it (the pieces live in the
 * modules re-exported below).
 */
import { BACKGROUND_WORKERS, BackgroundWriter } from './background-writer';
import { InlineWriter } from './inline-writer';
import type { FileTree } from './layout';
import { stagingFor } from './staging';
import type { TreeWriter, TreeWriterOptions, WriteResult } from './tree-writer-types';

export { interruptedCopy, isAlive, recoverOutput } from './dead-runs';
export { isOutputPath, lockFileOf, targetFolder } from './output-paths';
export { GENERATED_PREFIX, isGeneratedFile, makeDir, readTree } from './tree-files';
export type { TreeWriter, TreeWriterOptions, WriteResult } from './tree-writer-types';
export { WRITER_NOT_STARTED } from './writer-lane';

/**
 * Start replacing `outdir`: the new tree is built beside it (`.dist-new-*`)
 * and swapped in with two renames at `commit()`, so a reader sees the old
 * tree or the new one, never a mix. Unchanged files are hard-linked from the
 * old tree, so their mtime stays.
 */
export function openTreeWriter(outdir: string, options: TreeWriterOptions = {}): TreeWriter {
  const s = stagingFor(outdir);
  return options.background ? new BackgroundWriter(s, options, BACKGROUND_WORKERS) : new InlineWriter(s, options);
}

/**
 * Replace `outdir` with exactly `files`, atomically as far as a reader can
 * tell (see `openTreeWriter`).
 */
export function writeTreeAtomically(outdir: string, files: FileTree, options: Omit<TreeWriterOptions, 'expected'> = {}): WriteResult {
  const writer = openTreeWriter(outdir, { ...options, expected: files.size });
  try {
    for (const [rel, content] of files) writer.add(rel, content);
  } catch (e) {
    writer.abort();
    throw e;
  }
  return writer.commit();
}
