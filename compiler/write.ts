import * as os from 'node:os';
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { FileTree } from './layout';
import { phaseProgress } from './progress';
import { checkLiveTree, commitStaging, dropStaging, Staging, stagingFor } from './staging';
import { core, StagingTree, WORKER_FILE } from './tree-files';
import type { TreeWriter, TreeWriterOptions, WriteResult } from './tree-writer-types';

export { interruptedCopy, isAlive, recoverOutput } from './dead-runs';
export { isOutputPath, lockFileOf, targetFolder } from './output-paths';
export { GENERATED_PREFIX, isGeneratedFile, makeDir, readTree } from './tree-files';
export type { TreeWriter, TreeWriterOptions, WriteResult } from './tree-writer-types';

/** What one worker reports: files it wrote and kept, and the live files it would overwrite that synth did not write. */
interface LaneResult {
  readonly written: number;
  readonly unchanged: number;
  readonly foreign: string[];
}

// Two workers use both cores of a small CI machine; more only contend in the kernel.
const BACKGROUND_WORKERS = Math.max(1, Math.min(2, os.availableParallelism()));

// Files (or kilobytes) handed to a worker per message: fewer messages cost
// less, smaller batches let it start sooner.
const BATCH_FILES = 256;
const BATCH_KB = 1024;
// Text rendered but not yet written, at most: rendering faster than the disk
// must never hold the whole tree twice.
const MAX_IN_FLIGHT_KB = 8 * 1024;
// A worker that wrote nothing for this long is taken as dead (a crash ends it
// without a word to the main thread, which cannot hear events while it waits).
const STALL_MS = 120_000;

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

class InlineWriter implements TreeWriter {
  private tree?: StagingTree;
  // Started with the first file, so the phase is reported once there is one to write.
  private progress?: ReturnType<typeof phaseProgress>;
  private readonly added = new Set<string>();

  constructor(
    private readonly s: Staging,
    private readonly options: TreeWriterOptions,
  ) {}

  private staging(): StagingTree {
    return (this.tree ??= new core.StagingTree(this.s.abs, this.s.staging, this.options.checkReplaced !== undefined));
  }

  public add(rel: string, content: string): void {
    this.progress ??= phaseProgress('write', this.options.expected);
    this.staging().add(rel, content);
    this.added.add(rel);
    this.progress.item();
  }

  public commit(): WriteResult {
    this.progress ??= phaseProgress('write', this.options.expected);
    const tree = this.staging();
    const removed = checkLiveTree(this.s, this.options.checkReplaced, this.added, tree.foreign);
    const leftBehind = commitStaging(this.s, tree.written, removed);
    this.progress.end();
    return { written: tree.written, unchanged: tree.kept, removed, ...(leftBehind && { leftBehind }) };
  }

  public abort(): void {
    dropStaging(this.s);
  }
}

/** The error code of a write whose writer thread never started (no errno says so). */
export const WRITER_NOT_STARTED = 'WP_WRITER_NOT_STARTED';

/** Shared-memory slots each worker writes (see tree-writer.cjs). */
const STATE = 0;
const DONE = 1;
const DONE_KB = 2;
/** Written by the main thread: 1 tells a worker to write nothing more (it still counts and replies). */
const ABORT = 3;
/** Set by the worker once it runs. */
const STARTED = 4;

const kb = (text: string) => Math.ceil(text.length / 1024);

type Reply = LaneResult | { error: { message: string; code?: string; path?: string } };

/** One worker thread filling part of the staging tree. */
class Lane {
  public readonly signal = new Int32Array(new SharedArrayBuffer(20));
  private readonly created = performance.now();
  /** Declared stalled and stopped: it will never reply. */
  private dead = false;
  public batch: [string, string][] = [];
  public batchKb = 0;
  private postedKb = 0;
  private lastDone = 0;
  private lastProgress = performance.now();
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private reply?: Reply;

