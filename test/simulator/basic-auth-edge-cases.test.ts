/**
 * basic_auth edge cases end to end through `simulate()` (and, for header
 * parsing, through `explain -H`): the upstream configuration cases A1-A7 of
 * shared/reference/basic-auth-upstream-unit-cases.md each sent a request,
 * colons in credentials, the module's base64 acceptance rule, empty
 * credentials, and Authorization header names and repeats. Expected values
 * come from shared/reference/wasm-plugin-semantics.md (cited as §x.y).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { main } from '../../cli/main';
import type { KubeObject } from '../../compiler/model';
import { simulate, type SimRequest, type SimulationResult } from '../../simulator';
import { captureIo, tempDir } from '../support/helpers';
import { b64, modelOf, namespace, plugin, toGateway, waypoint } from './fixtures';

const PLAIN3 = ['ok:test', 'admin:admin', 'admin2:admin2'];
const ADMIN3_B64 = 'YWRtaW4zOmFkbWluMw=='; // base64 of admin3:admin3, as the upstream test writes it
const OBJECT = 'WasmPlugin default/auth';
const NO_BASIC = 'Request_denied_by_Basic_Auth_check._No_Basic_Authentication_information_found.';
const INVALID = 'Request_denied_by_Basic_Auth_check._Invalid_username_and/or_password';
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function objects(config: unknown): KubeObject[] {
  return [namespace('default', { 'istio.io/use-waypoint': 'waypoint' }), waypoint('default', 'waypoint'), plugin('default', 'auth', { targetRefs: toGateway('waypoint'), phase: 'AUTHN', pluginConfig: config })];
}

/** One request to default/app:80 through the waypoint that runs the plugin. */
function send(config: unknown, request: Partial<SimRequest> = {}): SimulationResult {
  return simulate(modelOf(objects(config)), { to: 'default/app:80', ...request });
}

/** `Authorization: <value>` as a list of pairs, the form `explain -H` hands `simulate()`. */
const auth = (value: string, name = 'Authorization'): SimRequest['headers'] => [[name, value]];

/** The plugin's own trace entry. */
function pluginEntry(r: SimulationResult) {
  const e = r.trace.find((t) => t.step === 'plugin' && t.object === OBJECT);
  assert.ok(e, 'the plugin has a trace entry');
  return e;
}

function assertPassed(r: SimulationResult, detail?: RegExp): void {
  assert.equal(r.status, 200);
  assert.equal(r.reason, 'every proxy lets the request through to Service default/app:80');
  assert.equal(pluginEntry(r).decision, 'pass');
  if (detail) assert.match(pluginEntry(r).detail, detail);
}

/** A 401 local reply from the plugin (§1.6): realm header unquoted, empty body, and the details the module sends. */
function assertDenied(r: SimulationResult, details: string, why?: RegExp): void {
  assert.equal(r.status, 401);
  assert.deepEqual(r.headers, { 'www-authenticate': 'Basic realm=istio' });
  assert.equal(r.body, '');
  assert.equal(r.reason, `401 from ${OBJECT} on waypoint default/waypoint`);
  const e = pluginEntry(r);
  assert.equal(e.decision, 'deny');
  assert.match(e.detail, new RegExp(`=> 401 \\(details ${escape(details)}\\)`));
  if (why) assert.match(e.detail, why);
}

/** onConfigure returns false: Envoy NACKs the config and, with no earlier good config, answers 500 with an empty body (§1.3). */
function assertRefused(r: SimulationResult, problem: RegExp): void {
  assert.equal(r.status, 500);
  assert.deepEqual(r.headers, {});
  assert.equal(r.body, '');
  assert.equal(r.reason, `500 from ${OBJECT} on waypoint default/waypoint`);
  const e = pluginEntry(r);
  assert.equal(e.decision, 'refused-config');
  assert.match(e.detail, /basic_auth refuses its config \(onConfigure returns false\)/);
  assert.match(e.detail, problem);
  assert.match(e.detail, /answers 500 with an empty body to every request on this chain \(NoFilterConfigFound\)/);
}

