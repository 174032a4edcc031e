import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import {
  Credential,
  LocalRateLimit,
  MeshBaseline,
  MeshNamespace,
  PolicyApp,
  protectPaths,
  MeshService,
  stampAcrossNamespaces,
  Target,
  Waypoint,
} from '../../constructs';
import { assertConforms, compile, thrownRules } from '../catalogue/helpers';

process.env.WP_STAMP_ADMIN = 'admin:stamp-Pass-3';

test('the same policy is stamped into each namespace, in order, each object in its namespace', () => {
  const app = new PolicyApp();
  const built = stampAcrossNamespaces(app, ['shop', 'payments', 'search'], (ns) => {
    const waypoint = new Waypoint(ns, 'waypoint');
    ns.useWaypoint(waypoint);
    return new LocalRateLimit(ns, 'rate-limit', { targets: [waypoint], maxTokens: 100, tokensPerRefill: 100, refillInterval: Duration.seconds(1) });
  });
  assert.deepEqual([...built.keys()], ['shop', 'payments', 'search']);
  assert.deepEqual([...built.values()].map((p) => p.namespace), ['shop', 'payments', 'search']);

  const c = compile(app);
  assert.deepEqual(c.errors, []);
  for (const ns of ['shop', 'payments', 'search']) {
    c.find('Gateway', 'waypoint', ns);
    c.find('WasmPlugin', 'rate-limit', ns);
    assert.equal(c.find('Namespace', ns).metadata.labels?.['istio.io/use-waypoint'], 'waypoint');
  }
  assertConforms(c.objects);
});

test('existing MeshNamespaces (by name or as objects) are reused; namespaceProps apply only to new ones', () => {
  const app = new PolicyApp();
  const prod = new Target(app, 'prod');
  const shop = new MeshNamespace(prod, 'shop');
  const payments = new MeshNamespace(prod, 'payments', { owned: true });
  const seen: MeshNamespace[] = [];
  stampAcrossNamespaces(prod, ['shop', payments, 'reports'], (ns) => seen.push(ns), { namespaceProps: { enroll: false } });
  assert.equal(seen[0], shop);
  assert.equal(seen[1], payments);
  assert.equal(seen[2].name, 'reports');
  assert.equal(seen[2].labelValues['istio.io/dataplane-mode'], undefined, 'namespaceProps applied to the new namespace');
  assert.equal(shop.labelValues['istio.io/dataplane-mode'], 'ambient', 'not applied to the existing one');
});

test('patterns compose: protect the same Service path in every namespace', () => {
  const app = new PolicyApp();
  stampAcrossNamespaces(app, ['team-a', 'team-b'], (ns) =>
    protectPaths(MeshService.fromServiceName(ns, 'api', 'api'), { paths: ['/admin'], credentials: [Credential.fromEnv('WP_STAMP_ADMIN')] }),
  );
  const c = compile(app);
  assert.deepEqual(c.errors, []);
  for (const ns of ['team-a', 'team-b']) {
    c.find('WasmPlugin', 'api-basic-auth', ns);
    c.find('Gateway', 'waypoint', ns);
    assert.equal(c.find('Service', 'api', ns).metadata.labels?.['istio.io/use-waypoint'], 'waypoint');
  }
  assertConforms(c.objects);
});

test('refusals: no namespaces, a name twice, an invalid name, a namespace of another target', () => {
  const app = new PolicyApp();
  assert.deepEqual(thrownRules(() => stampAcrossNamespaces(app, [], () => undefined)), ['stamp/no-namespaces']);
  assert.deepEqual(thrownRules(() => stampAcrossNamespaces(app, ['a', 'a'], () => undefined)), ['stamp/duplicate-namespace']);
  assert.deepEqual(thrownRules(() => stampAcrossNamespaces(app, ['Shop_NS'], () => undefined)), ['names/rfc1123']);
  assert.deepEqual(thrownRules(() => stampAcrossNamespaces(app, ['b'], 'build' as never)), ['props/invalid']);
  const prod = new Target(app, 'prod');
  const stagingNs = new MeshNamespace(new Target(app, 'staging'), 'shop');
  assert.deepEqual(thrownRules(() => stampAcrossNamespaces(prod, [stagingNs], () => undefined)), ['stamp/wrong-target']);
});

test("a team's own grouping constructs do not hide its namespaces: stamping and a MeshBaseline reuse a MeshNamespace nested below the scope (one chart per namespace)", () => {
  const app = new PolicyApp();
  const team = new Construct(app, 'team-shop');
  const shop = new MeshNamespace(team, 'shop');
  const platform = new Construct(app, 'platform');
  const root = new MeshNamespace(platform, 'istio-system', { enroll: false });
  // Another target's namespace of the same name is not this target's.
  new MeshNamespace(new Target(app, 'staging'), 'payments');
  const stamped = stampAcrossNamespaces(app, ['shop', 'payments'], (ns) => ns);
  assert.equal(stamped.get('shop'), shop);
  assert.equal(Target.of(stamped.get('payments')!), undefined);
  const baseline = new MeshBaseline(app, 'baseline');
  assert.equal(baseline.namespace, root);
  const c = compile(app);
  const namespaces = c.objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name).sort();
  // One shop; istio-system writes no labels (enroll: false), so it emits no manifest.
  assert.deepEqual(namespaces, ['payments', 'payments', 'shop']);
});
