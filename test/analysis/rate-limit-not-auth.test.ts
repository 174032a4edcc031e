/**
 * local_rate_limit answers 429 when its bucket is empty and never looks at
 * credentials (wasm-plugin-semantics.md §2): the catalogue puts it in AUTHN
 * only so it runs early, and its definition says it decides nothing about
 * the caller (`decidesAccess: false`). It is no auth plugin in any phase;
 * basic_auth is one wherever it runs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileApp } from '../../compiler/synth';
import { Duration } from 'cdk8s';
import { BasicAuth, Credential, definePlugin, FailStrategy, LocalRateLimit, MeshNamespace, PluginPhase, PolicyApp, WasmPlugin, Waypoint } from '../../constructs';
import { z } from 'zod';
import { thrownFindings } from '../catalogue/helpers';

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

test('in its default AUTHN phase, failing open, it is no auth plugin either; basic_auth stays one in any phase', () => {
  assert.deepEqual(rules((ns, w) => limiter(ns, w, { failStrategy: FailStrategy.FAIL_OPEN })), []);
  process.env.SHOP_CREDENTIAL = 'shop:s3cret';
  const found = rules((ns, w) => {
    new BasicAuth(ns, 'auth', { targets: [w], phase: PluginPhase.STATS, failStrategy: FailStrategy.FAIL_OPEN, rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.fromEnv('SHOP_CREDENTIAL')] }] });
  });
  assert.deepEqual(found.map((f) => f.split(':')[0]), ['plugin/fail-open-auth']);
});

test("a team's definePlugin says whether it decides access: by default a module defaulting to AUTHN does; decidesAccess: false says it sits there only to run early", () => {
  const Early = definePlugin({ name: 'early-stamp', url: 'oci://ghcr.io/acme/early-stamp:1.0.0', sha256: 'b'.repeat(64), defaultPhase: PluginPhase.AUTHN, decidesAccess: false, configSchema: z.object({}) });
  const Gate = definePlugin({ name: 'tenant-gate', url: 'oci://ghcr.io/acme/tenant-gate:1.0.0', sha256: 'c'.repeat(64), defaultPhase: PluginPhase.AUTHN, configSchema: z.object({}) });
  assert.deepEqual(rules((ns, w) => new Early(ns, 'early', { targets: [w], pluginConfig: {}, failStrategy: FailStrategy.FAIL_OPEN })), []);
  assert.deepEqual(rules((ns, w) => new Gate(ns, 'gate', { targets: [w], pluginConfig: {}, failStrategy: FailStrategy.FAIL_OPEN })).map((f) => f.split(':')[0]), ['plugin/fail-open-auth']);
  assert.match(thrownFindings(() => definePlugin({ name: 'bad-flag', url: 'oci://ghcr.io/acme/bad-flag:1.0.0', defaultPhase: PluginPhase.AUTHN, decidesAccess: 'no' as never, configSchema: z.object({}) }))[0]?.message ?? '', /decidesAccess must be true or false/);
});
