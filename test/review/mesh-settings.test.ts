/**
 * What diff reads the base revision from and with: the repository holding
 * --outdir, and the head app's root namespace and cluster domain, which the
 * manifests do not record.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { main } from '../../cli/main';
import { captureIo, REPO_ROOT, tempDir } from '../support/helpers';
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

test('run from another checkout (a CI workspace that is a repository, the policy repository inside it), diff reads the base from the repository holding --outdir: the widened request still fails the gate', async () => {
  const policyRepoDir = await policyRepo(policy(true), policy(false), 'wp-review-nested-');
  const workspace = tempDir('wp-review-workspace-');
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: workspace, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  fs.writeFileSync(path.join(workspace, 'README.md'), 'platform\n');
  git('add', 'README.md');
  git('commit', '-qm', 'workspace');
  fs.renameSync(policyRepoDir, path.join(workspace, 'policy'));
  const io = captureIo(workspace);
  const code = await main(['diff', '--base', 'main', '--fail-on-widened', '--app', 'policy/policies/main.ts', '--outdir', 'policy/dist'], io);
  assert.equal(code, 1, io.text());
  assert.doesNotMatch(io.text(), /has no files under/);
  assert.match(io.stderr.join('\n'), /--fail-on-widened fails: \d+ request\(s\) widened/);
});
