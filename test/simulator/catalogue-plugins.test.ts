import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Duration } from 'cdk8s';
import { compileApp } from '../../compiler/synth';
import { BasicAuth, Credential, GrpcAccessLogging, LocalRateLimit, MeshNamespace, OpenPolicyAgent, PolicyApp, Waypoint } from '../../constructs';
import { simulate } from '../../simulator';

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
