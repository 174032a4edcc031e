import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rememberSecret, scrubSecrets } from '../../constructs/internal/known-secrets';

test('a credential stored as base64 is scrubbed in its decoded user:password form too (an error may quote what the plugin compares)', () => {
  const pair = 'b64scrub:Decoded-Secret-7731';
  rememberSecret(Buffer.from(pair).toString('base64'));
  assert.equal(scrubSecrets(`rule accepts ${pair} only`), 'rule accepts <redacted credential> only');
});

test('a credential holding a quote or a backslash is scrubbed where JSON escaped it (diff --json, a JSON.parse error)', () => {
  const value = 'quote:Se"cr\\et-Pass-5120';
  rememberSecret(value);
  const json = JSON.stringify({ prefix: `/keys/${value}` });
  assert.ok(!scrubSecrets(json).includes('cr\\\\et-Pass'), scrubSecrets(json));
  assert.deepEqual(JSON.parse(scrubSecrets(json)), { prefix: '/keys/<redacted credential>' });
});

test('base64-looking words that decode to no user:password add nothing to scrub', () => {
  rememberSecret('abcdefgh');
  // "abcdefgh" decodes to bytes that are no printable pair: only the word itself is scrubbed.
  assert.equal(scrubSecrets('i\u00b7\u001dy\u00f8!'), 'i\u00b7\u001dy\u00f8!');
  assert.equal(scrubSecrets('x abcdefgh y'), 'x <redacted credential> y');
});
