import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileApp } from '../../compiler/synth';
import { MeshNamespace, MeshService, PolicyApp, PolicyError, Waypoint } from '../../constructs';

function objects(app: PolicyApp) {
  return compileApp(app).collected.model.objects;
}

test('namespace enrollment: dataplane-mode ambient and use-waypoint, as a label-only object', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'default');
  ns.useWaypoint(new Waypoint(ns, 'waypoint'));
  const nsObj = objects(app).find((o) => o.manifest.kind === 'Namespace')!;
  assert.deepEqual(nsObj.manifest, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'default', labels: { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' } },
  });
  assert.equal(nsObj.ownership, 'external');
});

test('a waypoint in another namespace adds use-waypoint-namespace', () => {
  const app = new PolicyApp();
  const shared = new MeshNamespace(app, 'infra', { enroll: false });
  const wp = new Waypoint(shared, 'egress', { allowedNamespaces: undefined });
  new MeshNamespace(app, 'team-a', { useWaypoint: wp });
  const ns = objects(app).find((o) => o.manifest.kind === 'Namespace' && o.manifest.metadata.name === 'team-a')!;
  assert.deepEqual(ns.manifest.metadata.labels, {
    'istio.io/dataplane-mode': 'ambient',
    'istio.io/use-waypoint': 'egress',
    'istio.io/use-waypoint-namespace': 'infra',
  });
  // enroll: false and no labels: nothing is emitted for the infra namespace.
  assert.equal(objects(app).some((o) => o.manifest.kind === 'Namespace' && o.manifest.metadata.name === 'infra'), false);
});

test("another team's Service: only its waypoint labels are emitted", () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'default');
  const wp = new Waypoint(ns, 'reviews-svc-waypoint');
  MeshService.fromServiceName(ns, 'reviews', 'reviews', { useWaypoint: wp, ingressUseWaypoint: true });
  MeshService.fromServiceName(ns, 'ratings', 'ratings', { useWaypoint: 'none' });
  MeshService.fromServiceName(ns, 'details', 'details');
  const services = objects(app).filter((o) => o.manifest.kind === 'Service');
  assert.deepEqual(
    services.map((s) => s.manifest),
    [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews', namespace: 'default', labels: { 'istio.io/use-waypoint': 'reviews-svc-waypoint', 'istio.io/ingress-use-waypoint': 'true' } } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ratings', namespace: 'default', labels: { 'istio.io/use-waypoint': 'none' } } },
    ],
  );
  assert.ok(services.every((s) => s.ownership === 'external'));
});

test('an owned Service is a full manifest built with cdk8s-plus, with its waypoint label', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop', { owned: true });
  const wp = new Waypoint(ns, 'waypoint');
  new MeshService(ns, 'cart', { ports: [{ port: 8080, name: 'http' }], useWaypoint: wp });
  const svc = objects(app).find((o) => o.manifest.kind === 'Service')!;
  assert.equal(svc.ownership, 'owned');
  assert.equal(svc.manifest.metadata.labels?.['istio.io/use-waypoint'], 'waypoint');
  assert.deepEqual((svc.manifest.spec as any).ports, [{ name: 'http', port: 8080, targetPort: 8080 }]);
  assert.deepEqual((svc.manifest.spec as any).selector, { app: 'cart' });
  assert.equal(objects(app).find((o) => o.manifest.kind === 'Namespace')!.ownership, 'owned');
});

test('fails when a namespace is given two waypoints', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'default');
  ns.useWaypoint(new Waypoint(ns, 'a'));
  assert.throws(() => ns.useWaypoint(new Waypoint(ns, 'b')), (e: unknown) => e instanceof PolicyError && e.findings[0].rule === 'binding/conflict');
});

test('fails on a Service without ports, naming the prop', () => {
  const ns = new MeshNamespace(new PolicyApp(), 'default');
  assert.throws(() => new MeshService(ns, 'x', { ports: [] }), (e: any) => e.findings[0].rule === 'service/no-ports' && /'ports'/.test(e.message));
});

test('fails on an invalid label value with the label-syntax rule', () => {
  const app = new PolicyApp();
  assert.throws(() => new MeshNamespace(app, 'default', { labels: { team: 'not valid!' } }), (e: any) => e.findings[0].rule === 'names/label-syntax');
});
