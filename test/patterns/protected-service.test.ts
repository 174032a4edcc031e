import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ALL_HTTP_METHODS,
  AllowedNamespaces,
  Credential,
  isPolicyError,
  type ExternalService,
  MeshNamespace,
  MeshService,
  PolicyApp,
  protectPaths,
  ProtectedService,
  serviceWaypoint,
  Waypoint,
  WaypointFor,
} from '../../constructs';
import type { KubeObject } from '../../compiler/model';
import { compileApp } from '../../compiler/synth';
import { simulate } from '../../simulator/simulate';
import { assertConforms, compile, thrownFindings, thrownRules } from '../catalogue/helpers';

const SECRET = 'admin:pattern-S3cret-991';
process.env.WP_PATTERN_ADMIN = SECRET;
const credentials = () => [Credential.fromEnv('WP_PATTERN_ADMIN')];

type Spec = { targetRefs: unknown[]; phase: string; pluginConfig: { basic_auth_rules: Array<Record<string, unknown>>; realm?: string } };
const specOf = (o: KubeObject) => o.spec as Spec;

test("a Service on its namespace's waypoint: the Service-targeted plugin, nothing else changes", () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'bookinfo');
  const waypoint = new Waypoint(ns, 'waypoint');
  ns.useWaypoint(waypoint);
  const reviews = MeshService.fromServiceName(ns, 'reviews', 'reviews');
  const p = protectPaths(reviews, { paths: ['/reviews'], credentials: credentials() });
  assert.equal(p.waypoint, waypoint);
  assert.equal(p.createdWaypoint, false);
  assert.equal(p.labeledService, false);

  const c = compile(app);
  assert.deepEqual(c.errors, []);
  const plugin = c.find('WasmPlugin', 'reviews-basic-auth', 'bookinfo');
  assert.deepEqual(specOf(plugin).targetRefs, [{ group: '', kind: 'Service', name: 'reviews' }]);
  assert.equal(specOf(plugin).phase, 'AUTHN');
  assert.deepEqual(specOf(plugin).pluginConfig.basic_auth_rules, [{ prefix: '/reviews', request_methods: [...ALL_HTTP_METHODS], credentials: [SECRET] }]);
  assert.deepEqual(c.objects.filter((o) => o.kind === 'Gateway').map((o) => o.metadata.name), ['waypoint']);
  assert.equal(c.objects.some((o) => o.kind === 'Service'), false, "another team's Service without new labels is not emitted");
  assertConforms(c.objects);
});

test("a Service with its own waypoint label uses that waypoint (the Service label wins)", () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'bookinfo');
  const nsWaypoint = new Waypoint(ns, 'waypoint');
  ns.useWaypoint(nsWaypoint);
  const reviewsWaypoint = new Waypoint(ns, 'reviews-svc-waypoint');
  const reviews = MeshService.fromServiceName(ns, 'reviews', 'reviews', { useWaypoint: reviewsWaypoint });
  assert.deepEqual(serviceWaypoint(reviews), { source: 'service', name: 'reviews-svc-waypoint', namespace: 'bookinfo', optedOut: false });
  const p = protectPaths(reviews, { paths: ['/reviews'], credentials: credentials() });
  assert.equal(p.waypoint, reviewsWaypoint);
  assert.equal(p.labeledService, false);
  const c = compile(app);
  assert.deepEqual(c.errors, []);
  assert.deepEqual(c.find('Service', 'reviews').metadata.labels?.['istio.io/use-waypoint'], 'reviews-svc-waypoint');
});

test('a Service without a waypoint: one is created in its namespace and the owned Service is labeled', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const api = new MeshService(ns, 'api', { ports: [{ port: 8080, name: 'http' }] });
  assert.deepEqual(serviceWaypoint(api), { source: 'none', optedOut: false });
  const p = protectPaths(api, { paths: ['/admin'], credentials: credentials() });
  assert.equal(p.createdWaypoint, true);
  assert.equal(p.labeledService, true);
  assert.equal(p.waypointName, 'waypoint');
  assert.deepEqual(serviceWaypoint(api), { source: 'service', name: 'waypoint', namespace: 'shop', optedOut: false });

  const c = compile(app);
  assert.deepEqual(c.errors, []);
  const gw = c.find('Gateway', 'waypoint', 'shop');
  assert.equal((gw.spec as { gatewayClassName: string }).gatewayClassName, 'istio-waypoint');
  const svc = c.find('Service', 'api', 'shop');
  assert.equal(svc.metadata.labels?.['istio.io/use-waypoint'], 'waypoint');
  assert.ok((svc.spec as { ports: unknown[] }).ports.length > 0, 'the full owned Service, labeled');
  assert.deepEqual(specOf(c.find('WasmPlugin', 'api-basic-auth')).targetRefs, [{ group: '', kind: 'Service', name: 'api' }]);
  assertConforms(c.objects);
});

