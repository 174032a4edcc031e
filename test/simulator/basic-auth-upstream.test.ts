/**
 * The basic_auth module's own unit tests (wasm-extensions 1.12.0,
 * extensions/basic_auth/plugin_test.cc, cases A1-A7 and B1-B15 of
 * shared/reference/basic-auth-upstream-unit-cases.md), replayed against the
 * evaluator, plus the host and query-string rules of the module's `check`.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { basicAuthEvaluator, hostWithoutPort, parseBasicAuthConfig } from '../../simulator/basic-auth';
import type { PluginDecision } from '../../simulator/plugin-evaluator';
import type { HttpRequest } from '../../simulator/request';
import { simulate } from '../../simulator/simulate';
import { b64, BASIC_AUTH, modelOf, namespace, plugin, toGateway, waypoint } from './fixtures';

const PLAIN3 = ['ok:test', 'admin:admin', 'admin2:admin2'];
const ADMIN3_B64 = 'YWRtaW4zOmFkbWluMw=='; // base64 of admin3:admin3, as the upstream test writes it

function request(method: string, path: string, authorization?: string, authority = ''): HttpRequest {
  return { method, path, authority, headers: new Map(authorization === undefined ? [] : [['authorization', [authorization]]]) };
}

function evaluate(config: unknown, req: HttpRequest): PluginDecision {
  return basicAuthEvaluator.evaluate({ config, request: req, plugin: { namespace: 'default', name: 'basic-auth', url: BASIC_AUTH } });
}

/** The status a decision leads to: 200 for Continue, the local reply's status otherwise. */
function statusOf(d: PluginDecision): number | string {
  if (d.kind === 'pass') return 200;
  if (d.kind === 'respond') return d.status;
  return d.kind;
}

describe('upstream configuration cases (onConfigure)', () => {
  const accepted = (config: unknown) => parseBasicAuthConfig(config).ok;

  test('A1 OnConfigureSuccess: two rules, plain and base64 credentials: accepted', () => {
    const credentials = ['ok:test', 'admin:admin', 'admin2:admin2', ADMIN3_B64];
    assert.equal(
      accepted({
        basic_auth_rules: [
          { prefix: '/api', request_methods: ['GET', 'POST'], credentials },
          { exact: '/api', request_methods: ['GET', 'POST'], credentials: [...credentials].reverse() },
        ],
      }),
      true,
    );
  });

  test('A2 OnConfigureNoRequestPath: none of prefix, exact, suffix: refused', () => {
    assert.equal(accepted({ basic_auth_rules: [{ request_methods: ['GET', 'POST'], credentials: PLAIN3 }] }), false);
  });

  test('A3 OnConfigureMoreThanOneRequestPath: prefix and exact: refused', () => {
    assert.equal(accepted({ basic_auth_rules: [{ prefix: '/api', exact: '/api', request_methods: ['GET', 'POST'], credentials: PLAIN3 }] }), false);
  });

  test('A4 OnConfigureNoRequestMethod: an empty list is refused, it does not mean all methods', () => {
    assert.equal(accepted({ basic_auth_rules: [{ prefix: '/api', request_methods: [], credentials: PLAIN3 }] }), false);
  });

  test('A5 OnConfigureWrongRequestMethodType: a string instead of a list: refused', () => {
    assert.equal(accepted({ basic_auth_rules: [{ prefix: '/api', request_methods: 'GET', credentials: PLAIN3 }] }), false);
  });

  test('A6 OnConfigureNoCredentials: an empty credentials list: refused', () => {
    assert.equal(accepted({ basic_auth_rules: [{ prefix: '/api', request_methods: ['GET', 'POST'], credentials: [] }] }), false);
  });

  test('A7 OnConfigureEmptyConfig: {} is accepted and lets every request through', () => {
    assert.equal(accepted({}), true);
    assert.equal(statusOf(evaluate({}, request('GET', '/api'))), 200);
    // No pluginConfig at all reaches the module as an empty config: accepted too.
    assert.equal(statusOf(evaluate(undefined, request('GET', '/api'))), 200);
  });

  test('a refused config is reported as such, and the module sees no request', () => {
    const d = evaluate({ basic_auth_rules: [{ prefix: '/api', request_methods: [], credentials: PLAIN3 }] }, request('GET', '/api'));
    assert.equal(d.kind, 'refused-config');
    assert.match(d.detail, /refuses its config/);
  });

  test('a credential that is neither user:pass nor base64 makes the whole config refused, and is never echoed', () => {
    const d = evaluate({ basic_auth_rules: [{ prefix: '/', request_methods: ['GET'], credentials: ['admin1'] }] }, request('GET', '/'));
    assert.equal(d.kind, 'refused-config');
    assert.doesNotMatch(d.detail, /admin1/);
  });

  test('lower-case methods and empty host entries are accepted by the module (they just never match)', () => {
    assert.equal(accepted({ basic_auth_rules: [{ prefix: '/', request_methods: ['get'], credentials: ['ok:test'] }] }), true);
    assert.equal(statusOf(evaluate({ basic_auth_rules: [{ prefix: '/', request_methods: ['get'], credentials: ['ok:test'] }] }, request('GET', '/'))), 200);
    assert.equal(accepted({ basic_auth_rules: [{ prefix: '/', request_methods: ['GET'], credentials: ['ok:test'], hosts: [''] }] }), true);
  });

  test('an empty path string is undefined behaviour in the module: not simulated', () => {
    assert.equal(evaluate({ basic_auth_rules: [{ prefix: '', request_methods: ['GET'], credentials: ['ok:test'] }] }, request('GET', '/')).kind, 'not-simulated');
  });
});

