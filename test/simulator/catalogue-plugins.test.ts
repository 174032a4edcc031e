import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Duration } from 'cdk8s';
import { compileApp } from '../../compiler/synth';
import { BasicAuth, Credential, GrpcAccessLogging, LocalRateLimit, MeshNamespace, OpenPolicyAgent, PolicyApp, Waypoint } from '../../constructs';
import { analyze } from '../../analysis/analyze';
import { objectLabel } from '../../analysis/finding';
import { learnMirror, MIRROR_OF_ANNOTATION } from '../../constructs/define-plugin';
import { registerPluginEvaluator, simulate } from '../../simulator';
import { BASIC_AUTH, modelOf, namespace, plugin, toGateway, waypoint } from './fixtures';

const WASM_EXTENSIONS = 'oci://ghcr.io/istio-ecosystem/wasm-extensions';

function appWith(build: (ns: MeshNamespace, waypoint: Waypoint) => void) {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const waypoint = new Waypoint(ns, 'waypoint');
  ns.useWaypoint(waypoint);
  build(ns, waypoint);
  return compileApp(app).collected.model;
}

test('a telemetry plugin (gRPC access logging) is a pass-through, as its definition says', () => {
  const model = appWith((ns, waypoint) => new GrpcAccessLogging(ns, 'logs', { targets: [waypoint], loggingService: 'logs.infra.svc.cluster.local:9000' }));
  const r = simulate(model, { to: 'shop/api:8080' });
  assert.equal(r.status, 200);
  assert.ok(r.trace.some((t) => t.step === 'plugin' && t.decision === 'pass' && /never changes a request or a response/.test(t.detail)));
});

test('OPA is reported as not simulated, with the reason from its definition: no status is guessed', () => {
  const model = appWith((ns, waypoint) => new OpenPolicyAgent(ns, 'opa', { targets: [waypoint], serviceHost: 'opa.infra.svc.cluster.local' }));
  const r = simulate(model, { to: 'shop/api:8080' });
  assert.equal(r.status, null);
  assert.ok(r.trace.some((t) => t.decision === 'not-simulated' && /depends on the OPA server/.test(t.detail)));
});

test('a rate limit is not simulated per request', () => {
  const model = appWith((ns, waypoint) => new LocalRateLimit(ns, 'rl', { targets: [waypoint], maxTokens: 20, tokensPerRefill: 10, refillInterval: Duration.seconds(1) }));
  const r = simulate(model, { to: 'shop/api:8080' });
  assert.equal(r.status, null);
  assert.ok(r.trace.some((t) => t.decision === 'not-simulated' && /not simulated per request/.test(t.detail)));
});

test('a Basic-auth denial before an unsimulated plugin still decides the request', () => {
  const model = appWith((ns, waypoint) => {
    new BasicAuth(ns, 'auth', {
      targets: [waypoint],
      rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.insecureLiteral('a:b')] }],
      acknowledge: { unpinnedModule: 'test' },
    });
    new OpenPolicyAgent(ns, 'opa', { targets: [waypoint], serviceHost: 'opa.infra.svc.cluster.local' });
  });
  assert.equal(simulate(model, { to: 'shop/api:8080' }).status, 401);
  assert.equal(simulate(model, { to: 'shop/api:8080', headers: { authorization: 'Basic YTpi' } }).status, null);
});

