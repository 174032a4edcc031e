import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Construct } from 'constructs';
import { Credential, MeshNamespace, MeshService, PolicyApp, ProtectedService, ProtectedServiceProps, protectPaths, serviceWaypoint, stampAcrossNamespaces, Target, Waypoint } from '../../constructs';
import { compile, thrownFindings, thrownRules } from '../catalogue/helpers';

process.env.WP_REVIEW_ADMIN = 'admin:review-Fix-7';
const credentials = () => [Credential.fromEnv('WP_REVIEW_ADMIN')];

/** A team's reusable construct: every instance's Service has the id 'Service'. */
class AdminProtectedApi extends Construct {
  constructor(scope: MeshNamespace, id: string) {
    super(scope, id);
    protectPaths(MeshService.fromServiceName(this, 'Service', id), { paths: ['/admin'], credentials: credentials() });
  }
}

test('protectPaths: two Services with the same construct id in one namespace are both protected', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  new AdminProtectedApi(ns, 'orders');
  new AdminProtectedApi(ns, 'cart');
  const c = compile(app);
  assert.deepEqual(c.errors, []);
  assert.deepEqual(c.objects.filter((o) => o.kind === 'WasmPlugin').map((o) => o.metadata.name).sort(), ['cart-basic-auth', 'orders-basic-auth']);
});

test('protectPaths: a second protection of one Service is still refused, also through another construct of the same Service name', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const api = MeshService.fromServiceName(ns, 'api', 'api');
  protectPaths(api, { paths: ['/a'], credentials: credentials() });
  const again = thrownFindings(() => protectPaths(api, { paths: ['/b'], credentials: credentials() }));
  assert.deepEqual(again.map((f) => [f.rule, f.message]), [['protect/duplicate', "paths of Service 'api' are already protected by an earlier protectPaths() call"]]);

  // Another construct for the same Service object in the cluster.
  const group = new Construct(ns, 'group');
  const sameName = MeshService.fromServiceName(group, 'api', 'api');
  assert.deepEqual(thrownFindings(() => protectPaths(sameName, { paths: ['/b'], credentials: credentials() })).map((f) => f.rule), ['protect/duplicate']);
});

/** Every construct path below `c`. */
const paths = (c: Construct): string[] => c.node.findAll().map((x) => x.node.path);

test('stampAcrossNamespaces: a refused call creates no namespace, whichever entry is refused', () => {
  const app = new PolicyApp();
  const prod = new Target(app, 'prod');
  const stagingShop = new MeshNamespace(new Target(app, 'staging'), 'shop');
  const before = paths(app);
  const build = (ns: MeshNamespace) => new Waypoint(ns, 'waypoint');
  assert.deepEqual(thrownRules(() => stampAcrossNamespaces(prod, ['team-a', 'team-b', stagingShop], build)), ['stamp/wrong-target']);
  assert.deepEqual(paths(app), before);
  assert.deepEqual(thrownRules(() => stampAcrossNamespaces(prod, ['team-a', 'team-b', 'team-a'], build)), ['stamp/duplicate-namespace']);
  assert.deepEqual(paths(app), before);
  new Construct(prod, 'taken');
  const withTaken = paths(app);
  assert.deepEqual(thrownRules(() => stampAcrossNamespaces(prod, ['team-a', 'taken'], build)), ['stamp/id-taken']);
  assert.deepEqual(paths(app), withTaken);
  // Refused by the MeshNamespace itself: the namespaces created before it are removed again.
  const props = { labels: { 'istio.io/dataplane-mode': 'ambient' } };
  assert.deepEqual(thrownRules(() => stampAcrossNamespaces(prod, ['team-a', 'team-b'], build, { namespaceProps: props })), ['namespace/managed-label']);
  assert.deepEqual(paths(app), withTaken);
  assert.equal(compile(app).objects.some((o) => o.kind === 'Namespace' && o.metadata.name.startsWith('team-')), false);

  // Nothing was left to collide with: the same call, corrected, succeeds.
  const built = stampAcrossNamespaces(prod, ['team-a', 'team-b'], build);
  assert.deepEqual([...built.keys()], ['team-a', 'team-b']);
});

