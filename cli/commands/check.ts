import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../../analysis/finding';
import { relativizeSources } from '../../analysis/finding';
import { isPolicyError } from '../../constructs/errors';
import type { FileTree } from '../../compiler/layout';
import { compileApp } from '../../compiler/synth';
import { foreignFiles, refuseEnclosingOutput, someOf } from '../../compiler/foreign-files';
import { interruptedCopy, readTree } from '../../compiler/write';
import { outdirOf, parseFlags } from '../args';
import { EXIT, Io } from '../io';
import { DEFAULT_APP, loadApp, projectRootOf } from '../load-app';
import { printFindings, toJsonFindings } from './synth';
import { fsCause } from '../../compiler/output-errors';
import { hasConflictMarkers } from '../../compiler/conflict-markers';
import { shownPath } from '../../compiler/shown-path';
import { DEFAULT_LOCK_WAIT_MS, lockOutput, type OutputLock } from '../../compiler/output-lock';

// Why the lock beside the output folder could not be made, when that only means nothing can write there.
const READ_ONLY = new Set(['EACCES', 'EPERM', 'EROFS']);

export const usage = `waypoint-policy check [--app FILE] [--outdir DIR] [--json]

Compile the policy program in memory and compare it with the committed DIR
(default: dist, or $CDK8S_OUTDIR). Exit 0 when they are identical; exit 1 and
list the files that synth would add, change (their content, or an executable
bit git records) or remove (never their contents). Line endings are not drift.
Errors in the policies also fail with exit 1.`;

/** What `synth` would do to the committed tree, file by file. */
export interface TreeDrift {
  /** Files synth would write that are not committed. */
  readonly added: string[];
  /** Committed files whose content synth would change. */
  readonly changed: string[];
  /** Committed files synth would delete. */
  readonly removed: string[];
}

// git may check files out with CRLF (core.autocrlf); the committed blob is
// what the GitOps tool reads, so line endings are not drift.
const normalize = (s: string) => s.replace(/\r\n/g, '\n');

/** Compare the compiled tree with the committed one. Deterministic: paths sorted. */
export function treeDrift(compiled: FileTree, committed: FileTree): TreeDrift {
  const added: string[] = [];
  const changed: string[] = [];
  const removed: string[] = [];
  for (const [file, content] of compiled) {
    const current = committed.get(file);
    if (current === undefined) added.push(file);
    else if (normalize(current) !== normalize(content)) changed.push(file);
  }
  for (const file of committed.keys()) if (!compiled.has(file)) removed.push(file);
  return { added: sortPaths(added), changed: sortPaths(changed), removed: sortPaths(removed) };
}

/** Sorted by code unit, as the tree is: the same order on every machine and locale. */
function sortPaths(a: string[]): string[] {
  return a.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}

/**
 * Committed files with the content synth writes but an executable bit (a
 * `chmod +x`, a checkout from a system that set it; `withBit`, noted while
 * reading the tree): git records that mode, and synth rewrites them without
 * it, so they are drift too.
 */
function executableFiles(outdir: string, withBit: ReadonlySet<string>, compiled: FileTree, drift: TreeDrift): string[] {
  if (withBit.size === 0) return [];
  const changed = new Set(drift.changed);
  const found = [...withBit].filter((f) => compiled.has(f) && !changed.has(f));
  return found.length > 0 && gitRecordsModes(outdir) ? found : [];
}

/**
 * Whether git records the x bit in the checkout holding `dir`. On a file
 * system that shows every file as executable (WSL's DrvFs, FAT) git sets
 * core.fileMode false: the bit is recorded nowhere, so it is no drift.
 */
function gitRecordsModes(dir: string): boolean {
  const r = spawnSync('git', ['config', '--bool', 'core.fileMode'], { cwd: dir, encoding: 'utf8' });
  return r.stdout?.trim() !== 'false';
}

/**
 * Whether the project's package.json has a `synth` script that runs this
 * command's synth (`waypoint-policy synth`, or its bin): a cdk8s project's
 * `cdk8s synth` takes other flags (`--app` is a command there).
 */
function hasSynthScript(root: string): boolean {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, unknown> };
    const script = pkg.scripts?.synth;
    return typeof script === 'string' && /(^|[\s/])(waypoint-policy|cli\/bin\.cjs)\s+synth\b/.test(script);
  } catch {
    return false;
  }
}

