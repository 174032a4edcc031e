import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { collectGarbage } from '../../compiler/memory';

test('collectGarbage really collects, without --expose-gc on the command line', async () => {
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined', 'the test must run without --expose-gc');
  let ref: WeakRef<object> | undefined;
  (() => {
    ref = new WeakRef({ payload: new Array(100_000).fill('garbage') });
  })();
  // A WeakRef's target stays alive until the current job ends.
  await nextTurn();
  collectGarbage();
  assert.equal(ref!.deref(), undefined);
});
