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