test("another team's Service without a waypoint gets a label-only manifest that GitOps never prunes", () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const api = MeshService.fromServiceName(ns, 'api', 'api');
  protectPaths(api, { paths: ['/admin'], credentials: credentials(), waypointName: 'shop-waypoint' });
  const c = compile(app);
  assert.deepEqual(c.errors, []);
  const labels = c.result.collected.model.objects.find((o) => o.manifest.kind === 'Service');
  assert.ok(labels);
  assert.equal(labels.ownership, 'external');
  assert.deepEqual(labels.manifest.metadata.labels?.['istio.io/use-waypoint'], 'shop-waypoint');
  assert.equal(labels.manifest.spec, undefined);
  c.find('Gateway', 'shop-waypoint', 'shop');
});

test('an existing waypoint of that name in the namespace is reused, not duplicated', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const existing = new Waypoint(ns, 'waypoint');
  const api = new MeshService(ns, 'api', { ports: [{ port: 80 }] });
  const p = protectPaths(api, { paths: ['/'], credentials: credentials() });
  assert.equal(p.waypoint, existing);
  assert.equal(p.createdWaypoint, false);
  assert.equal(p.labeledService, true);
  const c = compile(app);
  assert.deepEqual(c.errors, []);
  assert.equal(c.objects.filter((o) => o.kind === 'Gateway').length, 1);
});

test('an explicit waypoint: the Service is labeled only when its traffic does not already go there', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const nsWaypoint = new Waypoint(ns, 'waypoint');
  ns.useWaypoint(nsWaypoint);
  const other = new Waypoint(ns, 'payments-waypoint');
  const a = MeshService.fromServiceName(ns, 'a', 'a');
  const b = MeshService.fromServiceName(ns, 'b', 'b');
  assert.equal(protectPaths(a, { paths: ['/'], credentials: credentials(), waypoint: nsWaypoint }).labeledService, false);
  assert.equal(protectPaths(b, { paths: ['/'], credentials: credentials(), waypoint: other }).labeledService, true);
  const c = compile(app);
  assert.deepEqual(c.errors, []);
  assert.equal(c.find('Service', 'b').metadata.labels?.['istio.io/use-waypoint'], 'payments-waypoint');
});

test('a cross-namespace waypoint: the plugin stays in the Service namespace, the label names the waypoint namespace', () => {
  const app = new PolicyApp();
  const infra = new MeshNamespace(app, 'infra');
  const shared = new Waypoint(infra, 'shared', { allowedNamespaces: AllowedNamespaces.all() });
  const ns = new MeshNamespace(app, 'shop');
  const api = MeshService.fromServiceName(ns, 'api', 'api');
  protectPaths(api, { paths: ['/admin'], credentials: credentials(), waypoint: shared });
  const c = compile(app);
  assert.deepEqual(c.errors, []);
  assert.deepEqual(c.find('Service', 'api', 'shop').metadata.labels, {
    ...c.find('Service', 'api', 'shop').metadata.labels,
    'istio.io/use-waypoint': 'shared',
    'istio.io/use-waypoint-namespace': 'infra',
  });
  assert.equal(c.find('WasmPlugin', 'api-basic-auth').metadata.namespace, 'shop');
  assertConforms(c.objects);
});

