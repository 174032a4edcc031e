/**
 * Synth's files on disk as the TypeScript side sees them: the typed face of
 * tree-writer.cjs, which writer threads also run and so stays plain
 * JavaScript, and readTree, which lists a tree the same way.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileTree } from './layout';

export interface StagingTree {
  readonly written: number;
  readonly kept: number;
  readonly foreign: string[];
  add(rel: string, content: string): void;
}

// The part that also runs on a worker thread, so plain JavaScript.
export const WORKER_FILE = path.join(__dirname, 'tree-writer.cjs');
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const core = require(WORKER_FILE) as {
  StagingTree: new (current: string, staging: string, guard?: boolean) => StagingTree;
  listFiles(dir: string, special?: Set<string>, prefix?: string, out?: string[], empty?: string[]): string[];
  isGeneratedFile(file: string): boolean;
  makeDir(dir: string): void;
  GENERATED_PREFIX: string;
};

/** Whether `file` is a regular file that synth wrote (its first line is synth's generated-by line). */
export const isGeneratedFile = core.isGeneratedFile;
/** How every file synth writes begins. */
export const GENERATED_PREFIX = core.GENERATED_PREFIX;
/** `mkdir -p`, which gives up where the kernel makes no folders (see tree-writer.cjs). */
export const makeDir = core.makeDir;

/**
 * Read every file under `dir` into a tree (for `check` and tests). Only
 * regular files are read: a link, a FIFO or a device is listed with empty
 * content (reading a FIFO would block), so it shows as drift.
 */
export function readTree(dir: string): FileTree {
  const tree: FileTree = new Map();
  const special = new Set<string>();
  for (const rel of core.listFiles(dir, special).sort()) tree.set(rel, special.has(rel) ? '' : fs.readFileSync(path.join(dir, rel), 'utf8'));
  return tree;
}
