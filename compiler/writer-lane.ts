/**
 * One writer thread of the background writer and the protocol it speaks:
 * batches over a port, progress and the stop flag in shared memory, and the
 * clocks that tell a thread that never started or stalled.
 */
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { Staging } from './staging';

/** What one worker reports: files it wrote and kept, and the live files it would overwrite that synth did not write. */
export interface LaneResult {
  readonly written: number;
  readonly unchanged: number;
  readonly foreign: string[];
}

// Files (or kilobytes) handed to a worker per message: fewer messages cost
// less, smaller batches let it start sooner.
const BATCH_FILES = 256;
const BATCH_KB = 1024;

// A worker that wrote nothing for this long is taken as dead (a crash ends it
// without a word to the main thread, which cannot hear events while it waits).
const STALL_MS = 120_000;

/** The error code of a write whose writer thread never started (no errno says so). */
export const WRITER_NOT_STARTED = 'WP_WRITER_NOT_STARTED';

/** Shared-memory slots each worker writes (see tree-writer.cjs). */
const STATE = 0;
export const DONE = 1;
const DONE_KB = 2;
/** Written by the main thread: 1 tells a worker to write nothing more (it still counts and replies). */
const ABORT = 3;
/** Set by the worker once it runs. */
const STARTED = 4;

const kb = (text: string) => Math.ceil(text.length / 1024);

export type Reply = LaneResult | { error: { message: string; code?: string; path?: string } };

/** One worker thread filling part of the staging tree. */
export class Lane {
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
