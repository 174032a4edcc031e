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

function sameContent(file, content) {
  try {
    const st = fs.statSync(file);
    // Only a regular file can be linked as it is (reading a FIFO would block).
    if (!st.isFile() || st.size !== Buffer.byteLength(content)) return false;
    return fs.readFileSync(file, 'utf8') === content;
  } catch {
    return false;
  }
}

/**
 * Fills `staging` with new files; a file whose content equals the one at the
 * same path in `current` (the live tree) is hard-linked from it instead, so
 * its mtime stays and editors, watchers and git stay quiet.
 */
class StagingTree {
  constructor(current, staging) {
    this.current = current;
    this.staging = staging;
    this.previous = new Set(listFiles(current));
    this.made = new Set();
    this.kept = 0;
    this.written = 0;
    this.replaced = 0;
  }

  /** Files of the live tree that the new one no longer has. */
  get removed() {
    return this.previous.size - this.replaced;
  }

  add(rel, content) {
    const target = path.join(this.staging, ...rel.split('/'));
    const dir = path.dirname(target);
    if (!this.made.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      this.made.add(dir);
    }
    const had = this.previous.has(rel);
    if (had) this.replaced++;
    const previous = had ? path.join(this.current, ...rel.split('/')) : undefined;
    if (previous !== undefined && sameContent(previous, content)) {
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
  const { current, staging, signal } = workerData;
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
            tree ??= new StagingTree(current, staging);
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
        tree ??= new StagingTree(current, staging);
      } catch (e) {
        failure ??= { message: e.message, code: e.code, path: e.path };
      }
      port.postMessage(failure ? { error: failure } : { written: tree.written, unchanged: tree.kept, removed: tree.removed, replaced: tree.replaced });
      Atomics.store(signal, STATE, 1);
      Atomics.notify(signal, STATE);
      port.close();
    }
  });
  parentPort.unref?.();
}
