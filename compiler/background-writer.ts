/**
 * The writer that hands files to writer threads (writer-lane.ts) while the
 * caller renders the next ones, and waits for them at commit: worth it for
 * large trees, where creating files costs more than rendering them.
 */
import * as os from 'node:os';
import { phaseProgress } from './progress';
import { checkLiveTree, commitStaging, dropStaging, Staging } from './staging';
import { WORKER_FILE } from './tree-files';
import type { TreeWriter, TreeWriterOptions, WriteResult } from './tree-writer-types';
import { DONE, Lane, LaneResult, Reply } from './writer-lane';

// Two workers use both cores of a small CI machine; more only contend in the kernel.
export const BACKGROUND_WORKERS = Math.max(1, Math.min(2, os.availableParallelism()));

// Text rendered but not yet written, at most: rendering faster than the disk
// must never hold the whole tree twice.
const MAX_IN_FLIGHT_KB = 8 * 1024;

/**
 * Files go to worker threads by folder (each folder's files to one worker,
 * so a folder is created once), while the caller renders the next ones. On
 * this machine the kernel's work to create a file costs more CPU than
 * rendering it, and two workers run it on both cores.
 */
export class BackgroundWriter implements TreeWriter {
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
    const live = checkLiveTree(this.s, this.options.checkReplaced, this.added, results.flatMap((r) => r.foreign));
    const sum = (field: 'written' | 'unchanged') => results.reduce((n, r) => n + r[field], 0);
    const leftBehind = commitStaging(this.s, sum('written'), live);
    return { written: sum('written'), unchanged: sum('unchanged'), removed: live.removed, ...(leftBehind && { leftBehind }) };
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
