/**
 * Where a measured process spent its CPU time, by thread: the main thread
 * (everything synth runs in JavaScript), the threads the process started
 * with (V8's garbage collector and compiler tasks), and the threads started
 * later (synth's writer threads). On a 2-core machine this
 * is what shows synth is bound by CPU on both cores rather than waiting
 * (docs/performance.md, fourth pass).
 *
 * Linux only (it reads /proc/self/task); elsewhere there is no split.
 */
import * as fs from 'node:fs';

export interface ThreadCpu {
  /** The main thread, in ms. */
  readonly mainMs: number;
  /** The threads the process started with (V8's platform threads: garbage collector and compiler tasks), in ms. */
  readonly helpersMs: number;
  /**
   * Every thread started since (synth's writer threads), whether it has ended
   * or not, in ms: the process's total less the others, so it also holds
   * /proc's rounding (under 10 ms a thread).
   */
  readonly workersMs: number;
}

// /proc reports times in USER_HZ ticks, 100 a second on every Linux ABI.
const MS_PER_TICK = 10;

/** User + system ticks of one /proc/<pid>/task/<tid>/stat line. */
export function statTicks(stat: string): number {
  // The command name (field 2) is in parentheses and may itself hold spaces
  // and parentheses: the fields that follow start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Field 3 (state) is fields[0]; utime and stime are fields 14 and 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`not a /proc stat line: ${stat.slice(0, 80)}`);
  return utime + stime;
}

function taskIds(): string[] | undefined {
  try {
    return fs.readdirSync('/proc/self/task');
  } catch {
    return undefined;
  }
}

/**
 * Start telling threads apart: the threads alive now are the process's own
 * (main and V8's); any started later is a worker. Returns what to call at
 * the end with the process's total CPU time (from `process.resourceUsage()`,
 * which counts ended threads too); undefined there without /proc.
 */
export function threadCpuFromHere(): (totalMs: number) => ThreadCpu | undefined {
  const atStart = new Set(taskIds() ?? []);
  return (totalMs) => {
    const tids = taskIds();
    if (!tids || atStart.size === 0) return undefined;
    let mainMs = 0;
    let helpersMs = 0;
    for (const tid of tids) {
      if (!atStart.has(tid)) continue; // a worker: counted with the ended ones below
      let stat: string;
      try {
        stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      } catch {
        continue;
      }
      const ms = statTicks(stat) * MS_PER_TICK;
      if (Number(tid) === process.pid) mainMs = ms;
      else helpersMs += ms;
    }
    // /proc truncates each thread's time to a tick: a rest within that
    // rounding is no worker at all (the floor and raw cdk8s start none).
    const rest = totalMs - mainMs - helpersMs;
    return { mainMs, helpersMs, workersMs: rest <= MS_PER_TICK * tids.length ? 0 : rest };
  };
}