describe('upstream request cases (onRequestHeaders, no hosts)', () => {
  const P4 = { basic_auth_rules: [{ prefix: '/api', request_methods: ['GET', 'POST'], credentials: ['ok:test', 'admin:admin', 'admin2:admin2', ADMIN3_B64] }] };
  const P3 = { basic_auth_rules: [{ prefix: '/api', request_methods: ['GET', 'POST'], credentials: PLAIN3 }] };
  const E3 = { basic_auth_rules: [{ exact: '/api', request_methods: ['GET', 'POST'], credentials: PLAIN3 }] };
  const S3 = { basic_auth_rules: [{ suffix: '/api', request_methods: ['GET', 'POST'], credentials: PLAIN3 }] };

  const cases: [string, unknown, string, string, string, number][] = [
    ['B1 PrefixAllow', P4, 'GET', '/api/test', `Basic ${b64('ok:test')}`, 200],
    ['B2 PrefixAllow', P4, 'POST', '/api/config', `Basic ${b64('admin2:admin2')}`, 200],
    ['B3 PrefixAllow (credential configured as base64)', P4, 'POST', '/api/config', `Basic ${b64('admin3:admin3')}`, 200],
    ['B4 PrefixAllow (PUT has no rule)', P4, 'PUT', '/api/config', `Basic ${b64('admin2:admin2')}`, 200],
    ['B5 PrefixAllow (neither method nor path)', P4, 'PUT', '/config', `Basic ${b64('admin2:admin2')}`, 200],
    ['B6 PrefixDeny (credential not listed)', P3, 'GET', '/api/test', `Basic ${b64('wrong-cred')}`, 401],
    ['B7 PrefixDeny (no Basic prefix)', P3, 'POST', '/api/config', b64('admin2:admin2'), 401],
    ['B8 ExactAllow', E3, 'GET', '/api', `Basic ${b64('ok:test')}`, 200],
    ['B9 ExactAllow (made-up method)', E3, 'something', '/api/config', `Basic ${b64('some-cred')}`, 200],
    ['B10 ExactDeny', E3, 'GET', '/api', `Basic ${b64('wrong-cred')}`, 401],
    ['B11 ExactDeny (no Basic prefix)', E3, 'POST', '/api', b64('admin2:admin2'), 401],
    ['B12 SuffixAllow', S3, 'GET', '/test/api', `Basic ${b64('ok:test')}`, 200],
    ['B13 SuffixAllow (made-up method)', S3, 'something', '/api', `Basic ${b64('some-cred')}`, 200],
    ['B14 SuffixDeny', S3, 'GET', '/test/api', `Basic ${b64('wrong-cred')}`, 401],
    ['B15 SuffixDeny (no Basic prefix)', S3, 'POST', '/test/api', b64('admin2:admin2'), 401],
  ];
  for (const [name, config, method, path, authorization, expected] of cases) {
    test(`${name}: ${method} ${path} => ${expected}`, () => {
      assert.equal(statusOf(evaluate(config, request(method, path, authorization))), expected);
    });
  }

  test('a 401 carries WWW-Authenticate: Basic realm=<realm> unquoted, default istio, and an empty body', () => {
    const d = evaluate(P3, request('GET', '/api'));
    assert.deepEqual(d.kind === 'respond' && [d.headers, d.body], [{ 'www-authenticate': 'Basic realm=istio' }, '']);
    const custom = evaluate({ ...P3, realm: 'test' }, request('GET', '/api'));
    assert.deepEqual(custom.kind === 'respond' && custom.headers, { 'www-authenticate': 'Basic realm=test' });
  });

  test("the details are plugin.cc's strings with spaces as '_': the invalid-credential one has no final period", () => {
    // deniedNoBasicAuthData ends "...found.", deniedInvalidCredentials ends "...password" (wasm-extensions 1.12.0 plugin.cc).
    assert.match(evaluate(P3, request('GET', '/api')).detail, /\(details Request_denied_by_Basic_Auth_check\._No_Basic_Authentication_information_found\.\)/);
    assert.match(evaluate(P3, request('GET', '/api', `Basic ${b64('wrong-cred')}`)).detail, /\(details Request_denied_by_Basic_Auth_check\._Invalid_username_and\/or_password\)/);
  });
});

