import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeBasicAuthConfig } from '../../constructs/plugins/basic-auth';
import { simulate } from '../../simulator/simulate';
import { basicAuthConfig, modelOf, namespace, plugin, toGateway, waypoint } from '../simulator/fixtures';

const rule = (extra: Record<string, unknown>) => ({ basic_auth_rules: [{ prefix: '/', request_methods: ['GET'], credentials: ['u:p'], ...extra }] });
const ids = (extra: Record<string, unknown>) => analyzeBasicAuthConfig(rule(extra) as never).map((i) => `${i.severity} ${i.rule}`);

test('hosts: a port is found outside IPv6 brackets and next to wildcards; plain hosts and IPv6 literals are fine', () => {
  for (const h of ['shop.example.com:8080', '[::1]:80', '*.example.com:443', 'example.com:*']) assert.deepEqual(ids({ hosts: [h] }), ['error basic-auth/host-with-port'], h);
  for (const h of ['shop.example.com', '[::1]', '*.example.com', 'shop*', '*']) assert.deepEqual(ids({ hosts: [h] }), [], h);
});

test('paths: prefix and exact must start with "/" (or "*" for OPTIONS *); a suffix need not', () => {
  assert.deepEqual(ids({ prefix: 'admin' }), ['error basic-auth/unmatchable-path']);
  assert.deepEqual(ids({ prefix: undefined, exact: 'health' }), ['error basic-auth/unmatchable-path']);
  assert.deepEqual(ids({ prefix: undefined, exact: '*' }), []);
  assert.deepEqual(ids({ prefix: undefined, suffix: '.png' }), []);
});

test('paths in a form Envoy never hands the plugin are unmatchable, with the form to write; paths requests can reach are not flagged', () => {
  const fixes = (extra: Record<string, unknown>) =>
    analyzeBasicAuthConfig(rule(extra) as never)
      .filter((i) => i.rule === 'basic-auth/unmatchable-path')
      .map((i) => `${i.severity} ${i.fix}`);
  const cases: [Record<string, unknown>, string[]][] = [
    [{ prefix: '/%61dmin' }, ['error Write "/admin".']],
    [{ prefix: '/static/../admin' }, ['error Write "/admin".']],
    [{ prefix: '/a\\b' }, ['error Write "/a/b".']],
    [{ prefix: '/a{b' }, ['error Write "/a%7Bb".']],
    [{ prefix: undefined, exact: '/admin/.' }, ['error Write "/admin/".']],
    [{ prefix: undefined, exact: '/%7euser?x=%61' }, ['error Write "/~user?x=%61".']],
    [{ prefix: undefined, suffix: '%2ejson' }, ['error Write ".json".']],
    // A request path never holds a literal space or control character: clients send %20, which Envoy keeps.
    [{ prefix: '/admin panel' }, ['error Write "/admin%20panel".']],
    [{ prefix: undefined, exact: '/a\tb' }, ['error Write "/a%09b".']],
    [{ prefix: undefined, suffix: ' report.pdf' }, ['error Write "%20report.pdf".']],
    // Requests can present these: a trailing "." or ".." starts a longer segment (/a/.x), the query is passed as sent, other escapes are kept.
    [{ prefix: '/a/.' }, []],
    [{ prefix: '/a/..' }, []],
    [{ prefix: '/api?debug=%61' }, []],
    [{ prefix: '/files/a%2Fb' }, []],
    [{ prefix: undefined, suffix: '.png' }, []],
    [{ prefix: undefined, exact: '/a/' }, []],
    // A malformed escape: Envoy's handling is not modelled, so nothing is claimed.
    [{ prefix: '/100%' }, []],
  ];
  for (const [extra, want] of cases) assert.deepEqual(fixes(extra), want, JSON.stringify(extra));
});

test('the simulator agrees: a rule on "/%61dmin" never matches, while "/admin" does for the same encoded request', () => {
  const status = (prefix: string, path: string) =>
    simulate(modelOf([namespace('apps', { 'istio.io/use-waypoint': 'waypoint' }), waypoint('apps', 'waypoint'), plugin('apps', 'auth', { targetRefs: toGateway('waypoint'), phase: 'AUTHN', pluginConfig: basicAuthConfig(prefix, ['u:p']) })]), { to: 'apps/app:80', path }).status;
  for (const path of ['/admin', '/%61dmin']) {
    assert.equal(status('/%61dmin', path), 200, path);
    assert.equal(status('/admin', path), 401, path);
  }
});

test('the simulator agrees: such a rule never matches, so the request passes without credentials', () => {
  const status = (pluginConfig: Record<string, unknown>, authority?: string) =>
    simulate(modelOf([namespace('apps', { 'istio.io/use-waypoint': 'waypoint' }), waypoint('apps', 'waypoint'), plugin('apps', 'auth', { targetRefs: toGateway('waypoint'), phase: 'AUTHN', pluginConfig })]), {
      to: 'apps/app:80',
      path: '/admin/x',
      authority,
    }).status;
  assert.equal(status(basicAuthConfig('/admin', ['u:p'])), 401);
  assert.equal(status(basicAuthConfig('admin', ['u:p'])), 200);
  assert.equal(status(basicAuthConfig('/admin', ['u:p'], {}), 'shop.example.com:8080'), 401);
  const withPortHost = { basic_auth_rules: [{ prefix: '/admin', hosts: ['shop.example.com:8080'], request_methods: ['GET'], credentials: ['u:p'] }] };
  assert.equal(status(withPortHost, 'shop.example.com:8080'), 200);
});