  constructor(
    private readonly s: Staging,
    guard: boolean,
    private readonly startTimeoutMs: number,
    workerFile: string,
  ) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(workerFile, {
      workerData: { treeWriter: true, current: s.abs, staging: s.staging, guard, signal: this.signal, port: port2 },
      transferList: [port2],
      // It needs no loader (a parent started with one, such as `--import
      // tsx`, would give each worker its own), and little young space: its data is a few
      // megabytes of text in flight (no old-space cap: a cap it hit would end it).
      execArgv: [],
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
    });
    // Never keeps the process alive (a synth that throws leaves it behind).
    this.worker.unref();
    // A worker that dies (out of memory, say) must not take the process with
    // it as an unhandled 'error' event; the stall clock reports it.
    this.worker.on('error', () => {});
  }

  public push(rel: string, content: string): void {
    this.batch.push([rel, content]);
    this.batchKb += kb(content);
    if (this.batch.length >= BATCH_FILES || this.batchKb >= BATCH_KB) this.flush();
  }

  public flush(): void {
    if (this.batch.length === 0) return;
    // An idle worker starts its stall clock with its new work.
    if (this.inFlightKb === 0) this.lastProgress = performance.now();
    this.port.postMessage({ files: this.batch });
    this.postedKb += this.batchKb;
    this.batch = [];
    this.batchKb = 0;
  }

  /** Tell the worker to write nothing more. */
  public stop(): void {
    Atomics.store(this.signal, ABORT, 1);
  }

  public end(): void {
    if (this.dead) return;
    this.flush();
    this.port.postMessage({ end: true });
    this.lastProgress = performance.now();
  }

  /** Files this worker has created so far. */
  public get done(): number {
    return Atomics.load(this.signal, DONE);
  }

  /** Kilobytes of text posted to this worker and not written yet. */
  public get inFlightKb(): number {
    return this.postedKb - Atomics.load(this.signal, DONE_KB);
  }

  /**
   * Throw if the worker made no progress for STALL_MS while it had work, or
   * (`awaitingReply`) while it owed the final reply.
   */
  public checkAlive(awaitingReply = false): void {
    const done = this.done;
    const now = performance.now();
    if (Atomics.load(this.signal, STARTED) === 0 && now - this.created > this.startTimeoutMs) {
      this.dead = true;
      void this.worker.terminate();
      throw Object.assign(new Error(`writing ${this.s.abs} failed: a writer thread did not start within ${this.startTimeoutMs / 1000} s; it was left as it was`), { code: WRITER_NOT_STARTED });
    }
    if (done !== this.lastDone || (!awaitingReply && this.inFlightKb === 0)) {
      this.lastDone = done;
      this.lastProgress = now;
    } else if (now - this.lastProgress > STALL_MS) {
      this.dead = true;
      this.stop();
      void this.worker.terminate();
      throw new Error(`writing ${this.s.abs} stalled: no file was created for ${STALL_MS / 1000} s (is the disk full or hung?); it was left as it was`);
    }
  }

  /** Wait at most `ms` for the result. */
  public poll(ms: number): Reply | undefined {
    if (this.reply) return this.reply;
    if (this.dead) return (this.reply = { error: { message: `writing ${this.s.abs} stalled and was stopped; it was left as it was` } });
    if (Atomics.load(this.signal, STATE) === 0 && Atomics.wait(this.signal, STATE, 0, ms) === 'timed-out') {
      this.checkAlive(true);
      return undefined;
    }
    const message = receiveMessageOnPort(this.port);
    this.port.close();
    void this.worker.terminate();
    this.reply = message ? (message.message as Reply) : { error: { message: `writing ${this.s.abs} failed: a writer thread ended without reporting; it was left as it was` } };
    return this.reply;
  }
}

