/** diff reads both revisions with the head app's root namespace and cluster domain, which the manifests do not record. */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { main } from '../../cli/main';
import { captureIo, REPO_ROOT } from '../support/helpers';
import { policyRepo } from './policy-repo';

/** A shop whose waypoint asks for credentials on /admin for requests to cart by its name in `corp.internal`; without the plugin when `auth` is false. */
function policy(auth: boolean): string {
  const lib = path.join(REPO_ROOT, 'constructs').split(path.sep).join('/');
  return `import * as wp from '${lib}';
const app = new wp.PolicyApp({ clusterDomain: 'corp.internal' });
const ns = new wp.MeshNamespace(new wp.Target(app, 'demo'), 'shop');
const waypoint = new wp.Waypoint(ns, 'waypoint');
ns.useWaypoint(waypoint);
new wp.MeshService(ns, 'cart', { ports: [{ port: 8080 }] });
${auth ? "new wp.BasicAuth(ns, 'admin-auth', { targets: [waypoint], rules: [{ prefix: '/admin', methods: ['GET'], hosts: ['cart.shop.svc.corp.internal', 'cart', 'cart.shop', 'cart.shop.svc'], credentials: [wp.Credential.insecureLiteral('shop:admin')] }], acknowledge: { unpinnedModule: 'test fixture', literalCredentials: 'test fixture' } });" : ''}
export default app;
`;
}

test("removing a rule for a Service's names in the cluster's domain (PolicyApp clusterDomain) widens the request that names it by default: diff sends it as cart.shop.svc.corp.internal, not cluster.local", async () => {
  const repo = await policyRepo(policy(true), policy(false), 'wp-review-domain-');
  const io = captureIo(repo);
  assert.equal(await main(['diff', '--base', 'main', '--json'], io), 0, io.text());
  const access = JSON.parse(io.stdout.join('\n')).effects.access as { widened: boolean; to: string; path: string; authority?: string; credential: string; before: number; after: number }[];
  // The request without an authority goes by the Service's fully qualified name, which the rule named: 401 before, 200 after.
  const byDefault = access.find((a) => a.to.startsWith('shop/cart') && a.path.startsWith('/admin') && a.authority === undefined && a.credential === 'none');
  assert.ok(byDefault, JSON.stringify(access, null, 1));
  assert.deepEqual([byDefault.before, byDefault.after, byDefault.widened], [401, 200, true], JSON.stringify(byDefault));
  const gate = captureIo(repo);
  assert.equal(await main(['diff', '--base', 'main', '--fail-on-widened'], gate), 1, gate.text());
});