test('refusals: opted-out Service, conflicting waypoint, a waypoint that never takes the traffic', () => {
  const setup = () => {
    const app = new PolicyApp();
    const ns = new MeshNamespace(app, 'shop');
    return { app, ns };
  };
  {
    const { ns } = setup();
    const api = MeshService.fromServiceName(ns, 'api', 'api', { useWaypoint: 'none' });
    assert.deepEqual(thrownRules(() => protectPaths(api, { paths: ['/'], credentials: credentials() })), ['protect/opted-out']);
  }
  {
    const { ns } = setup();
    const w1 = new Waypoint(ns, 'w1');
    const w2 = new Waypoint(ns, 'w2');
    const api = MeshService.fromServiceName(ns, 'api', 'api', { useWaypoint: w1 });
    assert.deepEqual(thrownRules(() => protectPaths(api, { paths: ['/'], credentials: credentials(), waypoint: w2 })), ['binding/conflict']);
  }
  {
    const { ns } = setup();
    const w = new Waypoint(ns, 'workload-only', { waypointFor: WaypointFor.WORKLOAD });
    const api = MeshService.fromServiceName(ns, 'api', 'api', { useWaypoint: w });
    assert.deepEqual(thrownRules(() => protectPaths(api, { paths: ['/'], credentials: credentials() })), ['protect/waypoint-not-for-service']);
  }
  {
    const { app, ns } = setup();
    const infra = new MeshNamespace(app, 'infra');
    const sameOnly = new Waypoint(infra, 'private');
    const api = MeshService.fromServiceName(ns, 'api', 'api');
    assert.deepEqual(thrownRules(() => protectPaths(api, { paths: ['/'], credentials: credentials(), waypoint: sameOnly })), ['protect/waypoint-not-allowed']);
  }
  {
    const { app, ns } = setup();
    const elsewhere = new MeshNamespace(app, 'elsewhere');
    const api = MeshService.fromServiceName(ns, 'api', 'api');
    assert.deepEqual(thrownRules(() => new ProtectedService(elsewhere, 'p', { service: api, paths: ['/'], credentials: credentials() })), ['protect/wrong-namespace']);
  }
});

test('paths: strings are prefixes; paths another prefix covers are dropped; relative paths are refused', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const w = new Waypoint(ns, 'waypoint');
  ns.useWaypoint(w);
  const api = MeshService.fromServiceName(ns, 'api', 'api');
  protectPaths(api, {
    paths: ['/admin', '/admin/users', { exact: '/admin' }, { exact: '/metrics' }, { suffix: '.env' }, '/admin'],
    methods: ['GET', 'POST'],
    hosts: ['api.example.com'],
    realm: 'shop',
    credentials: credentials(),
  });
  const c = compile(app);
  assert.deepEqual(c.rules.filter((r) => r.includes('basic-auth/')), [], 'no shadowed or duplicate rule warnings');
  const config = specOf(c.find('WasmPlugin', 'api-basic-auth')).pluginConfig;
  assert.equal(config.realm, 'shop');
  assert.deepEqual(
    config.basic_auth_rules.map(({ credentials: _, ...r }) => r),
    [
      { prefix: '/admin', request_methods: ['GET', 'POST'], hosts: ['api.example.com'] },
      { exact: '/metrics', request_methods: ['GET', 'POST'], hosts: ['api.example.com'] },
      { suffix: '.env', request_methods: ['GET', 'POST'], hosts: ['api.example.com'] },
    ],
  );

  const other = MeshService.fromServiceName(ns, 'other', 'other');
  assert.deepEqual(thrownRules(() => protectPaths(other, { paths: ['admin'], credentials: credentials() })), ['protect/relative-path']);
  const third = MeshService.fromServiceName(ns, 'third', 'third');
  assert.deepEqual(thrownRules(() => protectPaths(third, { paths: [], credentials: credentials() })), ['protect/no-paths']);
  assert.deepEqual(thrownRules(() => protectPaths(third, { paths: [{ prefix: '/a', exact: '/a' }], credentials: credentials() })), ['basic-auth/path-match']);
});

test('one call per Service; plain-string credentials are refused; the secret never appears in a message', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  ns.useWaypoint(new Waypoint(ns, 'waypoint'));
  const api = MeshService.fromServiceName(ns, 'api', 'api');
  protectPaths(api, { paths: ['/a'], credentials: credentials() });
  assert.deepEqual(thrownRules(() => protectPaths(api, { paths: ['/b'], credentials: credentials() })), ['protect/duplicate']);

  const other = MeshService.fromServiceName(ns, 'other', 'other');
  const findings = thrownFindings(() => protectPaths(other, { paths: ['/a'], credentials: [SECRET as never] }));
  assert.deepEqual(findings.map((f) => f.rule), ['credentials/plain-string']);
  assert.ok(findings.every((f) => !f.message.includes(SECRET) && !(f.fix ?? '').includes(SECRET)));
});

test('plugin options pass through (priority, failStrategy, name)', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  ns.useWaypoint(new Waypoint(ns, 'waypoint'));
  const api = MeshService.fromServiceName(ns, 'api', 'api');
  const p = protectPaths(api, { paths: ['/'], credentials: credentials(), priority: 50, name: 'api-admin-auth', sha256: 'a'.repeat(64) });
  assert.equal(p.plugin.name, 'api-admin-auth');
  const o = compile(app).find('WasmPlugin', 'api-admin-auth');
  assert.equal((o.spec as { priority: number }).priority, 50);
  assert.equal((o.spec as { sha256: string }).sha256, 'a'.repeat(64));
  assertConforms([o]);
});

