import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsonPatch } from 'cdk8s';
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

test("the escape hatch cannot give another team's object a field beyond its name, labels and annotations (gitops/external-field): the tool's server-side apply would force it over theirs", () => {
  const app = new PolicyApp();
  const shop = new MeshNamespace(app, 'shop');
  const waypoint = new Waypoint(shop, 'waypoint');
  const reviews = MeshService.fromServiceName(shop, 'reviews', 'reviews', { useWaypoint: waypoint });
  // A port their Service lacks would be added to it, and taken from them where they had it; a release would then delete it.
  reviews.apiObject!.addJsonPatch(JsonPatch.add('/spec', { ports: [{ port: 80 }] }));
  // Kubernetes deletes an object with its owner: their Namespace with our Gateway.
  shop.apiObject!.addJsonPatch(JsonPatch.add('/metadata/ownerReferences', [{ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', name: 'waypoint', uid: 'x' }]));
  const { files, findings } = compileApp(app);
  const errors = findings.filter((f) => f.severity === 'error');
  assert.deepEqual(errors.map((f) => [f.rule, f.object?.kind, f.path]), [
    ['gitops/external-field', 'Namespace', 'shop'],
    ['gitops/external-field', 'Service', 'shop/reviews'],
  ]);
  assert.match(errors[0].message, /^Namespace 'shop' belongs to another team, but its label-only manifest also sets metadata\.ownerReferences:/);
  assert.match(errors[1].message, /^Service 'reviews' belongs to another team, but its label-only manifest also sets spec:/);
  assert.match(errors[1].fix ?? '', /^Remove spec \(added through the escape hatch\)/);
  assert.equal(files.size, 0);

  // Labels and annotations of its own stay allowed on another team's object, and an owned object takes any field.
  const ok = new PolicyApp();
  const ns = new MeshNamespace(ok, 'shop');
  ns.apiObject!.metadata.addAnnotation('example.com/contact', 'platform-team');
  const mine = new MeshNamespace(ok, 'mine', { owned: true });
  mine.apiObject!.addJsonPatch(JsonPatch.add('/spec', { finalizers: ['kubernetes'] }));
  assert.deepEqual(compileApp(ok).findings.filter((f) => f.severity === 'error'), []);
});

test("reaching for the manifest of a plugin whose credential could not be read throws the finding at the plugin's path and policy line, not its namespace's", async () => {
  const { main } = await import('../../cli/main');
  const { captureIo, tempDir, writePolicy } = await import('../support/helpers');
  const dir = tempDir('wp-escape-unread-');
  delete process.env.WP_TEST_UNSET_CREDENTIAL;
  const app = writePolicy(
    dir,
    [
      'const app = new wp.PolicyApp();',
      "const ns = new wp.MeshNamespace(app, 'shop');",
      "const w = new wp.Waypoint(ns, 'waypoint');",
      "const auth = new wp.BasicAuth(ns, 'auth', { targets: [w], rules: [{ prefix: '/', methods: ['GET'], credentials: [wp.Credential.fromEnv('WP_TEST_UNSET_CREDENTIAL')] }] });",
      "auth.apiObject.metadata.addAnnotation('team/owner', 'shop');",
      'export default app;',
    ].join('\n'),
  );
  const io = captureIo(dir);
  assert.equal(await main(['validate', '--app', app, '--json'], io), 1);
  const [f] = JSON.parse(io.stdout.join('\n'));
  assert.deepEqual([f.rule, f.path, f.source], ['credentials/missing', 'shop/auth', 'main.ts:5']);
});
