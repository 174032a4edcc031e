import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Construct } from 'constructs';
import { Credential, MeshNamespace, MeshService, PolicyApp, protectPaths } from '../../constructs';
import { compile, thrownFindings } from '../catalogue/helpers';

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
