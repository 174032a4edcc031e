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
  StagingTree: new (current: string, staging: string, guard?: boolean, probeModes?: (dir: string) => boolean) => StagingTree;
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
 * content (reading a FIFO would block), so it shows as drift. With
 * `executable`, the files with an x bit are added to it: each is read
 * through the stat its read makes anyway, where a stat of every file after
 * the read would cost a third more.
 */
export function readTree(dir: string, executable?: Set<string>): FileTree {
  const tree: FileTree = new Map();
  const special = new Set<string>();
  for (const rel of core.listFiles(dir, special).sort()) {
    const file = path.join(dir, rel);
    tree.set(rel, special.has(rel) ? '' : executable ? readNotingMode(file, rel, executable) : fs.readFileSync(file, 'utf8'));
  }
  return tree;
}

/** `readFileSync(file, 'utf8')`, adding `rel` to `executable` when the file has an x bit. */
function readNotingMode(file: string, rel: string, executable: Set<string>): string {
  const fd = fs.openSync(file, 'r');
  try {
    const st = fs.fstatSync(fd);
    if ((st.mode & 0o111) !== 0) executable.add(rel);
    const buf = Buffer.allocUnsafe(st.size);
    let read = 0;
    while (read < st.size) {
      const n = fs.readSync(fd, buf, read, st.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buf.toString('utf8', 0, read);
  } finally {
    fs.closeSync(fd);
  }
}