describe('hosts (hostMatch)', () => {
  const withHosts = (hosts: string[]) => ({ basic_auth_rules: [{ prefix: '/', request_methods: ['GET'], credentials: ['ok:test'], hosts }] });
  /** 401 when the rule applies (no credential sent), 200 when its hosts skip it. */
  const applies = (hosts: string[], authority: string) => statusOf(evaluate(withHosts(hosts), request('GET', '/', undefined, authority))) === 401;

  test('the port is cut at the last colon', () => {
    assert.equal(hostWithoutPort('example.com:8080'), 'example.com');
    assert.equal(applies(['example.com'], 'example.com:8080'), true);
  });

  test('an IPv6 literal keeps its brackets, with or without a port', () => {
    assert.equal(hostWithoutPort('[::1]:80'), '[::1]');
    assert.equal(hostWithoutPort('[::1]'), '[::1]');
    assert.equal(applies(['[::1]'], '[::1]:80'), true);
  });

  test('a leading * is a suffix match; *.foo.com does not match foo.com', () => {
    assert.equal(applies(['*.foo.com'], 'a.foo.com:443'), true);
    assert.equal(applies(['*.foo.com'], 'foo.com'), false);
  });

  test('a trailing * is a prefix match', () => {
    assert.equal(applies(['api.*'], 'api.example.com'), true);
    assert.equal(applies(['api.*'], 'web.example.com'), false);
  });

  test('the leading * is checked first: *foo* is a suffix match on "foo*"', () => {
    assert.equal(applies(['*foo*'], 'xfoo'), false);
    assert.equal(applies(['*foo*'], 'xfoo*'), true);
  });

  test('* alone matches every host; anything else is exact and case-sensitive', () => {
    assert.equal(applies(['*'], 'anything.example'), true);
    assert.equal(applies(['foo.com'], 'Foo.com'), false);
    assert.equal(applies(['foo.com'], 'foo.com.evil'), false);
  });

  test('a rule whose hosts do not match is skipped as if absent', () => {
    const d = evaluate(withHosts(['other.example']), request('GET', '/', undefined, 'example.com'));
    assert.equal(d.kind, 'pass');
    assert.match(d.detail, /skipped: host "example.com"/);
  });
});

