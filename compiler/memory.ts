import * as v8 from 'node:v8';
import * as vm from 'node:vm';

let gc: (() => void) | null | undefined;

/**
 * Collect garbage now. A large synth calls it once, between analysis and
 * render: analysis leaves hundreds of megabytes of garbage that V8 would only
 * collect after the heap had grown further, and render then allocates every
 * file. At 5,000 namespaces that one collection (~0.1-0.2 s) lowers peak RSS
 * by ~150 MB (docs/performance.md).
 *
 * Node exposes `gc` only under `--expose-gc`; the flag can be set at run time,
 * and then takes effect in new contexts, which is where the function is taken
 * from. Where that fails, this does nothing.
 */
export function collectGarbage(): void {
  if (gc === undefined) gc = findGc();
  gc?.();
}

function findGc(): (() => void) | null {
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === 'function') return own as () => void;
  try {
    v8.setFlagsFromString('--expose-gc');
    const fn = vm.runInNewContext('gc') as unknown;
    // Only this function was wanted: later contexts and workers get no `gc` global.
    v8.setFlagsFromString('--no-expose-gc');
    return typeof fn === 'function' ? (fn as () => void) : null;
  } catch {
    return null;
  }
}
