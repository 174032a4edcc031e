import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Duration } from 'cdk8s';
import {
  GatewayReference,
  GrpcAccessLogging,
  LocalRateLimit,
  MeshBaseline,
  MeshNamespace,
  PolicyApp,
  Target,
  Waypoint,
} from '../../constructs';
import { assertConforms, compile, thrownRules } from '../catalogue/helpers';

const ALL_WAYPOINTS_REF = [{ group: 'gateway.networking.k8s.io', kind: 'GatewayClass', name: 'istio-waypoint' }];

test('a baseline plugin lives in the root namespace and targets the istio-waypoint GatewayClass', () => {
  const app = new PolicyApp();
  const baseline = new MeshBaseline(app, 'baseline', {
    plugins: [(scope, targets) => new GrpcAccessLogging(scope, 'mesh-access-log', { targets, loggingService: 'access-log.telemetry.svc.cluster.local:9000' })],
  });
  baseline.addPlugin((scope, targets) =>
    new LocalRateLimit(scope, 'mesh-rate-limit', { targets, maxTokens: 1000, tokensPerRefill: 1000, refillInterval: Duration.seconds(1) }),
  );
  assert.equal(baseline.namespace.name, 'istio-system');
  assert.deepEqual(baseline.plugins.map((p) => p.name), ['mesh-access-log', 'mesh-rate-limit']);

  const c = compile(app);
  assert.deepEqual(c.errors, []);
  for (const name of ['mesh-access-log', 'mesh-rate-limit']) {
    const o = c.find('WasmPlugin', name, 'istio-system');
    assert.deepEqual((o.spec as { targetRefs: unknown }).targetRefs, ALL_WAYPOINTS_REF);
  }
  // enroll: false and no other label: the root namespace itself is not touched.
  assert.equal(c.objects.some((o) => o.kind === 'Namespace'), false);
  assertConforms(c.objects);
});

test('the root namespace follows PolicyApp.rootNamespace, and a Target puts it in that target', () => {
  const app = new PolicyApp({ rootNamespace: 'mesh-root' });
  const prod = new Target(app, 'prod');
  new MeshBaseline(prod, 'baseline', {
    plugins: [(scope, targets) => new GrpcAccessLogging(scope, 'log', { targets, loggingService: 'log:9000' })],
  });
  const c = compile(app);
  assert.deepEqual(c.errors, []);
  const o = c.result.collected.model.objects.find((x) => x.manifest.kind === 'WasmPlugin');
  assert.equal(o?.manifest.metadata.namespace, 'mesh-root');
  assert.equal(o?.target, 'prod');
  assert.ok([...c.result.files.keys()].some((f) => f.startsWith('prod/') && f.endsWith('mesh-root/wasmplugin-log.yaml')));
});

test('an existing, non-enrolling root MeshNamespace is reused (one chart, shared waypoints allowed)', () => {
  const app = new PolicyApp();
  const root = new MeshNamespace(app, 'istio-system', { enroll: false });
  new Waypoint(root, 'shared-waypoint');
  const a = new MeshBaseline(app, 'a', { plugins: [(s, targets) => new GrpcAccessLogging(s, 'log-a', { targets, loggingService: 'a:1' })] });
  const b = new MeshBaseline(app, 'b', { namespace: root });
  assert.equal(a.namespace, root);
  assert.equal(b.namespace, root);
  assert.equal(app.node.children.filter((c) => c === root).length, 1);
  const c = compile(app);
  assert.deepEqual(c.errors, []);
  c.find('WasmPlugin', 'log-a', 'istio-system');
});

