import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileTree } from './layout';
import { phaseProgress } from './progress';

export interface WriteResult {
  readonly written: number;
  readonly unchanged: number;
  readonly removed: number;
}

function listFiles(dir: string, prefix = ''): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(path.join(dir, entry.name), rel));
    else out.push(rel);
  }
  return out;
}

/** Read every file under `dir` into a tree (for `check` and tests). */
export function readTree(dir: string): FileTree {
  const tree: FileTree = new Map();
  for (const rel of listFiles(dir).sort()) tree.set(rel, fs.readFileSync(path.join(dir, rel), 'utf8'));
  return tree;
}

/**
 * A previous run that died between its two renames leaves `dist` missing and
 * its old copy beside it: put the old copy back before doing anything.
 */
function recover(outdir: string): void {
  const parent = path.dirname(outdir);
  const base = path.basename(outdir);
  if (!fs.existsSync(parent)) return;
  for (const name of fs.readdirSync(parent)) {
    const full = path.join(parent, name);
    if (name.startsWith(`.${base}-old-`)) {
      if (!fs.existsSync(outdir)) fs.renameSync(full, outdir);
      else fs.rmSync(full, { recursive: true, force: true });
    } else if (name.startsWith(`.${base}-new-`)) {
      fs.rmSync(full, { recursive: true, force: true });
    }
  }
}

/**
 * Replace `outdir` with exactly `files`, atomically as far as a reader can
 * tell: the new tree is built beside it and swapped in with two renames.
 * Unchanged files are hard-linked from the old tree, so their mtime stays and
 * editors, watchers and git stay quiet.
 */
export function writeTreeAtomically(outdir: string, files: FileTree): WriteResult {
  const abs = path.resolve(outdir);
  recover(abs);
  const parent = path.dirname(abs);
  fs.mkdirSync(parent, { recursive: true });
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const staging = path.join(parent, `.${path.basename(abs)}-new-${tag}`);
  const retired = path.join(parent, `.${path.basename(abs)}-old-${tag}`);
  let written = 0;
  let unchanged = 0;
  const oldFiles = new Set(listFiles(abs));
  const progress = phaseProgress('write', files.size);
  try {
    const made = new Set<string>();
    for (const [rel, content] of files) {
      const target = path.join(staging, ...rel.split('/'));
      const dir = path.dirname(target);
      if (!made.has(dir)) {
        fs.mkdirSync(dir, { recursive: true });
        made.add(dir);
      }
      const previous = oldFiles.has(rel) ? path.join(abs, ...rel.split('/')) : undefined;
      if (previous !== undefined && sameContent(previous, content)) {
        fs.linkSync(previous, target);
        unchanged++;
      } else {
        fs.writeFileSync(target, content);
        written++;
      }
      progress.item();
    }
    if (files.size === 0) fs.mkdirSync(staging, { recursive: true });
    if (fs.existsSync(abs)) fs.renameSync(abs, retired);
    fs.renameSync(staging, abs);
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    if (!fs.existsSync(abs) && fs.existsSync(retired)) fs.renameSync(retired, abs);
    throw e;
  }
  fs.rmSync(retired, { recursive: true, force: true });
  progress.end();
  const removed = [...oldFiles].filter((f) => !files.has(f)).length;
  return { written, unchanged, removed };
}

function sameContent(file: string, content: string): boolean {
  try {
    const st = fs.statSync(file);
    if (st.size !== Buffer.byteLength(content)) return false;
    return fs.readFileSync(file, 'utf8') === content;
  } catch {
    return false;
  }
}
