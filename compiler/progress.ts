/**
 * Progress of a long synth, for the CLI to show (`synth --progress`, or on a
 * terminal). The compiler stages report here; nothing is printed unless a
 * listener is set, and with none the cost is one comparison per object.
 */

export type ProgressPhase = 'collect' | 'render' | 'write';

export interface ProgressEvent {
  readonly phase: ProgressPhase;
  /** `start` and `end` once per phase; `tick` every TICK items in between. */
  readonly kind: 'start' | 'tick' | 'end';
  /** Items done so far: objects collected, files rendered or written. */
  readonly done: number;
  /** Items in the phase, when known in advance. */
  readonly total?: number;
}

/** Items between two ticks. */
export const TICK = 1000;

export type ProgressListener = (e: ProgressEvent) => void;

let listener: ProgressListener | undefined;

/** Set the listener (one at a time); returns a function that removes it. */
export function onProgress(fn: ProgressListener): () => void {
  listener = fn;
  return () => {
    if (listener === fn) listener = undefined;
  };
}

/** A reporter for one phase: call it after each item, then `end()`. */
export function phaseProgress(phase: ProgressPhase, total?: number): { item(): void; end(): void } {
  const l = listener;
  if (!l) return NOOP;
  let done = 0;
  l({ phase, kind: 'start', done, total });
  return {
    item() {
      if (++done % TICK === 0) l({ phase, kind: 'tick', done, total });
    },
    end() {
      l({ phase, kind: 'end', done, total });
    },
  };
}

const NOOP = { item() {}, end() {} };
