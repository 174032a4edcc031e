import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { sortByCodeUnit } from '../../compiler/code-unit-sort';

// Keys as objects hold them: short and long, numeric-looking, non-ASCII,
// lone surrogates, and case that a locale-aware sort would fold together.
const key = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('', '10', '9', '1', 'a', 'B', 'b', 'é', 'e', 'z', '\uD800', '\uFFFF', '😀', 'metadata', 'apiVersion', 'app.kubernetes.io/name'),
);

test('sorts exactly as the built-in default sort, short arrays and long, duplicates included', () => {
  fc.assert(
    fc.property(fc.array(key, { maxLength: 60 }), (items) => {
      const expected = [...items].sort();
      const copy = [...items];
      const sorted = sortByCodeUnit(copy);
      assert.deepEqual(sorted, expected);
      assert.equal(sorted, copy, 'sorts in place and returns the same array');
    }),
    { numRuns: 2000 },
  );
});

test('orders by UTF-16 code unit, not by locale or number', () => {
  assert.deepEqual(sortByCodeUnit(['b', 'B', 'é', 'e', '10', '9', 'Z', 'a']), ['10', '9', 'B', 'Z', 'a', 'b', 'e', 'é']);
  // A supplementary character is a surrogate pair, which sorts below U+FFFF.
  assert.deepEqual(sortByCodeUnit(['\uFFFF', '😀']), ['😀', '\uFFFF']);
});
