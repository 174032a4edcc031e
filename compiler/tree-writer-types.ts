/**
 * What callers of the tree writers see: the writer interface, its options
 * and its result, apart from the inline and background writers that
 * implement them.
 */
export interface WriteResult {
  readonly written: number;
  readonly unchanged: number;
  readonly removed: number;
  /**
   * The previous tree, when it could not be removed after the swap (files
   * another user wrote, such as a root-owned dist/ from a container run):
   * where it was left (absolute) and the error code. Not part of the
   * output; each later synth tries to remove it again.
   *
   * @default - nothing was left
   */
  readonly leftBehind?: { readonly path: string; readonly code?: string };
}

/** Receives the files of a new tree, then swaps it in (or drops it). */
export interface TreeWriter {
  /** One file of the new tree, by `/`-separated relative path. Each path once. */
  add(rel: string, content: string): void;
  /** Wait until every file is in the staging tree, then swap it in atomically. */
  commit(): WriteResult;
  /** Drop the staging tree: `outdir` stays exactly as it was. */
  abort(): void;
}

export interface TreeWriterOptions {
  /**
   * Create the files on a worker thread while the caller renders the next
   * ones. Worth it from a few thousand files: starting the worker costs
   * about 50 ms.
   *
   * @default false
   */
  readonly background?: boolean;
  /** Files the tree will hold, for progress. @default - unknown */
  readonly expected?: number;
  /**
   * Called at `commit()`, before the swap, with the live files the swap
   * would destroy that might not be synth's (`/`-separated relative paths):
   * those the new tree drops, and those it overwrites that synth did not
   * write. Throw to refuse the swap, which then leaves `outdir` as it was.
   *
   * @default - any file may go
   */
  readonly checkReplaced?: (files: string[]) => void;
  /**
   * How long a writer thread may take to start (background only) before the
   * write fails: a process out of file descriptors or threads cannot start
   * one, and only this clock sees it (the thread's error event waits for an
   * event loop that synth's synchronous run never yields to).
   *
   * @default 20000
   */
  readonly startTimeoutMs?: number;
  /**
   * The script each writer thread runs. Only tests change it, to have a
   * thread that never starts.
   *
   * @default - compiler/tree-writer.cjs
   */
  readonly workerFile?: string;
}