/** Several Authorization headers reach a matching rule: §1.6 leaves which one the module reads unverified, so no status. */
function assertUndetermined(r: SimulationResult, count: number): void {
  assert.equal(r.status, null);
  assert.equal(r.body, null);
  assert.equal(r.reason, `undetermined: ${OBJECT} on waypoint default/waypoint is not simulated`);
  const e = pluginEntry(r);
  assert.equal(e.decision, 'not-simulated');
  assert.match(e.detail, new RegExp(`the request has ${count} Authorization headers: which one Envoy hands the module is not verified, so this is not simulated`));
}

/** One rule: prefix `/` (every path), GET, the given credentials. */
const every = (credentials: string[]) => ({ basic_auth_rules: [{ prefix: '/', request_methods: ['GET'], credentials }] });
const rule = (r: Record<string, unknown>) => ({ basic_auth_rules: [r] });

describe('upstream configuration cases A1-A7, each sent requests through simulate()', () => {
  const A1 = {
    basic_auth_rules: [
      { prefix: '/api', request_methods: ['GET', 'POST'], credentials: [...PLAIN3, ADMIN3_B64] },
      { exact: '/api', request_methods: ['GET', 'POST'], credentials: [ADMIN3_B64, ...[...PLAIN3].reverse()] },
    ],
  };

  test('A1 OnConfigureSuccess: GET /api matches both rules, and each accepts ok:test', () => {
    assertPassed(send(A1, { path: '/api', headers: auth(`Basic ${b64('ok:test')}`) }), /rule #1 \(prefix "\/api".*accepts the credential \(#1 of 4\); rule #2 \(exact "\/api".*accepts the credential \(#4 of 4\); every matching rule accepts the credential/);
  });

  test('A1: the credential configured as base64 is accepted in its padded form (upstream B3)', () => {
    assertPassed(send(A1, { method: 'POST', path: '/api/config', headers: auth(`Basic ${ADMIN3_B64}`) }));
    assertPassed(send(A1, { method: 'POST', path: '/api', headers: auth(`Basic ${b64('admin3:admin3')}`) }));
  });

  test('A1: a credential not listed, or none, is a 401 from the first matching rule (§1.5 step 3)', () => {
    assertDenied(send(A1, { path: '/api', headers: auth(`Basic ${b64('wrong-cred')}`) }), INVALID, /rule #1 \(prefix "\/api"/);
    assertDenied(send(A1, { path: '/api/test' }), NO_BASIC, /no Authorization header/);
  });

  test('A1: a method neither rule lists passes without a credential (§1.5 step 1)', () => {
    assertPassed(send(A1, { method: 'PUT', path: '/api' }), /no basic_auth rule lists method PUT/);
  });

  // The upstream configs exactly; each is refused, so the chain answers 500
  // to every request, a valid credential and an unprotected path included.
  const refused: [string, unknown, RegExp][] = [
    ['A2 OnConfigureNoRequestPath', rule({ request_methods: ['GET', 'POST'], credentials: PLAIN3 }), /basic_auth_rules\[0\]: a rule needs exactly one of prefix, exact or suffix; got none/],
    ['A3 OnConfigureMoreThanOneRequestPath', rule({ prefix: '/api', exact: '/api', request_methods: ['GET', 'POST'], credentials: PLAIN3 }), /basic_auth_rules\[0\]: a rule needs exactly one of prefix, exact or suffix; got prefix and exact/],
    ['A4 OnConfigureNoRequestMethod', rule({ prefix: '/api', request_methods: [], credentials: PLAIN3 }), /basic_auth_rules\[0\]\.request_methods: request_methods must list at least one method/],
    ['A5 OnConfigureWrongRequestMethodType', rule({ prefix: '/api', request_methods: 'GET', credentials: PLAIN3 }), /basic_auth_rules\[0\]\.request_methods: .*expected array/],
    ['A6 OnConfigureNoCredentials', rule({ prefix: '/api', request_methods: ['GET', 'POST'], credentials: [] }), /basic_auth_rules\[0\]\.credentials: credentials must list at least one credential/],
  ];
  for (const [name, config, problem] of refused) {
    test(`${name}: refused, so 500 with an empty body to every request on the chain (§1.3)`, () => {
      assertRefused(send(config, { path: '/api/test', headers: auth(`Basic ${b64('ok:test')}`) }), problem);
      assertRefused(send(config, { method: 'PUT', path: '/elsewhere' }), problem);
    });
  }

  test('A7 OnConfigureEmptyConfig: {} has no rules, so every request passes', () => {
    assertPassed(send({}, { path: '/api' }), /no basic_auth rule lists method GET/);
    assertPassed(send({}, { method: 'POST', path: '/api/config', headers: auth('Basic garbage') }));
  });
});

describe('credentials with colons: base64 of the whole string, never split (§1.4)', () => {
  test('user:pa:ss: only the whole string passes', () => {
    const config = every(['user:pa:ss']);
    assertPassed(send(config, { headers: auth(`Basic ${b64('user:pa:ss')}`) }));
    assertDenied(send(config, { headers: auth(`Basic ${b64('user:pa')}`) }), INVALID);
    assertDenied(send(config, { headers: auth(`Basic ${b64('pa:ss')}`) }), INVALID);
  });

  test('ok: (an empty password) is accepted; ok and ok:x are not the same credential', () => {
    const config = every(['ok:']);
    assertPassed(send(config, { headers: auth(`Basic ${b64('ok:')}`) }));
    assertDenied(send(config, { headers: auth(`Basic ${b64('ok')}`) }), INVALID);
    assertDenied(send(config, { headers: auth(`Basic ${b64('ok:x')}`) }), INVALID);
  });

  test(': alone (empty user and password) is accepted, stored as the padded Og==', () => {
    const config = every([':']);
    assert.equal(b64(':'), 'Og==');
    assertPassed(send(config, { headers: auth('Basic Og==') }));
    // Stored with padding and compared byte for byte: the unpadded form fails.
    assertDenied(send(config, { headers: auth('Basic Og') }), INVALID, /another base64 form/);
  });

  test('a non-ASCII user:password is the base64 of its UTF-8 bytes', () => {
    assertPassed(send(every(['üser:päss']), { headers: auth(`Basic ${b64('üser:päss')}`) }));
  });
});

describe('credentials without a colon: decodeWithoutPadding decides, and they are stored verbatim (§1.4)', () => {
  const BAD = /basic_auth_rules\[0\]\.credentials\[0\]: credential #1 is neither "user:pass" nor valid base64, so the plugin refuses its whole config/;
  const invalid: [string, string][] = [
    ['QR', 'two characters: R (17) has low 4 bits 0001, which must be zero'],
    ['QUJ', 'three characters: J (9) has low 2 bits 01, which must be zero'],
    ['Q', 'one character (n % 4 == 1) is never valid'],
    ['=', 'nothing is left once the padding is stripped'],
    ['==', 'nothing is left once the padding is stripped'],
    ['===', 'only two = are stripped; the = left is one character and not in the alphabet'],
    ['Q=Q=', 'one = stripped, then = at position 1 is not in the alphabet'],
  ];
  for (const [credential, why] of invalid) {
    test(`${JSON.stringify(credential)} is refused (${why}): 500, even for the same string sent`, () => {
      assertRefused(send(every([credential]), { headers: auth(`Basic ${credential}`) }), BAD);
    });
  }

  test('one invalid credential refuses the whole config: the valid ones next to it do not pass either', () => {
    assertRefused(send(every(['ok:test', 'QR']), { headers: auth(`Basic ${b64('ok:test')}`) }), /credentials\[1\]: credential #2 is neither/);
  });

  test('QQ (Q is 16, low 4 bits zero) is accepted verbatim: only a client sending QQ passes, not the standard QQ==', () => {
    const config = every(['QQ']);
    assertPassed(send(config, { headers: auth('Basic QQ') }));
    assertDenied(send(config, { headers: auth('Basic QQ==') }), INVALID, /another base64 form/);
  });

  test('QUI (I is 8, low 2 bits zero) is accepted verbatim: QUI passes, QUI= does not', () => {
    const config = every(['QUI']);
    assertPassed(send(config, { headers: auth('Basic QUI') }));
    assertDenied(send(config, { headers: auth('Basic QUI=') }), INVALID);
  });

  test('over-padded QUJD= is accepted and stored as written: QUJD= passes, the standard QUJD does not', () => {
    const config = every(['QUJD=']);
    assertPassed(send(config, { headers: auth('Basic QUJD=') }));
    assertDenied(send(config, { headers: auth('Basic QUJD') }), INVALID);
  });

  test('test decodes, so it is a credential a client must send as Basic test', () => {
    const config = every(['test']);
    assertPassed(send(config, { headers: auth('Basic test') }));
    assertDenied(send(config, { headers: auth(`Basic ${b64('test')}`) }), INVALID);
  });

  test('admin and a-b_c do not decode: refused', () => {
    assertRefused(send(every(['admin'])), BAD);
    assertRefused(send(every(['a-b_c'])), BAD);
  });
});

describe('empty credentials', () => {
  test('an empty credential string in the config refuses the whole config (§1.4): 500', () => {
    assertRefused(send(every(['']), { headers: auth('Basic ') }), /credentials\[0\]: credential #1 is neither "user:pass" nor valid base64/);
    assertRefused(send(every(['ok:test', '']), { headers: auth(`Basic ${b64('ok:test')}`) }), /credentials\[1\]/);
  });

  test('an empty Authorization header, or a bare Basic, is a 401 with "No Basic Authentication information found" (§1.6)', () => {
    assertDenied(send(every(['ok:test']), { headers: auth('') }), NO_BASIC, /does not start with 'Basic '/);
    assertDenied(send(every(['ok:test']), { headers: auth('Basic') }), NO_BASIC, /does not start with 'Basic '/);
  });

  test('Basic followed by an empty credential is a 401', () => {
    // With the trailing space trimmed (§1.6: Envoy's HTTP/1 codec normally trims OWS; marked unverified there)
    // the module sees a bare "Basic"; untrimmed it would compare "" and answer "Invalid username and/or
    // password". Either way 401: asserted is the simulator's reading, trimmed.
    assertDenied(send(every(['ok:test']), { headers: auth('Basic ') }), NO_BASIC);
    assertDenied(send(every([':']), { headers: auth('Basic ') }), NO_BASIC);
  });

  test('the scheme is exactly "Basic " (§1.6): BASIC, basic and a doubled space are 401', () => {
    const config = every(['ok:test']);
    assertDenied(send(config, { headers: auth(`BASIC ${b64('ok:test')}`) }), NO_BASIC, /not exactly 'Basic '/);
    assertDenied(send(config, { headers: auth(`basic ${b64('ok:test')}`) }), NO_BASIC, /not exactly 'Basic '/);
    assertDenied(send(config, { headers: auth(`Basic  ${b64('ok:test')}`) }), INVALID);
  });
});

describe('Authorization header names and repeats through simulate() header parsing', () => {
  const config = every(['ok:test']);
  const good = `Basic ${b64('ok:test')}`;
  const wrong = `Basic ${b64('ok:nope')}`;

  for (const name of ['authorization', 'Authorization', 'AUTHORIZATION', 'aUtHoRiZaTiOn']) {
    test(`${name}: the name is case-insensitive, as pairs and as a record`, () => {
      assertPassed(send(config, { headers: [[name, good]] }));
      assertPassed(send(config, { headers: { [name]: good } }));
      assertDenied(send(config, { headers: [[name, wrong]] }), INVALID);
    });
  }

  test('another header holding the credential is not Authorization', () => {
    assertDenied(send(config, { headers: [['Proxy-Authorization', good], ['X-Authorization', good]] }), NO_BASIC, /no Authorization header/);
  });

  test('two Authorization headers on a matching rule: not simulated, whatever their case or values (§1.6: not verified)', () => {
    assertUndetermined(send(config, { headers: [['Authorization', good], ['authorization', good]] }), 2);
    assertUndetermined(send(config, { headers: [['AUTHORIZATION', good], ['Authorization', wrong]] }), 2);
    assertUndetermined(send(config, { headers: { Authorization: wrong, authorization: good } }), 2);
    assertUndetermined(send(config, { headers: [['authorization', good], ['Authorization', good], ['AUTHORIZATION', good]] }), 3);
  });

  test('two Authorization headers where no rule matches: the module never reads the header, the request passes', () => {
    const headers: SimRequest['headers'] = [['Authorization', good], ['authorization', 'Basic x']];
    assertPassed(send(config, { method: 'POST', headers }), /no basic_auth rule lists method POST/);
    assertPassed(send(rule({ prefix: '/admin', request_methods: ['GET'], credentials: ['ok:test'] }), { path: '/public', headers }), /skipped: path "\/public" does not match/);
  });

  test('surrounding spaces and tabs are trimmed from the value (§1.6: normally trimmed by Envoy, marked unverified there)', () => {
    assertPassed(send(config, { headers: auth(` \t${good} \t`) }));
  });
});

describe('Authorization headers through explain -H (the CLI parses them and calls simulate())', () => {
  const dir = tempDir('wp-ba-edge-');
  objects(every(['ok:test'])).forEach((o, i) => fs.writeFileSync(path.join(dir, `${i}-${o.kind.toLowerCase()}-${o.metadata.name}.yaml`), stringify(o)));
  const good = b64('ok:test');

  async function explain(...headers: string[]): Promise<{ status: number | null; trace: { step: string; object?: string; detail: string }[] }> {
    const io = captureIo();
    const code = await main(['explain', '--manifests', dir, '--to', 'default/app:80', ...headers.flatMap((h) => ['-H', h]), '--json'], io);
    assert.equal(code, 0, io.text());
    return JSON.parse(io.stdout.join('\n'));
  }

  for (const name of ['authorization', 'Authorization', 'AUTHORIZATION']) {
    test(`-H '${name}: Basic ...' passes; a wrong credential is a 401`, async () => {
      assert.equal((await explain(`${name}: Basic ${good}`)).status, 200);
      assert.equal((await explain(`${name}: Basic ${b64('ok:nope')}`)).status, 401);
    });
  }

  test('no space, or several, after the colon: the value is the same', async () => {
    assert.equal((await explain(`Authorization:Basic ${good}`)).status, 200);
    assert.equal((await explain(`Authorization:   Basic ${good}`)).status, 200);
  });

  test("-H 'Authorization: Basic' (empty credential) is a 401 with No Basic Authentication information", async () => {
    const r = await explain('Authorization: Basic ');
    assert.equal(r.status, 401);
    assert.match(r.trace.find((e) => e.object === OBJECT)!.detail, new RegExp(escape(NO_BASIC)));
  });

  test('two -H Authorization of different case are two headers: no status', async () => {
    const r = await explain(`Authorization: Basic ${good}`, `AUTHORIZATION: Basic ${good}`);
    assert.equal(r.status, null);
    assert.match(r.trace.find((e) => e.object === OBJECT)!.detail, /the request has 2 Authorization headers/);
  });
});

describe('other configs the module refuses or accepts (§1.1, §1.2), sent a request', () => {
  test('refused: realm not a string, basic_auth_rules not an array, a rule that is a string, a misspelt request_methods', () => {
    assertRefused(send({ realm: 5, basic_auth_rules: [] }), /refuses its config \(onConfigure returns false\): realm: /);
    assertRefused(send({ basic_auth_rules: {} }), /refuses its config \(onConfigure returns false\): basic_auth_rules: .*expected array/);
    assertRefused(send({ basic_auth_rules: ['x'] }), /refuses its config \(onConfigure returns false\): basic_auth_rules\[0\]: .*expected object/);
    assertRefused(send(rule({ prefix: '/', methods: ['GET'], credentials: ['ok:test'] })), /basic_auth_rules\[0\]\.request_methods: .*expected array, received undefined/);
  });

  test('accepted: an empty rule list and unknown keys; nothing is protected', () => {
    assertPassed(send({ basic_auth_rules: [] }));
    assertPassed(send({ basic_auth_rules: [], foo: 1 }));
  });

  test('methods are exact and case-sensitive (§1.5 step 1): a rule for get is loaded but does not protect GET', () => {
    // Only the GET side is asserted: what a proxy does with a lower-case request method is not in the references.
    const config = rule({ prefix: '/', request_methods: ['get'], credentials: ['ok:test'] });
    assertPassed(send(config, { method: 'GET' }), /no basic_auth rule lists method GET/);
  });
});
