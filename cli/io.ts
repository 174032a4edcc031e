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
function guardOutput(): void {
  if (outputGuarded) return;
  outputGuarded = true;
  process.stderr.on('error', () => {});
  let failed = false;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || failed) return;
    failed = true;
    // Set at exit, over the code the command's promise sets once it settles.
    process.once('exit', () => {
      process.exitCode = EXIT.OUTPUT_FAILED;
    });
    process.stderr.write(`waypoint-policy: cannot write its output: ${e.code ?? e.message}; what was printed is incomplete.\n`);
  });
}

export const processIo = (): Io => {
  guardOutput();
  return {
    cwd: process.cwd(),
    env: process.env,
    isTTY: Boolean(process.stderr.isTTY),
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
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
