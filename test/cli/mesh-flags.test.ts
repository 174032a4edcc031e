/**
 * --root-namespace and --cluster-domain on the commands that read plain
 * manifests (explain, validate --manifests): the manifests record neither,
 * and both change what a policy applies to.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { main } from '../../cli/main';
import type { KubeObject } from '../../compiler/model';
import { captureIo, tempDir } from '../support/helpers';
import { basicAuthConfig, namespace, plugin, service, toGateway, waypoint } from '../simulator/fixtures';

function manifests(objects: KubeObject[]): string {
  const dir = tempDir('wp-mesh-flags-');
  objects.forEach((o, i) => fs.writeFileSync(path.join(dir, `${i}-${o.kind.toLowerCase()}-${o.metadata.name}.yaml`), stringify(o)));
  return dir;
}

async function run(args: string[]) {
  const io = captureIo();
  const code = await main(args, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

const shop = (extra: KubeObject[]) => [namespace('shop', { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' }), waypoint('shop', 'waypoint'), service('shop', 'cart', {}, [8080]), ...extra];

test("explain --cluster-domain: the default authority is the Service's name in that domain, so a rule naming it there applies", async () => {
  const hosts = { basic_auth_rules: [{ prefix: '/admin', request_methods: ['GET'], hosts: ['cart.shop.svc.corp.internal'], credentials: ['shop:admin'] }] };
  const dir = manifests(shop([plugin('shop', 'auth', { targetRefs: toGateway('waypoint'), pluginConfig: hosts })]));
  const request = ['explain', '--manifests', dir, '--to', 'shop/cart:8080', '--path', '/admin', '--json'];
  const corp = await run([...request, '--cluster-domain', 'corp.internal']);
  assert.equal(corp.code, 0, corp.err);
  assert.equal(JSON.parse(corp.out).status, 401);
  assert.match(corp.out, /cart\.shop\.svc\.corp\.internal:8080/);
  // Without the flag the request goes as cluster.local, which the rule does not name.
  const local = await run(request);
  assert.equal(JSON.parse(local.out).status, 200);
});

test('explain --root-namespace: a plugin for every waypoint, in the mesh root namespace the flag names, applies', async () => {
  const meshWide = plugin('mesh', 'auth', { targetRefs: [{ kind: 'GatewayClass', name: 'istio-waypoint' }], pluginConfig: basicAuthConfig('/admin', ['shop:admin']) });
  const dir = manifests([...shop([]), namespace('mesh'), meshWide]);
  const request = ['explain', '--manifests', dir, '--to', 'shop/cart:8080', '--path', '/admin', '--json'];
  const root = await run([...request, '--root-namespace', 'mesh']);
  assert.equal(root.code, 0, root.err);
  assert.equal(JSON.parse(root.out).status, 401);
  assert.equal(JSON.parse((await run(request)).out).status, 200);
});

test("validate --manifests --cluster-domain: a rule's hosts are compared with the Service's names in that domain", async () => {
  const partial = { basic_auth_rules: [{ prefix: '/', request_methods: ['GET'], hosts: ['cart.shop.svc.corp.internal'], credentials: ['shop:admin'] }] };
  const dir = manifests(shop([plugin('shop', 'auth', { targetRefs: [{ kind: 'Service', name: 'cart' }], pluginConfig: partial })]));
  const corp = await run(['validate', '--manifests', dir, '--cluster-domain', 'corp.internal', '--json']);
  assert.ok(JSON.parse(corp.out).some((f: { rule: string }) => f.rule === 'basic-auth/partial-hosts'), corp.out);
  // In a cluster.local cluster that host names no Service: a rule for other hosts, not a gap.
  const local = await run(['validate', '--manifests', dir, '--json']);
  assert.ok(!JSON.parse(local.out).some((f: { rule: string }) => f.rule === 'basic-auth/partial-hosts'), local.out);
});

test('a value that is no DNS domain or namespace name is bad usage (exit 2), saying what is wrong; --cluster-domain needs --manifests in validate', async () => {
  const dir = manifests(shop([]));
  const domain = await run(['explain', '--manifests', dir, '--to', 'shop/cart', '--cluster-domain', 'Corp.Internal.']);
  assert.equal(domain.code, 2);
  assert.match(domain.err, /--cluster-domain "Corp\.Internal\." ends with '\.'/);
  const root = await run(['validate', '--manifests', dir, '--root-namespace', 'Mesh_Root']);
  assert.equal(root.code, 2);
  assert.match(root.err, /--root-namespace "Mesh_Root" is not a namespace name/);
  const app = await run(['validate', '--cluster-domain', 'corp.internal']);
  assert.equal(app.code, 2);
  assert.match(app.err, /--cluster-domain only applies with --manifests \(a policy program sets PolicyApp clusterDomain\)/);
});