test('ProtectedService: a Service of another target (same namespace name) is refused before anything changes', () => {
  const app = new PolicyApp();
  const staging = new MeshNamespace(new Target(app, 'staging'), 'shop');
  const prod = new MeshNamespace(new Target(app, 'prod'), 'shop');
  const orders = MeshService.fromServiceName(staging, 'orders', 'orders');
  const before = paths(app);
  const findings = thrownFindings(() => new ProtectedService(prod, 'orders-admin', { service: orders, paths: ['/admin'], credentials: credentials() }));
  assert.deepEqual(findings.map((f) => [f.rule, f.message, f.path]), [
    ['protect/wrong-target', "ProtectedService is in target 'prod' but Service 'orders' is in target 'staging': each target is applied to its own cluster, so the plugin would not reach the Service", 'prod/shop/orders-admin'],
  ]);
  assert.match(findings[0].source ?? '', /review-fixes\.test\.ts:\d+$/);
  assert.deepEqual(paths(app), before, 'no waypoint in staging, no plugin in prod');
  assert.deepEqual(serviceWaypoint(orders), { source: 'none', optedOut: false }, 'the Service is not labeled');
  assert.equal(orders.apiObject, undefined);
});

test('protectPaths: a Waypoint or a plain object as the service is refused at the line of the call', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const waypoint = new Waypoint(ns, 'waypoint');
  const lookalike = { name: 'api', namespace: 'shop', targetRef: { group: '', kind: 'Service', name: 'api' }, targetNamespace: 'shop' };
  // @ts-expect-error an IMeshService that is no construct does not type-check
  assert.throws(() => protectPaths(lookalike, { paths: ['/admin'], credentials: credentials() }));
  // A Waypoint has the same shape as an IMeshService construct, so only the run-time check refuses it.
  for (const notService of [waypoint, lookalike as never]) {
    const findings = thrownFindings(() => protectPaths(notService, { paths: ['/admin'], credentials: credentials() }));
    assert.deepEqual(findings.map((f) => f.rule), ['props/invalid']);
    assert.match(findings[0].source ?? '', /review-fixes\.test\.ts:\d+$/, 'the finding names the policy line');
  }
});

test("ProtectedService: a team's subclass may take props of its own (as WasmPlugin subclasses may); ProtectedService itself still refuses unknown props", () => {
  interface TeamProtectedProps extends ProtectedServiceProps {
    /** The owning team, recorded on the plugin. */
    readonly team: string;
  }
  class TeamProtected extends ProtectedService {
    constructor(scope: MeshNamespace, id: string, props: TeamProtectedProps) {
      super(scope, id, props);
      this.plugin.apiObject.metadata.addLabel('acme.io/team', props.team);
    }
  }
  const app = new PolicyApp();
  const ns = new MeshNamespace(new Target(app, 'prod'), 'shop');
  const orders = MeshService.fromServiceName(ns, 'orders', 'orders');
  new TeamProtected(ns, 'orders-admin', { service: orders, paths: ['/admin'], credentials: [Credential.insecureLiteral('a:b')], acknowledge: { literalCredentials: 'test' }, team: 'payments' });
  const c = compile(app);
  assert.deepEqual(c.errors, []);
  assert.equal(c.find('WasmPlugin', 'orders-basic-auth').metadata.labels?.['acme.io/team'], 'payments');

  const cart = MeshService.fromServiceName(ns, 'cart', 'cart');
  const [f] = thrownFindings(() => new ProtectedService(ns, 'cart-admin', { service: cart, paths: ['/admin'], credentials: [Credential.insecureLiteral('a:b')], team: 'payments' } as never));
  assert.equal(f.rule, 'props/unknown');
  assert.match(f.message, /ProtectedService has no prop 'team'/);
});