/**
 * The synth that brings the folder up to date: the same --app and --outdir
 * this check was given (a synth without them compiles the default program
 * into dist/, which is not what a check of another one needs). `npm run
 * synth` where the project has that script, with paths from the project
 * root, where `npm run` runs it; otherwise the command itself through npx,
 * with paths from where the check ran.
 */
function synthCommandFor(app: string | undefined, outdir: string | undefined, cwd: string, root: string): string {
  const viaScript = hasSynthScript(root);
  const base = viaScript ? root : cwd;
  const shown = (v: string) => shownPath(path.resolve(cwd, v), base);
  const arg = (flag: string, v: string | undefined) => (v === undefined ? '' : ` ${flag} ${shellWord(shown(v))}`);
  const flags = `${arg('--app', app)}${arg('--outdir', outdir)}`;
  if (!viaScript) return `npx waypoint-policy synth${flags}`;
  return flags === '' ? 'npm run synth' : `npm run synth --${flags}`;
}

/**
 * One word for a shell to paste: bare when safe, in double quotes (which cmd
 * also reads) unless the path holds what a POSIX shell expands or ends there
 * (`$`, a backtick, `"`, a backslash, `!`): then in single quotes, which it reads literally.
 */
function shellWord(s: string): string {
  if (/^[\w./@:=+-]+$/.test(s)) return s;
  if (!/[$`"\\!]/.test(s)) return `"${s}"`;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Policy errors: report them (as synth would) and compare nothing. */
function doesNotCompile(io: Io, entry: string, shown: string, findings: readonly Finding[], json: boolean): number {
  if (json) {
    // The same fields as a comparison, so a consumer needs no special case; nothing was compared.
    io.out(JSON.stringify({ inSync: false, outdir: shown, added: [], changed: [], removed: [], foreign: [], conflicted: [], compiled: false, findings: toJsonFindings(findings) }, null, 2));
  } else {
    printFindings(io, findings, false);
    io.err(`check: ${entry} does not compile; nothing was compared.`);
  }
  return EXIT.FAILED;
}

export function check(argv: string[], io: Io): number {
  const { values } = parseFlags('check', argv, {
    app: { type: 'string' },
    outdir: { type: 'string' },
    json: { type: 'boolean' },
  });
  const json = Boolean(values.json);
  const entry = values.app ?? DEFAULT_APP;
  const outdir = path.resolve(io.cwd, outdirOf(values.outdir, io.env));
  const shown = shownPath(outdir, io.cwd);
  const synthCommand = synthCommandFor(values.app, values.outdir, io.cwd, projectRootOf(path.resolve(io.cwd, entry)));
  let result;
  try {
    result = compileApp(loadApp(entry, io.cwd), { root: projectRootOf(path.resolve(io.cwd, entry)) });
  } catch (e) {
    if (!isPolicyError(e)) throw e;
    return doesNotCompile(io, entry, shown, relativizeSources(e.findings, projectRootOf(path.resolve(io.cwd, entry))), json);
  }
  if (result.findings.some((f) => f.severity === 'error')) return doesNotCompile(io, entry, shown, result.findings, json);
  // The output folder is in a state no comparison describes: say what, and how to get out of it.
  const cannotCompare = (problem: string, foreign: string[]): number => {
    if (json) io.out(JSON.stringify({ inSync: false, outdir: shown, added: [...result.files.keys()], changed: [], removed: [], foreign, conflicted: [], compiled: true, findings: toJsonFindings(result.findings), problem }, null, 2));
    else io.err(`check: ${problem}`);
    return EXIT.FAILED;
  };
  // Refused before it is read, as synth refuses it: read file by file, `.` or
  // `..` would load the whole project (node_modules too) into memory, and `/`
  // the whole disk, only to list the project's files as ones synth removes.
  try {
    refuseEnclosingOutput(outdir, projectRootOf(path.resolve(io.cwd, entry)));
  } catch (e) {
    if (!isPolicyError(e)) throw e;
    return cannotCompare(`${shown} holds the policy project itself: synth refuses to replace it (output/foreign-files), as it replaces all of it. ${e.findings[0].fix}`, []);
  }
  // The committed folder against the compiled tree, or the exit code of why they cannot be compared.
  const compare = () => {
    const st = fs.statSync(outdir, { throwIfNoEntry: false });
    // synth would refuse to replace it (output/foreign-files): "run synth" would not help.
    if (st && !st.isDirectory()) return cannotCompare(`${shown} is not a folder: synth writes a folder there and will not replace what is there. Move it away, then run \`${synthCommand}\` and commit ${shown}/.`, [shown]);
    const exists = st !== undefined;
    // A synth that died between its renames left the folder beside itself: a
    // commit now would delete it from git, so this fails, and says how to get it back.
    const interrupted = exists ? undefined : interruptedCopy(outdir);
    if (interrupted) return cannotCompare(`${shown} is missing: a synth that was interrupted left it as ${shownPath(interrupted, io.cwd)}. Run \`${synthCommand}\`: it puts the folder back first, then brings it up to date.`, []);
    let committed: Map<string, string>;
    const withBit = new Set<string>();
    try {
      committed = exists ? readTree(outdir, withBit) : new Map();
    } catch (e) {
      // A folder that cannot be read (a subfolder without permission, /proc): say so, not "internal error".
      const err = e as NodeJS.ErrnoException;
      if (typeof err.code !== 'string') throw e;
      const cause = fsCause(err.code);
      // What the code means goes beside it, before the advice: "EACCES" alone tells most readers nothing.
      const meaning = cause === err.code ? '' : ` (${cause})`;
      return cannotCompare(`cannot read ${shown}: ${err.code}${meaning}${err.path ? ` at ${shownPath(err.path, io.cwd)}` : ''}. Point --outdir at the folder synth writes (dist by default).`, []);
    }
    const drift = treeDrift(result.files, committed);
    const executable = executableFiles(outdir, withBit, result.files, drift);
    drift.changed.push(...executable);
    sortPaths(drift.changed);
    // Files synth would have to remove or overwrite but did not write: it refuses to (output/foreign-files).
    const foreign = foreignFiles(outdir, [...drift.removed, ...drift.changed]);
    // A merge resolved in the generated files leaves markers that only a new synth removes.
    const conflicted = drift.changed.filter((f) => hasConflictMarkers(committed.get(f) ?? ''));
    return { drift, foreign, conflicted, executable, exists };
  };
  // A synth running now swaps the folder in two renames: read between them,
  // it looks missing (or interrupted), or half of another tree. Its lock
  // makes this wait for it. A folder this user may not write beside (a
  // read-only checkout) is read without the lock: nothing there writes.
  let lock: OutputLock | undefined;
  try {
    lock = lockOutput(outdir, { cwd: io.cwd });
  } catch (e) {
    if (isPolicyError(e)) return cannotCompare(`${shown} is being written by another synth, which did not finish within ${DEFAULT_LOCK_WAIT_MS / 1000} s: compare once it has. ${e.findings[0].fix ?? ''}`.trimEnd(), []);
    if (!READ_ONLY.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
  }
  let compared: ReturnType<typeof compare>;
  try {
    compared = compare();
  } finally {
    lock?.release();
  }
  if (typeof compared === 'number') return compared;
  const { drift, foreign, conflicted, executable, exists } = compared;
  const count = drift.added.length + drift.changed.length + drift.removed.length;
  if (json) {
    io.out(JSON.stringify({ inSync: count === 0, outdir: shown, ...drift, foreign, conflicted, compiled: true, findings: toJsonFindings(result.findings) }, null, 2));
    return count === 0 ? EXIT.OK : EXIT.FAILED;
  }
  if (result.findings.length > 0) printFindings(io, result.findings, false);
  if (count === 0) {
    io.err(`check: ${shown} is up to date with ${entry} (${result.files.size} files).`);
    return EXIT.OK;
  }
  const lines = [
    ...drift.added.map((f) => `  add     ${f}`),
    ...drift.changed.map((f) => `  change  ${f}${conflicted.includes(f) ? '  (holds merge-conflict markers)' : executable.includes(f) ? '  (executable: synth writes it without the x bit)' : ''}`),
    ...drift.removed.map((f) => `  remove  ${f}`),
  ];
  io.out(lines.join('\n'));
  io.err(
    `check: ${shown} is out of date with ${entry}${exists ? '' : ` (${shown} does not exist)`}: synth would ` +
      `add ${drift.added.length}, change ${drift.changed.length} and remove ${drift.removed.length} file(s). ` +
      (foreign.length > 0
        ? `${foreign.length} of those to remove or change waypoint-policy did not write (${someOf(foreign)}): synth will not replace them, so move them out of ${shown}/ first. `
        : '') +
      (conflicted.length > 0 ? `${conflicted.length} of them hold merge-conflict markers: do not resolve conflicts in ${shown}/ by hand, regenerate it. ` : '') +
      `Run \`${synthCommand}\` and commit ${shown}/.`,
  );
  return EXIT.FAILED;
}