describe('paths, methods and the credential check', () => {
  const rule = (match: Record<string, string>) => ({ basic_auth_rules: [{ ...match, request_methods: ['GET'], credentials: ['ok:test'] }] });
  const protectedBy = (match: Record<string, string>, path: string) => statusOf(evaluate(rule(match), request('GET', path))) === 401;

  test('prefix is a plain string prefix of the raw path, query included', () => {
    assert.equal(protectedBy({ prefix: '/api' }, '/apiary'), true);
    assert.equal(protectedBy({ prefix: '/api' }, '/api?x=1'), true);
    assert.equal(protectedBy({ prefix: '/api?admin' }, '/api?admin=1'), true);
    assert.equal(protectedBy({ prefix: '/api' }, '/API'), false);
  });

  test('exact compares the whole path with its query', () => {
    assert.equal(protectedBy({ exact: '/api' }, '/api?x=1'), false);
    assert.equal(protectedBy({ exact: '/api' }, '/api/'), false);
    assert.equal(protectedBy({ exact: '/api?x=1' }, '/api?x=1'), true);
  });

  test('suffix is checked against the end of the path including the query', () => {
    assert.equal(protectedBy({ suffix: '.png' }, '/a.png'), true);
    assert.equal(protectedBy({ suffix: '.png' }, '/a.png?v=1'), false);
  });

  test('methods match exactly and case-sensitively', () => {
    assert.equal(statusOf(evaluate(rule({ prefix: '/' }), request('get', '/'))), 200);
  });

  test("the scheme must be exactly 'Basic ' and the rest byte-equal to the stored form", () => {
    const cfg = rule({ prefix: '/' });
    assert.equal(statusOf(evaluate(cfg, request('GET', '/', `Basic ${b64('ok:test')}`))), 200);
    assert.equal(statusOf(evaluate(cfg, request('GET', '/', `basic ${b64('ok:test')}`))), 401);
    assert.equal(statusOf(evaluate(cfg, request('GET', '/', `Basic  ${b64('ok:test')}`))), 401);
    assert.equal(statusOf(evaluate(cfg, request('GET', '/', 'Basic'))), 401);
    assert.equal(statusOf(evaluate(cfg, request('GET', '/', `Bearer ${b64('ok:test')}`))), 401);
  });

  test('a base64 credential is stored verbatim: padding must match what the client sends', () => {
    const unpadded = { basic_auth_rules: [{ prefix: '/', request_methods: ['GET'], credentials: ['YWRtaW4zOmFkbWluMw'] }] };
    assert.equal(statusOf(evaluate(unpadded, request('GET', '/', 'Basic YWRtaW4zOmFkbWluMw'))), 200);
    const d = evaluate(unpadded, request('GET', '/', `Basic ${ADMIN3_B64}`));
    assert.equal(statusOf(d), 401);
    assert.match(d.detail, /another base64 form/);
  });

  test('every matching rule must accept the credential (rules intersect, not first match)', () => {
    const cfg = {
      basic_auth_rules: [
        { prefix: '/api', request_methods: ['GET'], credentials: ['a:a', 'b:b'] },
        { prefix: '/api/admin', request_methods: ['GET'], credentials: ['b:b'] },
      ],
    };
    assert.equal(statusOf(evaluate(cfg, request('GET', '/api/admin', `Basic ${b64('a:a')}`))), 401);
    assert.equal(statusOf(evaluate(cfg, request('GET', '/api/admin', `Basic ${b64('b:b')}`))), 200);
    assert.equal(statusOf(evaluate(cfg, request('GET', '/api/x', `Basic ${b64('a:a')}`))), 200);
  });

  test('several Authorization headers are not simulated rather than guessed', () => {
    const req: HttpRequest = { method: 'GET', path: '/', authority: '', headers: new Map([['authorization', [`Basic ${b64('ok:test')}`, 'Basic x']]]) };
    assert.equal(evaluate(rule({ prefix: '/' }), req).kind, 'not-simulated');
  });
});

describe('through the simulator', () => {
  const mesh = (config: unknown) =>
    modelOf([
      namespace('default', { 'istio.io/use-waypoint': 'waypoint' }),
      waypoint('default', 'waypoint'),
      plugin('default', 'auth', { targetRefs: toGateway('waypoint'), phase: 'AUTHN', pluginConfig: config }),
    ]);

  test("Envoy's path normalisation runs first: dot segments are removed, the query is kept", () => {
    const m = mesh({ basic_auth_rules: [{ prefix: '/admin', request_methods: ['GET'], credentials: ['ok:test'] }] });
    const r = simulate(m, { to: 'default/app:80', path: '/public/../admin?x=/..' });
    assert.equal(r.status, 401);
    assert.match(r.trace[0].detail, /GET \/admin\?x=\/\.\. \(normalised by Envoy from "\/public\/\.\.\/admin\?x=\/\.\."\)/);
  });

  test('hosts are matched against the authority the request carries (default: the Service host)', () => {
    const m = mesh({ basic_auth_rules: [{ prefix: '/', request_methods: ['GET'], credentials: ['ok:test'], hosts: ['*.svc.cluster.local'] }] });
    assert.equal(simulate(m, { to: 'default/app:80' }).status, 401);
    assert.equal(simulate(m, { to: 'default/app:80', authority: 'app:80' }).status, 200);
  });

  test('a refused config answers 500 on that chain, and the trace says what Envoy does', () => {
    const r = simulate(mesh({ basic_auth_rules: [{ prefix: '/', request_methods: [], credentials: ['ok:test'] }] }), { to: 'default/app:80' });
    assert.equal(r.status, 500);
    assert.equal(r.body, '');
    const detail = r.trace.map((e) => e.detail).join('\n');
    assert.match(detail, /refuses its config/);
    assert.match(detail, /500 with an empty body to every request on this chain/);
    assert.match(detail, /earlier accepted config exists, that old config stays in force/);
  });
});

