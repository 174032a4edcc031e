/**
 * local_rate_limit answers 429 when its bucket is empty and never looks at
 * credentials (wasm-plugin-semantics.md §2): the catalogue puts it in AUTHN
 * only so it runs early. Moved to another phase it is not an auth plugin, as
 * basic_auth is wherever it runs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileApp } from '../../compiler/synth';
import { Duration } from 'cdk8s';
import { BasicAuth, Credential, FailStrategy, LocalRateLimit, MeshNamespace, PluginPhase, PolicyApp, WasmPlugin, Waypoint } from '../../constructs';

function rules(build: (ns: MeshNamespace, waypoint: Waypoint) => void): string[] {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const waypoint = new Waypoint(ns, 'waypoint');
  ns.useWaypoint(waypoint);
  build(ns, waypoint);
  return compileApp(app)
    .findings.filter((f) => f.rule === 'plugin/fail-open-auth' || f.rule === 'plugin/ambiguous-order')
    .map((f) => `${f.rule}: ${f.message}`);
}

const limiter = (ns: MeshNamespace, waypoint: Waypoint, extra: object) =>
  new LocalRateLimit(ns, 'rl', { targets: [waypoint], maxTokens: 10, tokensPerRefill: 10, refillInterval: Duration.seconds(1), ...extra });

test('a rate limiter moved out of the auth phases, failing open, is not an auth plugin', () => {
  assert.deepEqual(rules((ns, w) => limiter(ns, w, { phase: PluginPhase.UNSPECIFIED, failStrategy: FailStrategy.FAIL_OPEN })), []);
});

test('a rate limiter sharing the UNSPECIFIED phase with a telemetry plugin makes no auth decision between them', () => {
  assert.deepEqual(
    rules((ns, w) => {
      limiter(ns, w, { phase: PluginPhase.UNSPECIFIED });
      new WasmPlugin(ns, 'stamp', { url: 'oci://ghcr.io/acme/stamp:1.0.0', sha256: 'a'.repeat(64), targets: [w] });
    }),
    [],
  );
});

test('in its default AUTHN phase the phase still counts, and basic_auth stays an auth plugin in any phase', () => {
  assert.equal(rules((ns, w) => limiter(ns, w, { failStrategy: FailStrategy.FAIL_OPEN })).length, 1);
  process.env.SHOP_CREDENTIAL = 'shop:s3cret';
  const found = rules((ns, w) => {
    new BasicAuth(ns, 'auth', { targets: [w], phase: PluginPhase.STATS, failStrategy: FailStrategy.FAIL_OPEN, rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.fromEnv('SHOP_CREDENTIAL')] }] });
  });
  assert.deepEqual(found.map((f) => f.split(':')[0]), ['plugin/fail-open-auth']);
});
