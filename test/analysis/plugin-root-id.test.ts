/**
 * pluginName is Envoy's root id (istio-ambient-facts.md §1.2; wasm-plugin-semantics.md
 * §4.6: "basic_auth registers ROOT_FACTORY with the default root id, so leave it
 * empty"). Every catalogue module registers under "", so a pluginName turns it into
 * the SDK's empty contexts: the plugin loads and does nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileApp } from '../../compiler/synth';
import { Duration } from 'cdk8s';
import { BasicAuth, Credential, LocalRateLimit, MeshNamespace, WasmPlugin, Waypoint } from '../../constructs';
import { fixture } from '../catalogue/helpers';

function rootIdFindings(build: (ns: MeshNamespace, waypoint: Waypoint) => void): string[] {
  const { app, ns, waypoint } = fixture();
  build(ns, waypoint);
  return compileApp(app)
    .findings.filter((f) => f.rule === 'plugin/root-id')
    .map((f) => `${f.severity}: ${f.message}`);
}

const rules = [{ prefix: '/', methods: ['GET'], credentials: [Credential.insecureLiteral('shop:admin')] }];

test('a catalogue module with pluginName is an error: it registers under the default root id, so it would do nothing', () => {
  assert.deepEqual(
    rootIdFindings((ns, w) => new BasicAuth(ns, 'auth', { targets: [w], rules, pluginName: 'basic_auth' })),
    ['error: WasmPlugin shop/auth sets pluginName "basic_auth", but the basic-auth module registers its code under the default root id: the proxy then runs empty contexts that do nothing, and every request passes'],
  );
  // A rate limiter lets traffic through either way: what is lost is the limit, not a check.
  assert.deepEqual(rootIdFindings((ns, w) => new LocalRateLimit(ns, 'rl', { targets: [w], maxTokens: 10, tokensPerRefill: 10, refillInterval: Duration.seconds(1), pluginName: 'rl' })), [
    'error: WasmPlugin shop/rl sets pluginName "rl", but the local-rate-limit module registers its code under the default root id: the proxy then runs empty contexts that do nothing, so the module\'s own code never runs on a request',
  ]);
});

test('no pluginName, or a module outside the catalogue (whose root id is its author\'s), is not reported', () => {
  assert.deepEqual(rootIdFindings((ns, w) => new BasicAuth(ns, 'auth', { targets: [w], rules })), []);
  assert.deepEqual(rootIdFindings((ns, w) => new WasmPlugin(ns, 'stamp', { url: 'oci://ghcr.io/acme/stamp:1.0.0', sha256: 'a'.repeat(64), targets: [w], pluginName: 'stamp' })), []);
});