describe('pluginName (the root id) on a catalogue module', () => {
  // Every catalogue module registers its code under the default root id "": with
  // another root id the SDK runs empty contexts, so the module never sees a request.
  const modules: { module: string; url: string; phase: string; pluginConfig: unknown }[] = [
    { module: 'basic_auth', url: BASIC_AUTH, phase: 'AUTHN', pluginConfig: { basic_auth_rules: [{ prefix: '/', request_methods: ['GET'], credentials: ['ok:test'] }] } },
    { module: 'open_policy_agent', url: `${WASM_EXTENSIONS}/open_policy_agent:1.12.0`, phase: 'AUTHZ', pluginConfig: { opa_service_host: 'opa.infra.svc.cluster.local', opa_cluster_name: 'outbound|8181||opa.infra.svc.cluster.local' } },
    { module: 'local_rate_limit', url: `${WASM_EXTENSIONS}/local_rate_limit:1.12.0`, phase: 'AUTHN', pluginConfig: { max_tokens: 1, tokens_per_refill: 1, refill_interval_sec: 1 } },
    { module: 'grpc_logging', url: `${WASM_EXTENSIONS}/grpc_logging:1.12.0`, phase: 'STATS', pluginConfig: { logging_service: 'logs.infra.svc.cluster.local:9000' } },
  ];
  const withRootId = (m: (typeof modules)[number], pluginName: string | undefined, url = m.url) => {
    const p = plugin('shop', 'p', { targetRefs: toGateway('waypoint'), url, phase: m.phase, pluginConfig: m.pluginConfig });
    if (pluginName !== undefined) (p.spec as Record<string, unknown>).pluginName = pluginName;
    return modelOf([namespace('shop', { 'istio.io/use-waypoint': 'waypoint' }), waypoint('shop', 'waypoint'), p]);
  };

  for (const m of modules) {
    test(`${m.module}: any pluginName lets every request through, explained as for every catalogue module; the analysis reports the same plugin`, () => {
      const model = withRootId(m, 'custom-root');
      const r = simulate(model, { to: 'shop/api:8080' });
      assert.equal(r.status, 200);
      const entry = r.trace.find((t) => t.step === 'plugin' && t.object === 'WasmPlugin shop/p');
      assert.equal(entry?.decision, 'pass');
      assert.match(
        entry.detail,
        new RegExp(`pluginName "custom-root" is the root id Envoy hands the module, but ${m.module} registers its code under the default root id "": the SDK then runs empty contexts that accept any config and do nothing on a request, so every request passes \\(remove pluginName\\)$`),
      );
      assert.deepEqual(analyze(model).filter((f) => f.rule === 'plugin/root-id').map((f) => f.object && objectLabel(f.object)), ['WasmPlugin shop/p']);
    });
  }

  test('a mirror of a catalogue module is the same code: its pluginName is simulated the same way', () => {
    const m = modules[1];
    const p = plugin('shop', 'p', { targetRefs: toGateway('waypoint'), url: 'oci://mirror.example.com/wasm/opa:1.12.0', phase: m.phase, pluginConfig: m.pluginConfig });
    p.metadata.annotations = { [MIRROR_OF_ANNOTATION]: m.url };
    learnMirror('oci://mirror.example.com/wasm/opa:1.12.0', m.url);
    (p.spec as Record<string, unknown>).pluginName = 'opa';
    const r = simulate(modelOf([namespace('shop', { 'istio.io/use-waypoint': 'waypoint' }), waypoint('shop', 'waypoint'), p]), { to: 'shop/api:8080' });
    assert.equal(r.status, 200);
    assert.match(r.trace.map((t) => t.detail).join('\n'), /but open_policy_agent registers its code under the default root id ""/);
  });

  test('a release older than the source read is other code: not answered from the root id, and not reported either', () => {
    const model = withRootId(modules[0], 'basic_auth', `${WASM_EXTENSIONS}/basic_auth:1.11.0`);
    const r = simulate(model, { to: 'shop/api:8080' });
    assert.equal(r.status, null);
    assert.match(r.reason, /is not simulated/);
    assert.deepEqual(analyze(model).filter((f) => f.rule === 'plugin/root-id'), []);
  });

  test("a module outside the catalogue: its registered evaluator gets the pluginName and decides (its root id is its author's)", () => {
    const seen: (string | undefined)[] = [];
    registerPluginEvaluator('oci://registry.example.com/wasm/stamp', {
      name: 'stamp (test)',
      evaluate: (input) => {
        seen.push(input.plugin.pluginName);
        return input.plugin.pluginName === 'stamp' ? { kind: 'respond', status: 418, headers: {}, body: '', detail: 'its own root id' } : { kind: 'pass', detail: 'other root id' };
      },
    });
    const stamp = { module: 'stamp', url: 'oci://registry.example.com/wasm/stamp:1.0.0', phase: 'AUTHN', pluginConfig: {} };
    assert.equal(simulate(withRootId(stamp, 'stamp'), { to: 'shop/api:8080' }).status, 418);
    assert.equal(simulate(withRootId(stamp, 'other'), { to: 'shop/api:8080' }).status, 200);
    assert.deepEqual(seen, ['stamp', 'other']);
  });

  // Last: it registers an evaluator for a catalogue module, for the rest of this file.
  test('an evaluator registered for a catalogue module does not run under a pluginName: the module code never does', () => {
    const m = modules[1];
    registerPluginEvaluator(m.url, { name: 'opa (test)', evaluate: () => ({ kind: 'respond', status: 403, headers: {}, body: '', detail: 'denies' }) });
    assert.equal(simulate(withRootId(m, undefined), { to: 'shop/api:8080' }).status, 403);
    assert.equal(simulate(withRootId(m, 'opa'), { to: 'shop/api:8080' }).status, 200);
  });
});
