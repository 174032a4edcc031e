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