test('refusals: an enrolled root namespace, another namespace, a plugin that is not mesh-wide', async () => {
  {
    const app = new PolicyApp();
    new MeshNamespace(app, 'istio-system');
    assert.deepEqual(thrownRules(() => new MeshBaseline(app, 'baseline')), ['baseline/root-namespace-enrolled']);
  }
  {
    const app = new PolicyApp();
    const shop = new MeshNamespace(app, 'shop');
    assert.deepEqual(thrownRules(() => new MeshBaseline(app, 'baseline', { namespace: shop })), ['baseline/not-root-namespace']);
  }
  {
    const app = new PolicyApp();
    const shop = new MeshNamespace(app, 'shop');
    const w = new Waypoint(shop, 'waypoint');
    assert.deepEqual(
      thrownRules(() => new MeshBaseline(app, 'baseline', { plugins: [(s) => new GrpcAccessLogging(s, 'log', { targets: [GatewayReference.fromGatewayName(s, 'ingress', 'istio-ingressgateway')], loggingService: 'a:1' })] })),
      ['baseline/not-mesh-wide'],
    );
    // Another namespace's waypoint is refused by the plugin itself, before the
    // baseline looks; the baseline reports it as its own rule, with its fix.
    const { thrownFindings } = await import('../catalogue/helpers');
    const [teamWaypoint] = thrownFindings(() => new MeshBaseline(app, 'baseline2', { plugins: [(s) => new GrpcAccessLogging(s, 'log', { targets: [w], loggingService: 'a:1' })] }));
    assert.equal(teamWaypoint.rule, 'baseline/not-mesh-wide');
    assert.match(teamWaypoint.message, /^a plugin in a MeshBaseline must target every waypoint \(the builder's targets\); instead targets\[0\] \(Gateway waypoint\) is in namespace shop/);
    assert.equal(teamWaypoint.fix, "Pass the builder's targets argument as the plugin's targets.");
  }
  {
    const app = new PolicyApp();
    assert.deepEqual(thrownRules(() => new MeshBaseline(app, 'baseline', { plugins: ['log' as never] })), ['props/invalid']);
  }
  {
    const app = new PolicyApp();
    const shop = new MeshNamespace(app, 'shop');
    assert.deepEqual(thrownRules(() => new MeshBaseline(shop as never, 'baseline')), ['baseline/scope']);
  }
});

test('a refused addPlugin() leaves nothing behind: a caller that catches the error synthesizes no plugin that is not mesh-wide', () => {
  const app = new PolicyApp();
  const shop = new MeshNamespace(app, 'shop');
  const w = new Waypoint(shop, 'waypoint');
  const baseline = new MeshBaseline(app, 'baseline');
  assert.deepEqual(
    thrownRules(() => baseline.addPlugin((s) => new GrpcAccessLogging(s, 'log', { targets: [GatewayReference.fromGatewayName(s, 'ingress', 'istio-ingressgateway')], loggingService: 'a:1' }))),
    ['baseline/not-mesh-wide'],
  );
  assert.deepEqual(
    thrownRules(() => baseline.addPlugin((s) => new GrpcAccessLogging(s, 'log', { targets: [w], loggingService: 'a:1' }))),
    ['baseline/not-mesh-wide'],
  );
  assert.deepEqual(baseline.plugins, []);
  // Fixed, the same id is free again, and only the mesh-wide plugin is emitted.
  baseline.addPlugin((s, targets) => new GrpcAccessLogging(s, 'log', { targets, loggingService: 'a:1' }));
  const c = compile(app);
  assert.deepEqual(
    c.objects.filter((o) => o.kind === 'WasmPlugin').map((o) => [o.metadata.namespace, o.metadata.name, (o.spec as { targetRefs: { kind: string }[] }).targetRefs[0].kind]),
    [['istio-system', 'log', 'GatewayClass']],
  );
});

test('a builder that throws after creating a plugin leaves nothing behind either', () => {
  const app = new PolicyApp();
  const baseline = new MeshBaseline(app, 'baseline');
  assert.throws(() =>
    baseline.addPlugin((s, targets) => {
      new GrpcAccessLogging(s, 'log', { targets, loggingService: 'a:1' });
      throw new Error('the second plugin could not be built');
    }),
  );
  assert.deepEqual(baseline.plugins, []);
  assert.deepEqual(
    compile(app).objects.filter((o) => o.kind === 'WasmPlugin'),
    [],
  );
});