describe('module versions', () => {
  const config = { basic_auth_rules: [{ prefix: '/', request_methods: ['GET'], credentials: ['ok:test'], hosts: ['admin.example.com'] }] };
  const at = (url: string) => basicAuthEvaluator.evaluate({ config, request: request('GET', '/', undefined, 'shop.example.com'), plugin: { namespace: 'default', name: 'basic-auth', url } });

  test('a release older than 1.12.0 is other code (built per Istio minor): not simulated, never answered with 1.12.0 behaviour', () => {
    for (const tag of ['1.9.0', '1.9.2', '1.11.0', 'v1.10.1']) {
      const d = at(`oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:${tag}`);
      assert.equal(d.kind, 'not-simulated', tag);
      assert.match(d.detail, new RegExp(`basic_auth ${tag.replace(/\./g, '\\.')} is older than 1\\.12\\.0, the source this simulator follows`));
    }
  });

  test('1.12.0, a later tag and an untagged or digest-only module are simulated; the trace names the source used for another tag', () => {
    assert.equal(statusOf(at(BASIC_AUTH)), 200); // the rule is for another host
    const later = at('oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.13.0');
    assert.equal(statusOf(later), 200);
    assert.match(later.detail, /^\(module tag 1\.13\.0: simulated with the 1\.12\.0 source, unchanged through master 2025-04\)/);
    assert.equal(statusOf(at(`oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth@sha256:${'a'.repeat(64)}`)), 200);
    assert.equal(statusOf(at('oci://registry.example.com/mirror/basic_auth:stable')), 200);
  });
});

describe('pluginName (the root id)', () => {
  // plugin.cc: RegisterContextFactory(CONTEXT_FACTORY(PluginContext), ROOT_FACTORY(PluginRootContext)), root id "".
  const protectAll = { basic_auth_rules: [{ prefix: '/', request_methods: ['GET'], credentials: ['ok:test'] }] };
  const withRootId = (config: unknown, pluginName?: string) => {
    const p = plugin('default', 'auth', { targetRefs: toGateway('waypoint'), phase: 'AUTHN', pluginConfig: config });
    if (pluginName !== undefined) (p.spec as Record<string, unknown>).pluginName = pluginName;
    return simulate(modelOf([namespace('default', { 'istio.io/use-waypoint': 'waypoint' }), waypoint('default', 'waypoint'), p]), { to: 'default/app:80' });
  };

  test('a root id other than the default leaves the module empty: any config loads and every request passes', () => {
    const r = withRootId(protectAll, 'basic_auth');
    assert.equal(r.status, 200);
    assert.match(r.trace.map((e) => e.detail).join('\n'), /pluginName "basic_auth" is the root id Envoy hands the module, but basic_auth registers its code under the default root id "": .* every request passes/);
    // Not even a config plugin.cc would refuse reaches its onConfigure.
    assert.equal(withRootId({ basic_auth_rules: [{ prefix: '/', request_methods: [], credentials: ['ok:test'] }] }, 'basic_auth').status, 200);
  });

  test('no pluginName is the default root id: the module checks the request', () => {
    assert.equal(withRootId(protectAll).status, 401);
    // The CRD gives pluginName minLength 1: an empty one never reaches the proxy.
    const empty = withRootId(protectAll, '');
    assert.equal(empty.status, null);
    assert.match(empty.trace.map((e) => e.detail).join('\n'), /the API server refuses this WasmPlugin as written \(spec\.pluginName: must not be empty\)/);
    assert.equal(evaluate(protectAll, request('GET', '/')).kind, 'respond');
  });
});
