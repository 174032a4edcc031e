/** Where a command writes, and from where it runs: injected so tests call handlers directly. */
export interface Io {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly isTTY: boolean;
  out(text: string): void;
  err(text: string): void;
}

/**
 * A reader that stops early (`check | head -1`, a pager quit) closes the
 * pipe: the next write fails with EPIPE, which Node raises as an unhandled
 * 'error' event, a stack trace on stderr. The command's result stands (its
 * exit code); the output nobody reads is dropped. Any other error still throws.
 */
let pipesGuarded = false;
function ignoreClosedPipes(): void {
  if (pipesGuarded) return;
  pipesGuarded = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
    });
  }
}

export const processIo = (): Io => {
  ignoreClosedPipes();
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