test('default methods: the nine standard ones are protected; an unlisted extension method passes (as docs/library.md says)', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'bookinfo');
  ns.useWaypoint(new Waypoint(ns, 'waypoint'));
  protectPaths(MeshService.fromServiceName(ns, 'reviews', 'reviews'), { paths: ['/reviews'], credentials: credentials() });
  const { model } = compileApp(app).collected;
  const status = (method: string) => simulate(model, { target: 'default', to: 'bookinfo/reviews', method, path: '/reviews/1' }).status;
  for (const method of ALL_HTTP_METHODS) assert.equal(status(method), 401, method);
  assert.equal(status('PROPFIND'), 200);
  const withPropfind = new PolicyApp();
  const ns2 = new MeshNamespace(withPropfind, 'bookinfo');
  ns2.useWaypoint(new Waypoint(ns2, 'waypoint'));
  protectPaths(MeshService.fromServiceName(ns2, 'reviews', 'reviews'), { paths: ['/reviews'], credentials: credentials(), methods: [...ALL_HTTP_METHODS, 'PROPFIND'] });
  assert.equal(simulate(compileApp(withPropfind).collected.model, { target: 'default', to: 'bookinfo/reviews', method: 'PROPFIND', path: '/reviews/1' }).status, 401);
});

/** The Service manifests emitted for `name`, with their ownership. */
const serviceManifests = (app: PolicyApp, name: string) =>
  compileApp(app).collected.model.objects.filter((o) => o.manifest.kind === 'Service' && o.manifest.metadata.name === name);

const paths = (app: PolicyApp) => app.node.findAll().map((c) => c.node.path);

test("protecting another team's Service labels its one manifest: apiObject and serviceWaypoint see the label", () => {
  const viaProtectPaths = (api: ExternalService) => protectPaths(api, { paths: ['/admin'], credentials: credentials() });
  const viaConstruct = (api: ExternalService, ns: MeshNamespace) =>
    new ProtectedService(ns, 'api-admin', { service: api, paths: ['/admin'], credentials: credentials() });
  for (const [how, protect] of [['protectPaths', viaProtectPaths], ['new ProtectedService', viaConstruct]] as const) {
    const app = new PolicyApp();
    const ns = new MeshNamespace(app, 'shop');
    const api = MeshService.fromServiceName(ns, 'api', 'api');
    const p = protect(api, ns);
    assert.equal(p.labeledService, true, how);
    assert.deepEqual(serviceWaypoint(api), { source: 'service', name: 'waypoint', namespace: 'shop', optedOut: false }, `${how}: the waypoint query sees the label`);
    assert.equal(api.apiObject?.metadata.getLabel('istio.io/use-waypoint'), 'waypoint', `${how}: the escape hatch is the labeled manifest`);
    // The escape hatch reaches the output: it is the one manifest, not a second one.
    api.apiObject.metadata.addLabel('team', 'payments');
    const manifests = serviceManifests(app, 'api');
    assert.equal(manifests.length, 1, `${how}: one manifest for the Service`);
    assert.equal(manifests[0].ownership, 'external');
    assert.deepEqual(manifests[0].manifest.metadata.labels, { 'istio.io/use-waypoint': 'waypoint', team: 'payments' }, how);
    // cdk8s's own synth sees the same single manifest.
    assert.equal(ns.toJson().filter((o: { kind: string }) => o.kind === 'Service').length, 1, `${how}: cdk8s synth`);
  }
});

test("protecting another team's Service that already has labels adds to its manifest, created or not", () => {
  for (const created of [false, true]) {
    const app = new PolicyApp();
    const ns = new MeshNamespace(app, 'shop');
    const api = MeshService.fromServiceName(ns, 'api', 'api', { ingressUseWaypoint: true });
    if (created) assert.ok(api.apiObject, 'the ApiObject exists before the protection');
    protectPaths(api, { paths: ['/admin'], credentials: credentials() });
    assert.equal(serviceWaypoint(api).name, 'waypoint');
    const manifests = serviceManifests(app, 'api');
    assert.equal(manifests.length, 1, `one manifest (ApiObject created first: ${created})`);
    assert.deepEqual(manifests[0].manifest.metadata.labels, { 'istio.io/ingress-use-waypoint': 'true', 'istio.io/use-waypoint': 'waypoint' });
  }
});