/**
 * Files go to worker threads by folder (each folder's files to one worker,
 * so a folder is created once), while the caller renders the next ones. On
 * this machine the kernel's work to create a file costs more CPU than
 * rendering it, and two workers run it on both cores.
 */
class BackgroundWriter implements TreeWriter {
  private readonly lanes: Lane[];
  private readonly laneOfDir = new Map<string, Lane>();

  private readonly expected: number | undefined;
  private readonly added = new Set<string>();

  constructor(
    private readonly s: Staging,
    private readonly options: TreeWriterOptions,
    workers: number,
  ) {
    this.expected = options.expected;
    this.lanes = Array.from({ length: workers }, () => new Lane(s, options.checkReplaced !== undefined, options.startTimeoutMs ?? 20_000, options.workerFile ?? WORKER_FILE));
  }

  public add(rel: string, content: string): void {
    this.added.add(rel);
    const dir = rel.slice(0, rel.lastIndexOf('/') + 1);
    let lane = this.laneOfDir.get(dir);
    if (!lane) {
      lane = this.lanes[this.laneOfDir.size % this.lanes.length];
      this.laneOfDir.set(dir, lane);
    }
    lane.push(rel, content);
    this.throttle();
  }

  /**
   * When rendering outruns the disk, wait: every file in flight is a copy in
   * a worker's heap, and peak memory is a goal of its own (docs/performance.md).
   */
  private throttle(): void {
    for (;;) {
      if (this.lanes.reduce((n, l) => n + l.inFlightKb, 0) <= MAX_IN_FLIGHT_KB) return;
      const busiest = this.lanes.reduce((a, b) => (b.inFlightKb > a.inFlightKb ? b : a));
      if (Atomics.wait(busiest.signal, DONE, busiest.done, 100) === 'timed-out') busiest.checkAlive();
    }
  }

  public commit(): WriteResult {
    let replies: Reply[];
    try {
      replies = this.finish();
    } catch (e) {
      dropStaging(this.s);
      throw e;
    }
    const failed = replies.find((r): r is Extract<Reply, { error: unknown }> => 'error' in r);
    if (failed) {
      dropStaging(this.s);
      throw Object.assign(new Error(failed.error.message), { code: failed.error.code, path: failed.error.path });
    }
    const results = replies as LaneResult[];
    const removed = checkLiveTree(this.s, this.options.checkReplaced, this.added, results.flatMap((r) => r.foreign));
    const sum = (field: 'written' | 'unchanged') => results.reduce((n, r) => n + r[field], 0);
    const leftBehind = commitStaging(this.s, sum('written'), removed);
    return { written: sum('written'), unchanged: sum('unchanged'), removed, ...(leftBehind && { leftBehind }) };
  }

  public abort(): void {
    for (const lane of this.lanes) {
      lane.batch = [];
      lane.stop();
    }
    try {
      this.finish();
    } catch {
      // A stalled worker was stopped; the staging tree goes anyway.
    }
    dropStaging(this.s);
  }

  /** Block until every worker is done (synth is synchronous), ticking progress meanwhile. */
  private finish(): Reply[] {
    for (const lane of this.lanes) lane.end();
    const progress = phaseProgress('write', this.expected);
    let seen = 0;
    const tick = () => {
      for (const done = this.lanes.reduce((n, l) => n + l.done, 0); seen < done; seen++) progress.item();
    };
    const replies: Reply[] = [];
    let stalled: unknown;
    for (const lane of this.lanes) {
      let reply: Reply | undefined;
      try {
        while (!(reply = lane.poll(100))) tick();
      } catch (e) {
        // Stop the others too, and still wait for their replies (they come at
        // once when told to write nothing more): nobody may be writing into
        // the staging tree when the caller removes it.
        stalled ??= e;
        for (const other of this.lanes) other.stop();
        reply = { error: { message: String(e) } };
      }
      replies.push(reply);
    }
    tick();
    progress.end();
    if (stalled !== undefined) throw stalled;
    return replies;
  }
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
