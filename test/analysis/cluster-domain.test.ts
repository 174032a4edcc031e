import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../analysis/analyze';
import type { Finding } from '../../analysis/finding';
import { compileApp } from '../../compiler/synth';
import { readManifests } from '../../compiler/read-manifests';
import { BasicAuth, Credential, MeshNamespace, MeshService, PolicyApp, Waypoint } from '../../constructs';
import { REPO_ROOT, SHOP_MESH_YAML } from '../support/helpers';
import { manifestDir } from './harness';

// A cluster whose DNS domain is not cluster.local (kubelet --cluster-domain corp.internal): only names in
// that domain resolve, so they alone name its Services, and cart.shop.svc.cluster.local names none.

const DOMAIN = 'corp.internal';

/** `clusterDomain` null: an app without the prop. */
function findings(rule: string, clusterDomain: string | null, build: (shop: MeshNamespace, waypoint: Waypoint) => void): Finding[] {
  process.env.WP_OPS_CREDENTIAL = 'ops:s3cret';
  process.env.WP_CART_CREDENTIAL = 'cart:s3cret';
  const app = new PolicyApp(clusterDomain === null ? {} : { clusterDomain });
  const shop = new MeshNamespace(app, 'shop');
  build(shop, new Waypoint(shop, 'waypoint'));
  return compileApp(app, { root: REPO_ROOT }).findings.filter((f) => f.rule === rule);
}

const rule = (hosts: string[] | undefined, env = 'WP_CART_CREDENTIAL', prefix = '/') => ({ prefix, methods: ['GET'], ...(hosts ? { hosts } : {}), credentials: [Credential.fromEnv(env)] });

/** basic-auth/partial-hosts messages for one rule with `hosts` on Service shop/cart (or on the waypoint). */
function partial(hosts: string[], clusterDomain: string | null = DOMAIN, on: 'service' | 'waypoint' = 'service'): string[] {
  return findings('basic-auth/partial-hosts', clusterDomain, (shop, waypoint) => {
    const cart = MeshService.fromServiceName(shop, 'cart', 'cart', { useWaypoint: waypoint });
    new BasicAuth(shop, 'cart-auth', { targets: [on === 'service' ? cart : waypoint], rules: [rule(hosts)] });
  }).map((f) => f.message);
}

test('basic-auth/partial-hosts under clusterDomain corp.internal: a rule naming cart only by cart.shop.svc.corp.internal is a warning that lists the names it misses', () => {
  assert.deepEqual(partial(['cart.shop.svc.corp.internal']), [
    'WasmPlugin shop/cart-auth rule #1 hosts match Service shop/cart as cart.shop.svc.corp.internal but not as cart, cart.shop, cart.shop.svc or 4 more names with a trailing dot: a client that uses one of those reaches the Service without this rule asking for credentials',
  ]);
  assert.equal(partial(['*.shop.svc.corp.internal'], DOMAIN, 'waypoint').length, 1, 'a waypoint-wide wildcard over the namespace in the domain');
  assert.equal(partial(['cart', 'cart.shop']).length, 1, 'the short names still miss the fully qualified one');
  // Every name in the domain, by wildcards: only the ClusterIP and other letter cases are left.
  assert.deepEqual(
    partial(['cart', 'cart.*', '*.shop.svc', '*.corp.internal', '*.shop.svc.', '*.corp.internal.']).map((m) => m.replace(/ but .*/, '')),
    ['WasmPlugin shop/cart-auth rule #1 hosts match Service shop/cart by each of its DNS names'],
  );
});

test('basic-auth/partial-hosts under clusterDomain corp.internal: cluster.local names no Service (it does not resolve there), so a rule for it is about other hosts; the default domain is unchanged', () => {
  assert.deepEqual(partial(['cart.shop.svc.cluster.local']), [], 'on the Service');
  assert.deepEqual(partial(['cart.shop.svc.cluster.local'], DOMAIN, 'waypoint'), [], 'waypoint-wide');
  assert.deepEqual(partial(['*.cluster.local'], DOMAIN, 'waypoint'), [], 'a wildcard over cluster.local');
  // Without clusterDomain, the names are cluster.local's, as before.
  assert.equal(partial(['cart.shop.svc.cluster.local'], null).length, 1);
  assert.deepEqual(partial(['cart.shop.svc.corp.internal'], null), [], 'another domain is an outside name to a cluster.local cluster');
});

