import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileApp } from '../../compiler/synth';
import { MeshNamespace, MeshService, PolicyApp, Waypoint } from '../../constructs';

test('every manifest-emitting construct docs/library.md lists exposes its ApiObject, and edits reach the output', () => {
  const app = new PolicyApp();
  const shop = new MeshNamespace(app, 'shop', { owned: true });
  const waypoint = new Waypoint(shop, 'waypoint');
  shop.useWaypoint(waypoint);
  const cart = new MeshService(shop, 'cart', { ports: [{ port: 80 }] });
  const quiet = new MeshNamespace(app, 'quiet', { enroll: false });
  assert.equal(quiet.apiObject, undefined, 'a Namespace without labels emits nothing');
  assert.equal(MeshService.fromServiceName(shop, 'api', 'api').apiObject, undefined);

  shop.apiObject!.metadata.addAnnotation('example.com/owner', 'team-a');
  cart.apiObject.metadata.addAnnotation('example.com/owner', 'team-b');
  waypoint.apiObject.metadata.addAnnotation('example.com/owner', 'team-c');
  const { files, findings } = compileApp(app);
  assert.deepEqual(findings.filter((f) => f.severity === 'error'), []);
  assert.match(files.get('default/1-waypoints/shop/namespace-shop.yaml') ?? '', /example\.com\/owner: team-a/);
  assert.match(files.get('default/3-enrollment/shop/service-cart.yaml') ?? '', /example\.com\/owner: team-b/);
  assert.match(files.get('default/1-waypoints/shop/gateway-waypoint.yaml') ?? '', /example\.com\/owner: team-c/);
});

test("the escape hatch cannot give another team's object a GitOps tool key", () => {
  const app = new PolicyApp();
  const theirs = new MeshNamespace(app, 'theirs');
  theirs.apiObject!.metadata.addAnnotation('kustomize.toolkit.fluxcd.io/force', 'enabled');
  const { files, findings } = compileApp(app);
  assert.deepEqual(findings.filter((f) => f.severity === 'error').map((f) => f.rule), ['gitops/external-tool-override']);
  assert.equal(files.size, 0);
});