test('a rule path holding "#" never matches, in the path or the query: Envoy cuts every request path at its first "#"', () => {
  const found = (extra: Record<string, unknown>) =>
    analyzeBasicAuthConfig(rule(extra) as never)
      .filter((i) => i.rule === 'basic-auth/unmatchable-path')
      .map((i) => `${i.severity} ${i.fix}`);
  assert.deepEqual(found({ prefix: undefined, exact: '/admin#x' }), ['error Write "/admin" to protect what such requests reach, or "%23" for a "#" clients send encoded.']);
  assert.deepEqual(found({ prefix: '/api?x=1#y' }), ['error Write "/api?x=1" to protect what such requests reach, or "%23" for a "#" clients send encoded.']);
  assert.deepEqual(found({ prefix: undefined, suffix: '#top' }), ['error Remove the "#" and what follows it, or write "%23" for a "#" clients send encoded.']);
  assert.match(analyzeBasicAuthConfig(rule({ prefix: '/a#' }) as never)[0].message, /rule #1 prefix "\/a#" holds "#": Envoy cuts every request path at its first "#"/);
  // The simulator agrees: the rule on "/admin#x" meets no request, not even one sent as /admin#x.
  const status = (exact: string, path: string) =>
    simulate(modelOf([namespace('apps', { 'istio.io/use-waypoint': 'waypoint' }), waypoint('apps', 'waypoint'), plugin('apps', 'auth', { targetRefs: toGateway('waypoint'), phase: 'AUTHN', pluginConfig: { basic_auth_rules: [{ exact, request_methods: ['GET'], credentials: ['u:p'] }] } })]), { to: 'apps/app:80', path }).status;
  assert.equal(status('/admin#x', '/admin#x'), 200);
  assert.equal(status('/admin', '/admin#x'), 401);
});

test('a narrow rule under a broad prefix rule is reported whichever comes first: the module runs every matching rule', () => {
  const shadowed = (rules: Record<string, unknown>[]) =>
    analyzeBasicAuthConfig({ basic_auth_rules: rules.map((r) => ({ request_methods: ['GET'], credentials: ['u:p'], ...r })) } as never)
      .filter((i) => i.rule === 'basic-auth/shadowed-rule')
      .map((i) => i.message);
  const want = ['rule #1 only matches requests that rule #2 (prefix "/api") also matches for GET: both must accept the credential'];
  assert.deepEqual(shadowed([{ prefix: '/api/admin' }, { prefix: '/api' }]), want);
  assert.deepEqual(shadowed([{ exact: '/api/admin' }, { prefix: '/api' }]), want);
  assert.deepEqual(shadowed([{ prefix: '/api' }, { prefix: '/api/admin' }]), ['rule #2 only matches requests that rule #1 (prefix "/api") also matches for GET: both must accept the credential']);
  // A broad rule limited to some hosts does not cover the narrow one; other methods never meet.
  assert.deepEqual(shadowed([{ prefix: '/api/admin' }, { prefix: '/api', hosts: ['a.example'] }]), []);
  assert.deepEqual(shadowed([{ prefix: '/api/admin' }, { prefix: '/api', request_methods: ['POST'] }]), []);
  // The simulator agrees: order does not matter, the credential must pass both.
  const status = (rules: Record<string, unknown>[]) =>
    simulate(modelOf([namespace('apps', { 'istio.io/use-waypoint': 'waypoint' }), waypoint('apps', 'waypoint'), plugin('apps', 'auth', { targetRefs: toGateway('waypoint'), phase: 'AUTHN', pluginConfig: { basic_auth_rules: rules } })]), { to: 'apps/app:80', path: '/api/admin', headers: { Authorization: `Basic ${Buffer.from('a:a').toString('base64')}` } }).status;
  const narrow = { prefix: '/api/admin', request_methods: ['GET'], credentials: ['b:b'] };
  const broad = { prefix: '/api', request_methods: ['GET'], credentials: ['a:a', 'b:b'] };
  assert.equal(status([narrow, broad]), 401);
  assert.equal(status([broad, narrow]), 401);
});

test('a "#" rule path is offered what precedes the "#" only when a request can match that', () => {
  const fixes = (extra: Record<string, unknown>) =>
    analyzeBasicAuthConfig(rule(extra) as never)
      .filter((i) => i.rule === 'basic-auth/unmatchable-path')
      .map((i) => i.fix);
  const generic = ['Remove the "#" and what follows it (keeping a path that starts with "/", in the form Envoy hands the plugin), or write "%23" for a "#" clients send encoded.'];
  // Nothing before the '#', a path without its '/', one Envoy normalises away: none of them is a rule that matches.
  assert.deepEqual(fixes({ prefix: '#admin' }), generic);
  assert.deepEqual(fixes({ prefix: undefined, exact: 'admin#x' }), generic);
  assert.deepEqual(fixes({ prefix: '/a/../admin#x' }), generic);
  assert.deepEqual(fixes({ prefix: '/admin#x' }), ['Write "/admin" to protect what such requests reach, or "%23" for a "#" clients send encoded.']);
});