/** basic-auth/conflicting-plugins findings: a waypoint-wide rule for `host` (other credential) beside cart's own rule, on cart's chain. */
function conflicts(host: string, clusterDomain: string | null = DOMAIN, ingressUseWaypoint?: boolean): Finding[] {
  return findings('basic-auth/conflicting-plugins', clusterDomain, (shop, waypoint) => {
    new BasicAuth(shop, 'ops', { targets: [waypoint], priority: 10, rules: [rule([host], 'WP_OPS_CREDENTIAL', '/admin')] });
    const cart = MeshService.fromServiceName(shop, 'cart', 'cart', { useWaypoint: waypoint, ...(ingressUseWaypoint === undefined ? {} : { ingressUseWaypoint }) });
    new BasicAuth(shop, 'cart-auth', { targets: [cart], rules: [rule(undefined, 'WP_CART_CREDENTIAL', '/admin')] });
  });
}

test("basic-auth/conflicting-plugins under clusterDomain corp.internal: a waypoint-wide rule naming cart in the cluster's domain meets cart's own rule; one naming it in cluster.local does not", () => {
  assert.deepEqual(
    conflicts('cart.shop.svc.corp.internal').map((f) => f.message),
    ['WasmPlugin shop/cart-auth rule #1 (prefix /admin) and WasmPlugin shop/ops rule #1 (prefix /admin) can match the same GET request on shop/waypoint and share no credential: a request must satisfy both plugins, so every such request gets 401'],
  );
  assert.equal(conflicts('cart.shop.svc.corp.internal.').length, 1, 'with the trailing dot');
  assert.equal(conflicts('*.shop.svc.corp.internal').length, 1, 'a wildcard over the namespace in the domain');
  assert.deepEqual(conflicts('cart.shop.svc.cluster.local'), [], 'cluster.local does not resolve in this cluster');
  assert.deepEqual(conflicts('cart.shop.svc.corp.internal', null), [], 'without clusterDomain, corp.internal names no Service');
});

test("basic-auth/conflicting-plugins under clusterDomain corp.internal: with istio.io/ingress-use-waypoint, another Service's name in the cluster's domain is not taken for an outside (ingress) host", () => {
  assert.equal(conflicts('shop.example.com', DOMAIN, true).length, 1, 'an ingress hostname still meets cart\'s chain');
  assert.deepEqual(conflicts('reviews.shop.svc.corp.internal', DOMAIN, true), [], 'reviews\' cluster name is not cart\'s, nor an ingress host');
  assert.deepEqual(conflicts('reviews.shop.svc.corp.internal.', DOMAIN, true), [], 'with the trailing dot too');
});

test('readManifests takes the cluster domain as an option (manifests do not record it), and the analysis of the model uses it', () => {
  const plugin = (host: string) => `${SHOP_MESH_YAML}apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: cart-auth, namespace: shop }
spec:
  url: oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0
  phase: AUTHN
  targetRefs: [{ group: '', kind: Service, name: cart }]
  pluginConfig:
    basic_auth_rules: [{ prefix: /, request_methods: [GET], credentials: ['ok:test'], hosts: ['${host}'] }]
`;
  const partialIn = (host: string, clusterDomain?: string) => {
    const read = readManifests(manifestDir({ 'all.yaml': plugin(host) }), { clusterDomain });
    return analyze(read.model).filter((f) => f.rule === 'basic-auth/partial-hosts').length;
  };
  assert.equal(partialIn('cart.shop.svc.corp.internal', DOMAIN), 1);
  assert.equal(partialIn('cart.shop.svc.cluster.local', DOMAIN), 0);
  assert.equal(partialIn('cart.shop.svc.cluster.local'), 1, 'cluster.local by default');
  assert.equal(readManifests(manifestDir({ 'all.yaml': SHOP_MESH_YAML })).model.clusterDomain, 'cluster.local');
});
