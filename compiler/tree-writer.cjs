'use strict';
/**
 * Writes the files of a new tree into its staging folder. Plain JavaScript
 * (not TypeScript) because it also runs as a worker thread, which starts
 * without the tsx loader the rest of the compiler is loaded with.
 *
 * In a worker, it takes batches of [relative path, content] from a port and
 * reports through shared memory, so the main thread can render the next files
 * while the kernel creates these ones (file creation costs as much CPU as the
 * whole render on ext4 here; docs/performance.md), and can wait for it
 * synchronously (synth is a synchronous API).
 */
const fs = require('node:fs');
const path = require('node:path');
const { isMainThread, parentPort, workerData } = require('node:worker_threads');

/** Every file under `dir`, as `/`-separated relative paths. */
function listFiles(dir, prefix = '', out = []) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    if (e.code === 'ENOENT') return out;
    throw e;
  }
  for (const entry of entries) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) listFiles(path.join(dir, entry.name), rel, out);
    else out.push(rel);
  }
  return out;
}

/** How `file` in the live tree compares with new content: 'missing' (no file there), 'same' or 'different'. */
function compare(file, content) {
  let st;
  try {
    st = fs.statSync(file);
  } catch {
    return 'missing';
  }
  if (st.isDirectory()) return 'missing';
  // Only a regular file can be linked as it is (reading a FIFO would block).
  if (!st.isFile() || st.size !== Buffer.byteLength(content)) return 'different';
  try {
    return fs.readFileSync(file, 'utf8') === content ? 'same' : 'different';
  } catch {
    return 'different';
  }
}

/**
 * Fills `staging` with new files; a file whose content equals the one at the
 * same path in `current` (the live tree) is hard-linked from it instead, so
 * its mtime stays and editors, watchers and git stay quiet.
 *
 * Each file's old version is looked up with the stat the comparison needs
 * anyway (none at all when there is no live tree), so several trees filling
 * one staging folder do not each list the whole live tree: only the one that
 * counts `previous` does.
 */
class StagingTree {
  constructor(current, staging, countPrevious = true) {
    this.current = current;
    this.staging = staging;
    this.hasCurrent = fs.existsSync(current);
    /** The live tree's files, when counted. */
    this.previousFiles = countPrevious && this.hasCurrent ? listFiles(current) : [];
    this.previous = this.previousFiles.length;
    this.made = new Set();
    this.kept = 0;
    this.written = 0;
    /** Files of the live tree this tree wrote again or kept. */
    this.replaced = 0;
  }

  /** Files of the live tree that the new one no longer has (for a tree that counted `previous` and saw every file). */
  get removed() {
    return this.previous - this.replaced;
  }

  add(rel, content) {
    const target = path.join(this.staging, ...rel.split('/'));
    const dir = path.dirname(target);
    if (!this.made.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      this.made.add(dir);
    }
    const previous = this.hasCurrent ? path.join(this.current, ...rel.split('/')) : undefined;
    const old = previous === undefined ? 'missing' : compare(previous, content);
    if (old !== 'missing') this.replaced++;
    if (old === 'same') {
      fs.linkSync(previous, target);
      this.kept++;
    } else {
      fs.writeFileSync(target, content);
      this.written++;
    }
  }
}

module.exports = { StagingTree, listFiles };

// Shared-memory slots: STATE is 0 while running, 1 when done (the result or
// the error is then on the port); DONE counts files (for progress), DONE_KB
// kilobytes of text (for the caller's bound on what is in flight). ABORT is
// the caller's: once 1, files are only counted, no longer written.
const STATE = 0;
const DONE = 1;
const DONE_KB = 2;
const ABORT = 3;

if (!isMainThread && workerData && workerData.treeWriter) {
  const { current, staging, signal, countPrevious, listPrevious } = workerData;
  const port = workerData.port;
  let tree;
  let failure;
  port.on('message', (msg) => {
    if (msg.files) {
      for (const [rel, content] of msg.files) {
        // After a failure the rest is only counted: the caller bounds what is
        // in flight by what was counted, and waits for the end to hear why.
        if (failure === undefined && Atomics.load(signal, ABORT) === 0) {
          try {
            tree ??= new StagingTree(current, staging, countPrevious);
            tree.add(rel, content);
          } catch (e) {
            failure = { message: e.message, code: e.code, path: e.path };
          }
        }
        Atomics.add(signal, DONE, 1);
        Atomics.add(signal, DONE_KB, Math.ceil(content.length / 1024));
      }
      Atomics.notify(signal, DONE);
    }
    if (msg.end) {
      try {
        tree ??= new StagingTree(current, staging, countPrevious);
      } catch (e) {
        failure ??= { message: e.message, code: e.code, path: e.path };
      }
      const result = { written: tree.written, unchanged: tree.kept, replaced: tree.replaced, previous: tree.previous };
      if (listPrevious) result.previousFiles = tree.previousFiles;
      port.postMessage(failure ? { error: failure } : result);
      Atomics.store(signal, STATE, 1);
      Atomics.notify(signal, STATE);
      port.close();
    }
  });
  parentPort.unref?.();
}
