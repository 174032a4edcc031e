import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PolicyError } from '../constructs/errors';
import { shownPath } from './shown-path';
import { isAlive } from './dead-runs';
import { lockFileOf, targetFolder } from './output-paths';
import { makeDir } from './tree-files';

/**
 * One synth at a time per output folder. Each run's swap is atomic, but two
 * runs overlapping (a watcher and a pre-commit hook, two terminals) each
 * compare against, link from and count a tree the other may replace under
 * them: the later swap silently undoes the earlier run's success, the
 * survivor reports "0 written, N unchanged" for a tree it did change, or one
 * fails half-way. The lock is a file beside the folder (as the staging
 * copies are), created with O_EXCL and holding who made it.
 */

/** What the lock file says about the run that holds it. */
interface Holder {
  readonly pid: number;
  /** When that run took the lock (ISO 8601). */
  readonly started: string;
  /** The machine it runs on: a pid means nothing on another one (a folder on a network mount). */
  readonly host: string;
  /**
   * Linux only: the kernel's boot id and the holder's start time in clock
   * ticks since boot (/proc/<pid>/stat, read as a run checking the lock reads
   * it, so both look at the same entry), which tell a holder from a process
   * that got its pid later (a container restarted with the folder mounted
   * numbers its processes from 1 again).
   */
  readonly boot?: string;
  readonly ticks?: number;
}

export interface OutputLock {
  /** Remove the lock file, if it is still this run's. Never throws. */
  release(): void;
}

export interface OutputLockOptions {
  /**
   * How long to wait for another run to release the lock before failing.
   *
   * @default 10000
   */
  readonly waitMs?: number;
  /** The folder the lock file is named relative to in the error. @default process.cwd() */
  readonly cwd?: string;
}

export const DEFAULT_LOCK_WAIT_MS = 10_000;
const POLL_MS = 50;
// A lock file without a holder is being written (open, then write) by a run
// that just made it; one that stays so this long was left by a run killed in between.
const UNWRITTEN_GRACE_MS = 2_000;
// When this process started: a lock naming its pid from before then was left by another process with that pid.
const PROCESS_STARTED = Date.now() - process.uptime() * 1000;

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Take the lock of `outdir`, waiting up to `waitMs` for a live holder. A lock
 * left by a run that is gone is taken over. Throws `output/unwritable`
 * naming the holder when it is still held, and file-system errors (a parent
 * that is a file, a read-only folder) as they are, for asOutputError.
 */
export function lockOutput(outdir: string, options: OutputLockOptions = {}): OutputLock {
  const file = lockFileOf(targetFolder(outdir));
  const made = missingFolders(path.dirname(file));
  const me: Holder = { pid: process.pid, started: new Date().toISOString(), host: os.hostname(), ...processIdentity(process.pid) };
  const waitMs = options.waitMs ?? DEFAULT_LOCK_WAIT_MS;
  const deadline = performance.now() + waitMs;
  try {
    // Inside: a disk that fills up between two of these folders leaves none of them either.
    makeDir(path.dirname(file));
    for (;;) {
      if (create(file, me)) return { release: () => release(file, me, made) };
      const held = read(file);
      // Released between our attempt and the read: try again at once.
      if (held === 'gone') continue;
      if (isStale(held, file)) {
        takeOver(file, held);
        continue;
      }
      if (performance.now() >= deadline) throw lockedError(held, file, waitMs, options.cwd ?? process.cwd());
      pause(POLL_MS);
    }
  } catch (e) {
    // A lock never taken (a full disk, a read-only folder) leaves no folder made for it either.
    removeEmpty(made);
    throw e;
  }
}

/** Create the lock file, holding `me`; false when it exists. */
function create(file: string, me: Holder, again = true): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // A run that failed removed the folder it had made for its lock: make it again.
    if (code !== 'ENOENT' || !again) throw e;
    makeDir(path.dirname(file));
    return create(file, me, false);
  }
  try {
    fs.writeSync(fd, `${JSON.stringify(me)}\n`);
  } catch (e) {
    // A full disk has room for the file but not its holder: an empty lock
    // left beside the folder would outlive this failed run.
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  return true;
}