test('a second protection of the same Service is refused before it adds anything', () => {
  const owned = (ns: MeshNamespace) => new MeshService(ns, 'api', { ports: [{ port: 8080, name: 'http' }] });
  const external = (ns: MeshNamespace) => MeshService.fromServiceName(ns, 'api', 'api');
  for (const [kind, make] of [['fromServiceName', external], ['owned', owned]] as const) {
    const app = new PolicyApp();
    const ns = new MeshNamespace(app, 'shop');
    const api = make(ns);
    const first = new ProtectedService(ns, 'first', { service: api, paths: ['/a'], credentials: credentials() });
    assert.equal(first.createdWaypoint, true);
    const before = paths(app);

    // Another id, plugin name and waypoint name: nothing collides but the Service.
    const findings = thrownFindings(() => new ProtectedService(ns, 'second', { service: api, paths: ['/b'], credentials: credentials(), name: 'api-b', waypointName: 'other' }));
    assert.deepEqual(findings.map((f) => f.rule), ['protect/duplicate'], kind);
    assert.equal(findings[0].path, 'shop/second', `${kind}: the finding names the refused construct`);
    assert.match(findings[0].message, /Service 'api' are already protected by the ProtectedService at 'shop\/first'/, kind);
    assert.match(findings[0].fix ?? '', /every path in that one ProtectedService/, kind);
    assert.deepEqual(paths(app), before, `${kind}: no waypoint, plugin or label object left behind`);

    // protectPaths() after a ProtectedService is the same second protection.
    assert.deepEqual(thrownRules(() => protectPaths(api, { paths: ['/b'], credentials: credentials(), name: 'api-b' })), ['protect/duplicate'], kind);
    assert.deepEqual(paths(app), before, kind);

    // The first protection is intact: one Service manifest, labeled, and its plugin.
    const c = compile(app);
    assert.deepEqual(c.errors, [], kind);
    assert.equal(c.objects.filter((o) => o.kind === 'Service').length, 1, kind);
    assert.equal(c.find('Service', 'api').metadata.labels?.['istio.io/use-waypoint'], 'waypoint', kind);
    assert.deepEqual(c.objects.filter((o) => o.kind === 'WasmPlugin').map((o) => o.metadata.name), ['api-basic-auth'], kind);
    assert.deepEqual(c.objects.filter((o) => o.kind === 'Gateway').map((o) => o.metadata.name), ['waypoint'], kind);
  }
});

test('a Service can be protected again once the first protection is removed from the tree', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  ns.useWaypoint(new Waypoint(ns, 'waypoint'));
  const api = MeshService.fromServiceName(ns, 'api', 'api');
  new ProtectedService(ns, 'first', { service: api, paths: ['/a'], credentials: credentials() });
  ns.node.tryRemoveChild('first');
  const second = new ProtectedService(ns, 'second', { service: api, paths: ['/b'], credentials: credentials() });
  assert.equal(second.plugin.name, 'api-basic-auth');
});

test('a waypoint the call creates is removed again when creating it fails', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const api = MeshService.fromServiceName(ns, 'api', 'api');
  const before = paths(app);
  // A valid DNS name that the Waypoint itself refuses, after it joined the tree.
  assert.deepEqual(thrownRules(() => protectPaths(api, { paths: ['/admin'], credentials: credentials(), waypointName: 'none' })), ['waypoint/reserved-name']);
  assert.deepEqual(paths(app), before, 'no half-built waypoint left in the namespace');
  assert.equal(api.apiObject, undefined, 'the Service is not labeled');
  assert.deepEqual(serviceWaypoint(api), { source: 'none', optedOut: false });
});

test('a misspelt ProtectedService or protectPaths prop is refused in its own terms, with the prop it most likely means', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const api = MeshService.fromServiceName(ns, 'api', 'api');
  const credentials = [Credential.insecureLiteral('ok:test')];
  const typo: Record<string, unknown> = { method: ['GET'] };
  assert.throws(
    () => protectPaths(api, { paths: ['/admin'], credentials, ...typo }),
    (e: unknown) => {
      assert.ok(isPolicyError(e), String(e));
      assert.deepEqual(
        e.findings.map((f) => [f.rule, f.message, f.fix]),
        [['props/unknown', "ProtectedService has no prop 'method' (did you mean 'methods'?)", "Rename 'method' to 'methods'."]],
      );
      return true;
    },
  );
  assert.equal(ns.node.tryFindChild('api-protected'), undefined);
});
