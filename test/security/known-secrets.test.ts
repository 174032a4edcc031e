import assert from 'node:assert/strict';
import { test } from 'node:test';
import { thrown } from '../../constructs/errors';
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

test("the start of a credential in the few characters V8 quotes of text JSON.parse refused is scrubbed (a --plugins module or a policy parsing one)", () => {
  const value = 'parsed:Plug-Secret-8812';
  rememberSecret(value);
  const quoted = (text: string) => {
    try {
      JSON.parse(text);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('parsed');
  };
  for (const text of [value, `{"a": ${value} and more}`]) {
    const scrubbed = scrubSecrets(quoted(text));
    assert.ok(!scrubbed.includes('parsed:Pl') && !scrubbed.includes('d:Plu'), scrubbed);
    assert.match(scrubbed, /<redacted credential>"\.\.\. is not valid JSON/);
  }
  // A cut quote that holds no credential is left as it is.
  assert.equal(scrubSecrets(`Unexpected token 'h', "hello worl"... is not valid JSON`), `Unexpected token 'h', "hello worl"... is not valid JSON`);
  assert.equal(scrubSecrets('ends ..."Secret-8812" here'), 'ends ..."<redacted credential>" here');
});

test('a credential holding a backslash is scrubbed where util.inspect escaped it (node:assert, console.log of an object, a thrown message quoting one)', async () => {
  const { inspect } = await import('node:util');
  const assertModule = await import('node:assert');
  const value = "inspect:Pa\\ss'\"word-4471";
  rememberSecret(value);
  const inspected = scrubSecrets(`boom ${inspect({ v: value })}`);
  assert.ok(!inspected.includes('ss\'"word-4471'), inspected);
  let message = '';
  try {
    assertModule.equal(value, 'expected-value');
  } catch (e) {
    message = (e as Error).message;
  }
  assert.ok(!scrubSecrets(message).includes('word-4471'), scrubSecrets(message));
});

test("the start of a credential in the quote Node's argument errors cut short ('alice:...') is scrubbed", () => {
  const value = 'alice:supersecretpassword-6203';
  rememberSecret(value);
  let message = '';
  try {
    Buffer.alloc(value as unknown as number);
  } catch (e) {
    message = (e as Error).message;
  }
  assert.match(message, /\.\.\./);
  const scrubbed = scrubSecrets(message);
  assert.ok(!scrubbed.includes('supersecret'), scrubbed);
  assert.match(scrubbed, /<redacted credential>/);
  // A cut quote that holds no credential is left as it is.
  const other = "Received type string ('hello world, this is a lo...')";
  assert.equal(scrubSecrets(other), other);
});

test('each line of a credential that spans lines is scrubbed on its own: findings quote only the first line of what policy code threw', () => {
  const value = 'multi:first-line-secret-3391\nsecond-line-secret-3391';
  rememberSecret(value);
  assert.equal(thrown(new Error(`boom ${value}`)).firstLine, 'boom <redacted credential>');
  assert.equal(thrown(new Error('second-line-secret-3391 at the start')).firstLine, '<redacted credential> at the start');
  // A line is a part, like a password: scrubbed from what policy code threw only, so a
  // common line (a comment, a word) does not vanish from names and paths elsewhere.
  rememberSecret('lines:Lines-Secret-5521\npolicies');
  assert.equal(scrubSecrets('policies/main.ts:3'), 'policies/main.ts:3');
  assert.equal(thrown(new Error('read policies')).firstLine, 'read <redacted credential>');
});

test("a cut quote that shows only a credential's user name is left alone; one that reaches into the password is scrubbed", () => {
  rememberSecret('cutuser:Cut-Secret-Pass-7719');
  assert.equal(scrubSecrets("got ('cutuser...')"), "got ('cutuser...')");
  assert.equal(scrubSecrets("got ('cutuser:Cut...')"), "got ('<redacted credential>...')");
});

test("a line of a credential that spans lines, or its password alone, in the quote Node's argument errors cut short is scrubbed from thrown text", () => {
  const line = 'Cut-Second-Line-Secret-6620-abcdefgh';
  rememberSecret(`cutlines:First-Line-Secret-6620\n${line}`);
  let e: unknown;
  try {
    Buffer.alloc(line as never);
  } catch (err) {
    e = err;
  }
  // Node quotes the first 25 characters of a longer string: "Received type string ('Cut-Second-Line-Secret-66...')".
  assert.match(thrown(e).firstLine, /Received type string \('<redacted credential>\.\.\.'\)$/);
  rememberSecret('cutpwuser:Cut-Password-Alone-6620-abcdefgh');
  try {
    Buffer.alloc('Cut-Password-Alone-6620-abcdefgh' as never);
  } catch (err) {
    e = err;
  }
  assert.match(thrown(e).firstLine, /Received type string \('<redacted credential>\.\.\.'\)$/);
});

test('a revoked Proxy thrown by policy code is still read as a thrown value, not a crash', () => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  assert.equal(thrown(proxy).name, 'Error');
});

test('the password of a user:password credential is scrubbed on its own (policy code that splits the pair may throw with it), the user name is not', () => {
  rememberSecret('splituser:Split-Password-4417');
  assert.equal(thrown(new Error('bad password Split-Password-4417 for splituser')).firstLine, 'bad password <redacted credential> for splituser');
  // Stored as base64, the decoded pair's password too.
  rememberSecret(Buffer.from('b64split:B64-Split-Pass-9931').toString('base64'));
  assert.equal(thrown(new Error('got B64-Split-Pass-9931')).firstLine, 'got <redacted credential>');
  // A password shorter than a whole value may be would scrub ordinary words: left alone.
  rememberSecret('shortpw:abc');
  assert.equal(thrown(new Error('abc')).firstLine, 'abc');
});

test('a password that is an ordinary word is scrubbed from what policy code threw, not from the names and paths of every other output', () => {
  rememberSecret('ops:waypoint');
  // diff prints its whole report through the scrubber: the word names the tool, objects and files.
  const report = 'waypoint-policy diff HEAD..working tree\n  changed Gateway shop/waypoint [default] (default/1-waypoints/shop/gateway-waypoint.yaml) at policies/waypoint.ts:6';
  assert.equal(scrubSecrets(report), report);
  assert.equal(scrubSecrets(JSON.stringify({ waypointFor: 'service' })), JSON.stringify({ waypointFor: 'service' }));
  assert.equal(thrown(new Error('password waypoint refused')).firstLine, 'password <redacted credential> refused');
});

test('a credential that holds an earlier one is scrubbed whole, not left with its tail in view', () => {
  rememberSecret('prefixed:Short-Pass-4410');
  rememberSecret('prefixed:Short-Pass-4410-and-the-rest-9902');
  assert.equal(scrubSecrets('got prefixed:Short-Pass-4410-and-the-rest-9902 here'), 'got <redacted credential> here');
});
