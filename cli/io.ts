import * as fs from 'node:fs';

/** Where a command writes, and from where it runs: injected so tests call handlers directly. */
export interface Io {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly isTTY: boolean;
  out(text: string): void;
  err(text: string): void;
}

/**
 * Where the output cannot go. A reader that stops early (`check | head -1`,
 * a pager quit) closes the pipe: the next write fails with EPIPE, which Node
 * raises as an unhandled 'error' event, a stack trace on stderr. The
 * command's result stands (its exit code); the output nobody reads is
 * dropped; so are diagnostics stderr cannot take. Any other failure of
 * stdout (`--json > report.json` on a full disk) loses output someone meant
 * to keep: one line on stderr, and exit OUTPUT_FAILED whatever the command
 * returned, so CI does not take a cut report for a whole one.
 */
let outputGuarded = false;
let outputFailed = false;
/** Whether fd 1 is a regular file (`> report.json`), written by writeOut rather than by Node's stream. */
let stdoutIsFile = false;

function onOutputError(e: NodeJS.ErrnoException): void {
  if (e.code === 'EPIPE' || outputFailed) return;
  outputFailed = true;
  // Set at exit, over the code the command's promise sets once it settles.
  process.once('exit', () => {
    process.exitCode = EXIT.OUTPUT_FAILED;
  });
  // Loaded only here, off every command's start.
  const { codeAndCause } = require('../compiler/output-errors') as typeof import('../compiler/output-errors');
  process.stderr.write(`waypoint-policy: cannot write its output to stdout (${e.code === undefined ? e.message : codeAndCause(e.code)}); what was printed is incomplete.\n`);
}

function guardOutput(): void {
  if (outputGuarded) return;
  outputGuarded = true;
  process.stderr.on('error', () => {});
  process.stdout.on('error', onOutputError);
  try {
    stdoutIsFile = fs.fstatSync(1).isFile();
  } catch {
    // No fd 1: the stream reports it at the first write.
  }
}

/**
 * Into a file, Node's stdout ignores a short write: a disk that fills up in
 * the middle of a `--json` report takes what fits, and the rest is dropped
 * without an error. Written here until all is written, the write after a
 * short one fails with ENOSPC, which is then reported.
 */
function writeOut(text: string): void {
  if (!stdoutIsFile) {
    process.stdout.write(text);
    return;
  }
  if (outputFailed) return;
  const buf = Buffer.from(text);
  try {
    for (let off = 0; off < buf.length; ) off += fs.writeSync(1, buf, off);
  } catch (e) {
    onOutputError(e as NodeJS.ErrnoException);
  }
}

export const processIo = (): Io => {
  guardOutput();
  return {
    cwd: process.cwd(),
    env: process.env,
    isTTY: Boolean(process.stderr.isTTY),
    out: (t) => writeOut(t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  };
};

/** Exit codes shared by every command. */
export const EXIT = {
  OK: 0,
  /** Findings, drift, or a request denied where that was asserted. */
  FAILED: 1,
  /** Bad usage: unknown flag, missing value. */
  USAGE: 2,
  /** The output could not be written (stdout on a full disk): what was printed is incomplete. */
  OUTPUT_FAILED: 74,
} as const;

/** A mistake in how the command was called; printed without a stack trace. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Where a usage error sends the reader: the command's own usage, not the whole help. */
export const seeUsage = (command: string): string => `Run 'waypoint-policy ${command} --help' for usage.`;
