import type { ProgressEvent } from '../compiler/progress';
import type { Io } from './io';

/**
 * How long a synth runs before a terminal shows its progress, when
 * `--progress` was not asked for: the example compiles in half a second,
 * and ten phase lines for it bury the findings that matter.
 */
export const TERMINAL_QUIET_MS = 1000;

export interface ProgressPrinterOptions {
  /**
   * Lines that would print before this many milliseconds from the printer's
   * creation are dropped; the phase under way then shows through its next line.
   *
   * @default 0
   */
  readonly quietMs?: number;
  /**
   * The clock, in milliseconds.
   *
   * @default performance.now
   */
  readonly now?: () => number;
}

const NOUN: Record<ProgressEvent['phase'], string> = { collect: 'objects', render: 'objects', write: 'files' };

/** The next count worth a line: 1, 2, 5 x 1000, 10 000, ... so a long phase prints a few lines, not thousands. */
function nextMark(done: number): number {
  for (let scale = 1000; ; scale *= 10) {
    for (const m of [1, 2, 5]) if (m * scale > done) return m * scale;
  }
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Phase lines and a counter, on stderr: `synth: render 20000/110000 objects`.
 * Analysis has no counter of its own: it runs between collect and render.
 */
export function progressPrinter(io: Io, options: ProgressPrinterOptions = {}): { listener: (e: ProgressEvent) => void; line: (text: string) => void } {
  const now = options.now ?? (() => performance.now());
  const quietUntil = now() + (options.quietMs ?? 0);
  const line = (text: string) => {
    if (now() >= quietUntil) io.err(`synth: ${text}`);
  };
  let phaseStart = 0;
  let analyzeStart: number | undefined;
  let mark = 0;
  const listener = (e: ProgressEvent) => {
    const noun = NOUN[e.phase];
    const of = e.total !== undefined ? `/${e.total}` : '';
    if (e.kind === 'start') {
      phaseStart = now();
      if (e.phase === 'render' && analyzeStart !== undefined) line(`analyze done in ${seconds(phaseStart - analyzeStart)}`);
      mark = nextMark(0);
      line(`${e.phase}${e.total !== undefined ? ` ${e.total} ${noun}` : ''}...`);
    } else if (e.kind === 'tick' && e.done >= mark) {
      mark = nextMark(e.done);
      line(`${e.phase} ${e.done}${of} ${noun}`);
    } else if (e.kind === 'end') {
      line(`${e.phase} done: ${e.done} ${noun} in ${seconds(now() - phaseStart)}`);
      if (e.phase === 'collect') {
        analyzeStart = now();
        line(`analyzing ${e.done} objects...`);
      }
    }
  };
  return { listener, line };
}