/** The holder the lock file names; undefined when it names none (being written, or garbled); 'gone' when there is no file. */
function read(file: string): Holder | undefined | 'gone' {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw e;
  }
  try {
    const h = JSON.parse(text) as Partial<Holder>;
    return Number.isInteger(h.pid) && typeof h.started === 'string' && typeof h.host === 'string' ? (h as Holder) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the run that holds the lock is gone, so the lock may be taken over. */
function isStale(held: Holder | undefined, file: string): boolean {
  if (held === undefined) {
    const st = fs.statSync(file, { throwIfNoEntry: false });
    return st !== undefined && Date.now() - st.mtimeMs > UNWRITTEN_GRACE_MS;
  }
  // Another machine's process cannot be looked up from here: held until it releases it, or someone removes it.
  if (held.host !== os.hostname()) return false;
  if (held.pid === process.pid) return Date.parse(held.started) < PROCESS_STARTED;
  if (!isAlive(held.pid)) return true;
  // Alive: the holder itself, or a process that got its pid after the holder died.
  if (held.boot === undefined || held.ticks === undefined) return false;
  const now = processIdentity(held.pid);
  if (now.boot === undefined) return false;
  return now.boot !== held.boot || (now.ticks !== undefined && now.ticks !== held.ticks);
}

/**
 * The boot id of this machine's kernel and the start time of process `pid`
 * in clock ticks since that boot, where /proc has them (Linux); empty
 * elsewhere, and where they cannot be read (then a live pid is the holder).
 */
function processIdentity(pid: number): { boot?: string; ticks?: number } {
  let boot: string;
  try {
    boot = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return {};
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22, counted after the command name, which may hold spaces and parentheses.
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    return Number.isSafeInteger(ticks) && boot !== '' ? { boot, ticks } : {};
  } catch {
    return boot === '' ? {} : { boot };
  }
}

/**
 * Remove a stale lock so the next create() can succeed. Renamed away first,
 * then checked to be the one judged stale: two runs taking over the same
 * stale lock must not have the second remove the lock the first has just
 * made. If it is not (that run made it meanwhile), it is put back where no
 * newer one stands. A third run creating one in that instant is not covered.
 */
function takeOver(file: string, stale: Holder | undefined): void {
  const aside = `${file}.stale-${process.pid}-${Date.now().toString(36)}`;
  try {
    fs.renameSync(file, aside);
  } catch (e) {
    // Another run took it over first.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  const moved = read(aside);
  const same = moved === stale || (typeof moved === 'object' && stale !== undefined && moved.pid === stale.pid && moved.started === stale.started);
  if (!same) {
    try {
      fs.linkSync(aside, file);
    } catch {
      // A newer lock stands there: it holds.
    }
  }
  fs.rmSync(aside, { force: true });
}

/** The folders from `dir` up that do not exist yet, deepest first. */
function missingFolders(dir: string): string[] {
  const missing: string[] = [];
  for (let d = dir; !fs.existsSync(d) && path.dirname(d) !== d; d = path.dirname(d)) missing.push(d);
  return missing;
}

/**
 * Remove the lock file if it is still this run's, and the folders made only
 * to hold it when they are still empty: a synth that fails writes nothing,
 * not even the parent of an output folder it never made.
 */
function release(file: string, me: Holder, made: readonly string[]): void {
  try {
    const held = read(file);
    // Only our own: a run that judged us gone and took over keeps its lock.
    if (typeof held === 'object' && held.pid === me.pid && held.started === me.started) fs.unlinkSync(file);
  } catch {
    // A lock left behind names a process that is gone: the next run takes it over.
  }
  removeEmpty(made);
}

/** Remove the folders made for the lock (deepest first) while they are empty. Never throws. */
function removeEmpty(made: readonly string[]): void {
  for (const dir of made) {
    try {
      fs.rmdirSync(dir);
    } catch {
      // Never made (the run failed before it, a name too long): its parent may still be ours.
      if (!fs.existsSync(dir)) continue;
      // A folder that holds the output (or another run's lock) now stays, and so do its parents.
      return;
    }
  }
}

function lockedError(held: Holder | undefined, file: string, waitMs: number, cwd: string): PolicyError {
  const shown = shownPath(file, cwd);
  const holder = held === undefined ? undefined : `pid ${held.pid}${held.host !== os.hostname() ? ` on ${held.host}` : ''}`;
  const who = held === undefined ? 'another synth' : `another synth (${holder}, started ${held.started})`;
  const gone = held === undefined ? 'If no synth is running' : `If no synth runs as ${holder} any more (its pid was reused, or the machine that ran it is gone)`;
  return new PolicyError([
    {
      rule: 'output/unwritable',
      severity: 'error',
      message: `cannot write the output folder: ${who} is writing it, and did not finish within ${waitMs / 1000} s`,
      fix: `Let that synth finish, then run this one again. ${gone}, remove the lock file ${shown} and run again.`,
    },
  ]);
}
