import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { ApiObject } from 'cdk8s';
import { analyze } from '../../analysis/analyze';
import type { Finding } from '../../analysis/finding';
import { compileApp } from '../../compiler/synth';
import { readManifests } from '../../compiler/read-manifests';
import {
  ALL_WAYPOINTS,
  AllowedNamespaces,
  BasicAuth,
  GatewayReference,
  Credential,
  MeshNamespace,
  MeshService,
  PluginPhase,
  PolicyApp,
  ServiceEntryReference,
  WasmPlugin,
  Waypoint,
  WaypointFor,
} from '../../constructs';
import { REPO_ROOT } from '../support/helpers';
import { manifestDir } from './harness';

// The mesh rules must match Istio exactly in both directions: report what istiod ignores or refuses,
// and stay silent on what it accepts. These are the subtle cases (facts §1.6, §1.7, §2.3, §3).

/** Findings of the rule families this analysis adds (not supply-chain or credentials). */
function meshFindings(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => !/^(supply-chain|credentials)\//.test(f.rule));
}

function compile(build: (app: PolicyApp, shop: MeshNamespace, waypoint: Waypoint) => void): Finding[] {
  process.env.SHOP_CREDENTIAL = 'shop:s3cret';
  const app = new PolicyApp();
  const shop = new MeshNamespace(app, 'shop');
  const waypoint = new Waypoint(shop, 'waypoint');
  build(app, shop, waypoint);
  return meshFindings(compileApp(app, { root: REPO_ROOT }).findings);
}

function lint(yaml: string, rootNamespace?: string): Finding[] {
  return meshFindings(analyze(readManifests(manifestDir({ 'all.yaml': yaml }), { rootNamespace }).model));
}

const rules = (fs: readonly Finding[]) => fs.map((f) => `${f.severity} ${f.rule}`).sort();
const auth = (ns: MeshNamespace, id: string, targets: WasmPlugin['targets'], extra: Record<string, unknown> = {}) =>
  new BasicAuth(ns, id, { targets: [...targets], rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.fromEnv('SHOP_CREDENTIAL')] }], ...extra });

test("the guide's setup (policies/main.ts) has no mesh findings", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const app = require(path.join(REPO_ROOT, 'policies', 'main.ts')).default as PolicyApp;
  assert.deepEqual(rules(meshFindings(compileApp(app, { root: REPO_ROOT }).findings)), []);
});

test('a cross-namespace waypoint admitting the namespace by name binds without findings', () => {
  const found = compile((app, shop) => {
    const infra = new MeshNamespace(app, 'infra', { enroll: false });
    const shared = new Waypoint(infra, 'shared', { allowedNamespaces: AllowedNamespaces.named('shop') });
    shop.useWaypoint(shared);
    const cart = new MeshService(shop, 'cart', { ports: [{ port: 80 }] });
    auth(shop, 'cart-auth', [cart]);
  });
  assert.deepEqual(rules(found), []);
});

test('a referenced waypoint (another repo) admitting all namespaces binds, with its plugins', () => {
  const found = compile((app, shop) => {
    const infra = new MeshNamespace(app, 'infra', { enroll: false });
    shop.useWaypoint(Waypoint.fromWaypointName(infra, 'shared-ref', { name: 'shared', namespace: 'infra', allowedNamespaces: AllowedNamespaces.all() }));
  });
  assert.deepEqual(rules(found), []);
});

/** Service shop/cart bound to waypoint `<namespace>/shared`, whose HBONE listener admits `allowed` (its allowedRoutes.namespaces). */
const sharedWaypoint = (namespace: string, allowed: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: shared, namespace: ${namespace} }
spec:
  gatewayClassName: istio-waypoint
  listeners:
    - { name: mesh, port: 15008, protocol: HBONE, allowedRoutes: { namespaces: ${allowed} } }
---
apiVersion: v1
kind: Service
metadata: { name: cart, namespace: shop, labels: { istio.io/use-waypoint: shared${namespace === 'shop' ? '' : `, istio.io/use-waypoint-namespace: ${namespace}`} } }
spec: { ports: [{ port: 80 }] }
`;

test("kubernetes.io/metadata.name is always known, even for a Namespace these manifests do not show", () => {
  const waypoint = (selector: string) => sharedWaypoint('infra', `{ from: Selector, selector: { matchLabels: { ${selector} } } }`);
  assert.deepEqual(rules(lint(waypoint('kubernetes.io/metadata.name: shop'))), []);
  // Wrong name: certain. Another label on a Namespace we cannot see: may be set in the cluster.
  assert.deepEqual(rules(lint(waypoint('kubernetes.io/metadata.name: billing'))), ['error binding/not-allowed']);
  assert.deepEqual(rules(lint(waypoint('team: shop'))), ['warning binding/not-allowed']);
});

test('a Selector applies to the waypoint\'s own namespace too: a same-namespace binding it does not admit is denied (istiod has no same-namespace shortcut)', () => {
  const waypoint = (allowed: string) => sharedWaypoint('shop', allowed);
  const denied = lint(waypoint('{ from: Selector, selector: { matchLabels: { kubernetes.io/metadata.name: billing } } }'));
  assert.deepEqual(rules(denied), ['error binding/not-allowed']);
  assert.match(denied[0].message, /do not admit shop \(a selector applies to the waypoint's own namespace too\): istiod denies the binding \(AttachmentDenied\)/);
  assert.deepEqual(rules(lint(waypoint('{ from: Selector, selector: { matchLabels: { kubernetes.io/metadata.name: shop } } }'))), []);
  assert.deepEqual(rules(lint(waypoint('{ from: Same }'))), []);
  assert.deepEqual(rules(lint(waypoint('{ from: All }'))), []);
});

test('the fix of binding/not-allowed names the namespace to admit and the waypoint, worded for how the waypoint admits namespaces', () => {
  const fixes = (namespace: string, allowed: string) => lint(sharedWaypoint(namespace, allowed)).map((f) => f.fix);
  assert.deepEqual(fixes('infra', '{ from: Same }'), ["Admit namespace shop on waypoint infra/shared: allowedNamespaces: AllowedNamespaces.named('shop') (or .selector(...) / .all())."]);
  // named('billing') cannot also admit shop: named() takes one namespace.
  const [denied] = fixes('shop', '{ from: Selector, selector: { matchLabels: { kubernetes.io/metadata.name: billing } } }');
  assert.match(denied ?? '', /^Admit namespace shop on waypoint shop\/shared: its selector must match shop's labels\. AllowedNamespaces\.named\(\) admits one namespace; for several, give their Namespaces a common label/);
  const [unknown] = fixes('infra', '{ from: Selector, selector: { matchLabels: { team: shop } } }');
  assert.match(unknown ?? '', /^Give Namespace shop the labels the selector of waypoint infra\/shared reads/);
  assert.ok([denied, unknown].every((f) => !f?.includes("named('shop')")), 'never the one-namespace form for a selector that must admit more');
});

test('an empty use-waypoint (or use-waypoint-namespace) label is an error, in manifests too: istiod reads it as naming a waypoint that cannot exist', () => {
  const yaml = (labels: string) => `apiVersion: v1
kind: Namespace
metadata: { name: shop, labels: { istio.io/use-waypoint: waypoint } }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: waypoint, namespace: shop }
spec: { gatewayClassName: istio-waypoint, listeners: [{ name: mesh, port: 15008, protocol: HBONE }] }
---
apiVersion: v1
kind: Service
metadata: { name: cart, namespace: shop, labels: { ${labels} } }
spec: { ports: [{ port: 80 }] }
`;
  const empty = lint(yaml(`istio.io/use-waypoint: ""`));
  assert.deepEqual(rules(empty), ['error binding/unknown-waypoint']);
  assert.match(empty[0].message, /has an empty istio\.io\/use-waypoint label\. istiod reads a present label, even an empty one, as naming a waypoint \(here "shop\/"\), which cannot exist/);
  assert.match(empty[0].fix ?? '', /Remove the istio\.io\/use-waypoint label to inherit the Namespace's waypoint/);
  assert.deepEqual(rules(lint(yaml(`istio.io/use-waypoint: waypoint, istio.io/use-waypoint-namespace: ""`))), ['error binding/unknown-waypoint']);
  assert.deepEqual(rules(lint(yaml(`app: cart`))), []);
});

test('istioctl analyze checks we mirror: IST0123 (ambient plus sidecar injection) and IST0166 (a selector on a Kubernetes Gateway pod)', () => {
  const ns = (labels: string) => `apiVersion: v1\nkind: Namespace\nmetadata: { name: shop, labels: { ${labels} } }\n`;
  assert.deepEqual(rules(lint(ns('istio.io/dataplane-mode: ambient, istio-injection: enabled'))), ['warning binding/sidecar-injection']);
  const rev = lint(ns('istio.io/dataplane-mode: ambient, istio.io/rev: canary'));
  assert.deepEqual(rules(rev), ['warning binding/sidecar-injection']);
  assert.match(rev[0].message, /asks for sidecar injection \(istio\.io\/rev=canary\).*IST0123/);
  assert.deepEqual(rules(lint(ns('istio-injection: enabled'))), []);
  assert.deepEqual(rules(lint(ns('istio.io/dataplane-mode: ambient, istio-injection: disabled'))), []);

  const ingress = (selector: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: public, namespace: shop }
spec: { gatewayClassName: istio, listeners: [{ name: http, port: 80, protocol: HTTP }] }
---
apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: auth, namespace: shop }
spec:
  url: oci://ghcr.io/acme/auth@sha256:${'a'.repeat(64)}
  selector: { matchLabels: { ${selector} } }
`;
  const found = lint(ingress('gateway.networking.k8s.io/gateway-name: public'));
  assert.deepEqual(rules(found), ['warning plugin/selector-only']);
  assert.match(found[0].message, /selects the pods of Kubernetes Gateway shop\/public by a selector, which istioctl analyze reports as ineffective on a Kubernetes Gateway \(IST0166 IneffectiveSelector\)/);
  assert.match(found[0].fix ?? '', /targetRefs: \[\{ group: gateway\.networking\.k8s\.io, kind: Gateway, name: public \}\]/);
  assert.deepEqual(rules(lint(ingress('app: cart'))), []);
});

test("a Service's own label wins over its Namespace's, with no fallback when it names a workload waypoint", () => {
  const overridden = compile((_app, shop, waypoint) => {
    shop.useWaypoint(new Waypoint(shop, 'pods', { waypointFor: WaypointFor.WORKLOAD }));
    MeshService.fromServiceName(shop, 'cart', 'cart', { useWaypoint: waypoint });
  });
  // Only the namespace label is a problem, and only a warning: no Service inherits it.
  assert.deepEqual(rules(overridden), ['warning binding/traffic-type']);
  const noFallback = compile((_app, shop, waypoint) => {
    shop.useWaypoint(waypoint);
    MeshService.fromServiceName(shop, 'cart', 'cart', { useWaypoint: new Waypoint(shop, 'pods', { waypointFor: WaypointFor.WORKLOAD }) });
  });
  const f = noFallback.find((x) => x.rule === 'binding/traffic-type');
  assert.ok(f && f.severity === 'error', JSON.stringify(noFallback));
  assert.match(f.message, /Istio does not fall back to another waypoint: ztunnel fails open/);
});

test('opting a Service out with none is not a finding', () => {
  const found = compile((_app, shop, waypoint) => {
    shop.useWaypoint(waypoint);
    MeshService.fromServiceName(shop, 'health', 'health', { useWaypoint: 'none' });
  });
  assert.deepEqual(rules(found), []);
});

test('a Service-targeted plugin runs on the waypoint its Service inherits from the Namespace', () => {
  const found = compile((_app, shop, waypoint) => {
    shop.useWaypoint(waypoint);
    auth(shop, 'cart-auth', [new MeshService(shop, 'cart', { ports: [{ port: 80 }] })]);
  });
  assert.deepEqual(rules(found), []);
});

test('ALL_WAYPOINTS from the root namespace attaches to every waypoint, so waypoint rules apply to it', () => {
  const found = compile((app, shop, waypoint) => {
    shop.useWaypoint(waypoint);
    const root = new MeshNamespace(app, 'istio-system', { enroll: false });
    new WasmPlugin(root, 'audit', { url: 'oci://ghcr.io/acme/audit:1.0.0', targets: [ALL_WAYPOINTS], match: [{ ports: [8080] }] });
  });
  assert.deepEqual(rules(found), ['error plugin/match-on-waypoint']);
});

test('a match list with one live entry is only a warning', () => {
  const found = compile((_app, _shop, waypoint) => {
    new WasmPlugin(waypoint.node.scope!, 'stamp', { url: 'oci://ghcr.io/acme/stamp:1.0.0', targets: [waypoint], match: [{ ports: [8080] }, {}] });
  });
  assert.deepEqual(rules(found), ['warning plugin/match-on-waypoint']);
});

test('plugin order: distinct priorities, mixed unset/set, other phases, separate Service chains, or no auth plugin are all fine', () => {
  const found = compile((_app, shop, waypoint) => {
    shop.useWaypoint(waypoint);
    const url = (n: string) => `oci://ghcr.io/acme/${n}:1.0.0`;
    auth(shop, 'a', [waypoint], { priority: 10 });
    new WasmPlugin(shop, 'b', { url: url('b'), targets: [waypoint], phase: PluginPhase.AUTHN, priority: 5 });
    new WasmPlugin(shop, 'c', { url: url('c'), targets: [waypoint], phase: PluginPhase.AUTHN }); // unset: runs last, deterministically
    new WasmPlugin(shop, 'd', { url: url('d'), targets: [waypoint], phase: PluginPhase.AUTHZ, priority: 10 });
    new WasmPlugin(shop, 'e', { url: url('e'), targets: [waypoint], phase: PluginPhase.STATS });
    new WasmPlugin(shop, 'f', { url: url('f'), targets: [waypoint], phase: PluginPhase.STATS });
    const cart = new MeshService(shop, 'cart', { ports: [{ port: 80 }] });
    const shipping = new MeshService(shop, 'shipping', { ports: [{ port: 80 }] });
    new WasmPlugin(shop, 'g', { url: url('g'), targets: [cart], phase: PluginPhase.AUTHZ, priority: 1 });
    new WasmPlugin(shop, 'h', { url: url('h'), targets: [shipping], phase: PluginPhase.AUTHZ, priority: 1 });
  });
  assert.deepEqual(rules(found), []);
});

test('plugin order: a Service-targeted plugin ties with a waypoint-wide one on that Service chain', () => {
  const found = compile((_app, shop, waypoint) => {
    shop.useWaypoint(waypoint);
    const cart = new MeshService(shop, 'cart', { ports: [{ port: 80 }] });
    auth(shop, 'wide', [waypoint]);
    auth(shop, 'narrow', [cart]);
  });
  const f = found.find((x) => x.rule === 'plugin/ambiguous-order');
  assert.ok(f, JSON.stringify(found));
  assert.match(f.message, /runs in phase AUTHN on shop\/waypoint together with shop\/wide, all with no priority/);
});

test('plugin order: an explicit priority of -2147483648 ties with an unset one (istiod sorts unset as math.MinInt32)', () => {
  const url = (n: string) => `oci://ghcr.io/acme/${n}:1.0.0`;
  const found = compile((_app, shop, waypoint) => {
    shop.useWaypoint(waypoint);
    new WasmPlugin(shop, 'lowest', { url: url('lowest'), targets: [waypoint], phase: PluginPhase.AUTHN, priority: -2147483648 });
    auth(shop, 'unset', [waypoint]);
  });
  const f = found.find((x) => x.rule === 'plugin/ambiguous-order');
  assert.ok(f, JSON.stringify(found));
  assert.match(f.message, /all with priority -2147483648 or none \(istiod sorts an unset priority as -2147483648\)/);
  const distinct = compile((_app, shop, waypoint) => {
    shop.useWaypoint(waypoint);
    new WasmPlugin(shop, 'low', { url: url('low'), targets: [waypoint], phase: PluginPhase.AUTHN, priority: -2147483647 });
    auth(shop, 'unset', [waypoint]);
  });
  assert.equal(distinct.some((x) => x.rule === 'plugin/ambiguous-order'), false);
});

test('a hand-written acknowledgement annotation silences fail-open in validate --manifests', () => {
  const plugin = (annotations: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: waypoint, namespace: shop }
spec: { gatewayClassName: istio-waypoint, listeners: [{ name: mesh, port: 15008, protocol: HBONE }] }
---
apiVersion: v1
kind: Namespace
metadata: { name: shop, labels: { istio.io/use-waypoint: waypoint } }
---
apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: auth, namespace: shop${annotations} }
spec:
  url: oci://ghcr.io/acme/auth:1.0.0
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: waypoint }]
  phase: AUTHZ
  failStrategy: FAIL_OPEN
`;
  assert.deepEqual(rules(lint(plugin(''))), ['error plugin/fail-open-auth']);
  assert.deepEqual(rules(lint(plugin(', annotations: { acknowledged.waypoint-policy.io/plugin.fail-open-auth: "read-only telemetry gate" }'))), []);
});

test('a workload waypoint named by a pod template is fine; a service-only one is not', () => {
  const deployment = (waypointFor: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: waypoint, namespace: shop, labels: { istio.io/waypoint-for: ${waypointFor} } }
spec: { gatewayClassName: istio-waypoint, listeners: [{ name: mesh, port: 15008, protocol: HBONE }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: cart, namespace: shop }
spec:
  selector: { matchLabels: { app: cart } }
  template:
    metadata: { labels: { app: cart, istio.io/use-waypoint: waypoint } }
    spec: { containers: [{ name: cart, image: cart }] }
`;
  assert.deepEqual(rules(lint(deployment('all'))), []);
  assert.deepEqual(rules(lint(deployment('workload'))), []);
  assert.deepEqual(rules(lint(deployment('service'))), ['error binding/traffic-type']);
});

test('the root namespace for GatewayClass targets comes from --root-namespace in manifests mode', () => {
  const yaml = `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: audit, namespace: mesh-root }
spec:
  url: oci://ghcr.io/acme/audit:1.0.0
  targetRefs: [{ group: gateway.networking.k8s.io, kind: GatewayClass, name: istio-waypoint }]
`;
  assert.deepEqual(rules(lint(yaml, 'mesh-root')), []);
  assert.deepEqual(rules(lint(yaml)), ['error plugin/gateway-class-target']);
});

test('a BasicAuth config problem is reported under its own id and never shows the credential', () => {
  const yaml = `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: auth, namespace: shop }
spec:
  url: oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: waypoint }]
  pluginConfig:
    basic_auth_rules:
      - { prefix: /, request_methods: [get], credentials: [zq7-bad_cred] }
`;
  const found = lint(yaml).filter((f) => f.rule.startsWith('basic-auth/'));
  assert.deepEqual(found.map((f) => f.rule).sort(), ['basic-auth/bad-credential', 'basic-auth/lowercase-method']);
  for (const f of found) {
    assert.doesNotMatch(f.message, /\[basic-auth\//, 'the id is the finding rule, not part of the message');
    assert.ok(!f.message.includes('zq7-bad_cred'));
    assert.ok(f.fix);
  }
});

test('plugins sharing one config are each reported, and configs that differ are told apart', () => {
  const plugin = (name: string, methods: string) => `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: ${name}, namespace: shop }
spec:
  url: oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: waypoint }]
  pluginConfig:
    basic_auth_rules:
      - prefix: /
        request_methods: ${methods}
        credentials: ["ok:test"]
`;
  const found = lint([plugin('a', '[]'), plugin('b', '[]'), plugin('c', '["get"]'), plugin('d', '["GET"]')].join('---\n'));
  const config = found.filter((f) => f.rule.startsWith('basic-auth/') || f.rule === 'plugin/config');
  assert.deepEqual(
    config.map((f) => `${f.object?.name} ${f.rule}`).sort(),
    ['a basic-auth/empty-methods', 'b basic-auth/empty-methods', 'c basic-auth/lowercase-method'],
  );
});

test('binding/similar-waypoint: a waypoint reference one slip from a waypoint the app declares in that namespace is a warning; an exact match, another namespace, or names similar on purpose (waypoint-a and -b, -eu and -us, -9 and -10) are not', () => {
  const similar = (refName: string, namespace = 'shop', declare: string[] = []) =>
    compile((app, shop) => {
      for (const name of declare) new Waypoint(shop, name);
      if (namespace !== 'shop') new MeshNamespace(app, namespace);
      const ref = Waypoint.fromWaypointName(shop, 'ref', { name: refName, namespace });
      MeshService.fromServiceName(shop, 'cart', 'cart', { useWaypoint: ref });
    }).filter((f) => f.rule === 'binding/similar-waypoint');
  // Swapped letters, one dropped, one added: typos of the declared shop/waypoint.
  for (const typo of ['waypiont', 'waypont', 'waypoints']) {
    const found = similar(typo);
    assert.deepEqual(
      found.map((f) => [f.severity, f.object?.name, f.path]),
      [['warning', typo, 'shop/ref']],
      typo,
    );
    assert.match(found[0].message, new RegExp(`^Waypoint reference shop/${typo} is not declared in this target, and this app declares waypoint shop/waypoint in the same namespace`));
    assert.match(found[0].source ?? '', /mesh-rules\.test\.ts:\d+$/);
  }
  assert.deepEqual(similar('waypoint-b', 'shop', ['waypoint-a']).map((f) => f.object?.name), [], 'siblings differing in the last character');
  // Names similar on purpose are more than one slip apart.
  for (const [ref, declared] of [['waypoint-us', ['waypoint-eu']], ['waypoint-west', ['waypoint-east']], ['waypoint-10', ['waypoint-9']], ['waypoint-v2', []]] as const) {
    assert.deepEqual(similar(ref, 'shop', [...declared]), [], `${ref} beside ${declared.join(', ') || 'waypoint'}`);
  }
  // One letter replaced inside the name is a slip.
  assert.deepEqual(similar('wayqoint').map((f) => f.object?.name), ['wayqoint']);
  assert.deepEqual(similar('waypiont', 'orders'), [], 'a reference in a namespace where the app declares no waypoint');
  assert.deepEqual(similar('egress-gateway'), [], 'a name no declared waypoint is near');
});

test('basic-auth/conflicting-plugins: Basic-auth plugins on one chain whose rules can meet one request with no credential in common are a warning; a shared credential, other methods, paths or hosts are not', () => {
  process.env.WP_OPS_CREDENTIAL = 'ops:s3cret';
  process.env.WP_CART_CREDENTIAL = 'cart:s3cret';
  const rule = (prefix: string, env: string, extra = '') => ({ prefix, methods: ['GET'], credentials: [Credential.fromEnv(env)], ...(extra ? { hosts: [extra] } : {}) });
  const conflicts = (service: { prefix: string; env: string; host?: string; methods?: string[] }) =>
    compile((app, shop, waypoint) => {
      new BasicAuth(shop, 'ops', { targets: [waypoint], priority: 10, rules: [rule('/admin', 'WP_OPS_CREDENTIAL', 'cart.shop')] });
      const cart = MeshService.fromServiceName(shop, 'cart', 'cart', { useWaypoint: waypoint });
      new BasicAuth(shop, 'cart-auth', { targets: [cart], rules: [{ ...rule(service.prefix, service.env, service.host), methods: service.methods ?? ['GET'] }] });
    }).filter((f) => f.rule === 'basic-auth/conflicting-plugins');
  const found = conflicts({ prefix: '/admin/users', env: 'WP_CART_CREDENTIAL' });
  assert.deepEqual(
    found.map((f) => [f.severity, f.message]),
    [['warning', 'WasmPlugin shop/cart-auth rule #1 (prefix /admin/users) and WasmPlugin shop/ops rule #1 (prefix /admin) can match the same GET request on shop/waypoint and share no credential: a request must satisfy both plugins, so every such request gets 401']],
  );
  assert.deepEqual(conflicts({ prefix: '/admin', env: 'WP_OPS_CREDENTIAL' }), [], 'a credential in common');
  assert.deepEqual(conflicts({ prefix: '/admin', env: 'WP_CART_CREDENTIAL', methods: ['POST'] }), [], 'other methods');
  assert.deepEqual(conflicts({ prefix: '/reviews', env: 'WP_CART_CREDENTIAL' }), [], 'paths that cannot meet');
  assert.deepEqual(conflicts({ prefix: '/admin', env: 'WP_CART_CREDENTIAL', host: 'cart.shop.svc.cluster.local' }), [], 'hosts that cannot meet');
  // On the Service's own chain, a waypoint-wide rule for another Service's hosts never meets cart's requests; one naming cart does.
  const wideFor = (host: string) =>
    compile((app, shop, waypoint) => {
      new BasicAuth(shop, 'ops', { targets: [waypoint], priority: 10, rules: [rule('/admin', 'WP_OPS_CREDENTIAL', host)] });
      const cart = MeshService.fromServiceName(shop, 'cart', 'cart', { useWaypoint: waypoint });
      new BasicAuth(shop, 'cart-auth', { targets: [cart], rules: [rule('/admin', 'WP_CART_CREDENTIAL')] });
    }).filter((f) => f.rule === 'basic-auth/conflicting-plugins');
  assert.deepEqual(wideFor('reviews.shop.svc.cluster.local'), [], 'another Service\'s host');
  assert.equal(wideFor('cart.shop.svc.cluster.local').length, 1, 'a host of cart');
  assert.equal(wideFor('*.shop.svc.cluster.local').length, 1, 'a wildcard covering cart');
});

test('basic-auth/conflicting-plugins: with istio.io/ingress-use-waypoint, a waypoint-wide rule for the ingress hostname meets the Service\'s own rule on its chain (the gateway forwards the external :authority)', () => {
  process.env.WP_OPS_CREDENTIAL = 'ops:s3cret';
  process.env.WP_CART_CREDENTIAL = 'cart:s3cret';
  const conflicts = (ingressUseWaypoint: boolean | undefined, host = 'shop.example.com') =>
    compile((app, shop, waypoint) => {
      new BasicAuth(shop, 'ops', { targets: [waypoint], priority: 10, rules: [{ prefix: '/admin', methods: ['GET'], hosts: [host], credentials: [Credential.fromEnv('WP_OPS_CREDENTIAL')] }] });
      const cart = MeshService.fromServiceName(shop, 'cart', 'cart', { useWaypoint: waypoint, ...(ingressUseWaypoint === undefined ? {} : { ingressUseWaypoint }) });
      new BasicAuth(shop, 'cart-auth', { targets: [cart], rules: [{ prefix: '/admin', methods: ['GET'], credentials: [Credential.fromEnv('WP_CART_CREDENTIAL')] }] });
    }).filter((f) => f.rule === 'basic-auth/conflicting-plugins');
  assert.equal(conflicts(true).length, 1, 'ingress traffic for shop.example.com reaches cart\'s chain');
  assert.deepEqual(conflicts(undefined), [], 'without the label, ingress traffic skips the waypoint');
  assert.deepEqual(conflicts(false), []);
  assert.deepEqual(conflicts(true, 'reviews.shop.svc.cluster.local'), [], 'another Service\'s cluster name is still not cart\'s');
});

test('basic-auth/conflicting-plugins compares suffix rules too (a prefix and a suffix always meet; two suffixes only if one ends with the other; an exact path by its ending), and wildcard hosts by whether one host can match both', () => {
  process.env.WP_OPS_CREDENTIAL = 'ops:s3cret';
  process.env.WP_CART_CREDENTIAL = 'cart:s3cret';
  const conflicts = (ops: Record<string, unknown>, cart: Record<string, unknown>) =>
    compile((app, shop, waypoint) => {
      new BasicAuth(shop, 'ops', { targets: [waypoint], priority: 10, rules: [{ methods: ['GET'], credentials: [Credential.fromEnv('WP_OPS_CREDENTIAL')], ...ops }] });
      new BasicAuth(shop, 'cart-auth', { targets: [waypoint], rules: [{ methods: ['GET'], credentials: [Credential.fromEnv('WP_CART_CREDENTIAL')], ...cart }] });
    })
      .filter((f) => f.rule === 'basic-auth/conflicting-plugins')
      .map((f) => f.message.replace(/ can match .*/, ''));
  assert.deepEqual(conflicts({ prefix: '/admin' }, { suffix: '.png' }), ['WasmPlugin shop/cart-auth rule #1 (suffix .png) and WasmPlugin shop/ops rule #1 (prefix /admin)'], '/admin/logo.png meets both');
  assert.equal(conflicts({ suffix: '/logo.png' }, { suffix: '.png' }).length, 1, 'a path ending with /logo.png ends with .png');
  assert.deepEqual(conflicts({ suffix: '.png' }, { suffix: '.jpg' }), [], 'no path ends with both');
  assert.equal(conflicts({ exact: '/admin/logo.png' }, { suffix: '.png' }).length, 1);
  assert.deepEqual(conflicts({ exact: '/admin/logo.svg' }, { suffix: '.png' }), []);
  // Hosts: a wildcard and a name it covers meet; two suffix wildcards only if one ends with the other; a prefix and a suffix wildcard always.
  const hosts = (a: string, b: string) => conflicts({ prefix: '/admin', hosts: [a] }, { prefix: '/admin', hosts: [b] }).length;
  assert.equal(hosts('*.example.com', 'api.example.com'), 1);
  assert.equal(hosts('*.example.com', '*.api.example.com'), 1);
  assert.equal(hosts('*.example.com', '*.example.org'), 0);
  assert.equal(hosts('api*', '*.example.com'), 1);
  assert.equal(hosts('api*', 'web*'), 0);
  assert.equal(hosts('api.example.com', 'web.example.com'), 0);
  // The module reads a leading * first: '*.example.com*' is a suffix match on '.example.com*', its last * a literal character.
  assert.equal(hosts('*.example.com*', 'api*'), 1, 'a suffix entry and a prefix entry always meet');
  assert.equal(hosts('*.example.com*', '*.example.org'), 0, 'as two suffixes: neither ends with the other');
});

test('basic-auth/partial-hosts: a rule whose hosts reach a Service by some of its names but not all is a warning (the client picks the name, and the others skip the rule); every name, no name of it, or no hosts are not', () => {
  process.env.WP_CART_CREDENTIAL = 'cart:s3cret';
  const partial = (hosts: string[], on: 'service' | 'waypoint' = 'service') =>
    compile((app, shop, waypoint) => {
      const cart = MeshService.fromServiceName(shop, 'cart', 'cart', { useWaypoint: waypoint });
      new BasicAuth(shop, 'cart-auth', { targets: [on === 'service' ? cart : waypoint], rules: [{ prefix: '/', methods: ['GET'], hosts, credentials: [Credential.fromEnv('WP_CART_CREDENTIAL')] }] });
    })
      .filter((f) => f.rule === 'basic-auth/partial-hosts')
      .map((f) => [f.severity, f.object?.name, f.message]);
  assert.deepEqual(partial(['cart.shop.svc.cluster.local']), [
    ['warning', 'cart-auth', 'WasmPlugin shop/cart-auth rule #1 hosts match Service shop/cart as cart.shop.svc.cluster.local but not as cart, cart.shop, cart.shop.svc or 4 more names with a trailing dot: a client that uses one of those reaches the Service without this rule asking for credentials'],
  ]);
  assert.equal(partial(['cart', 'cart.shop']).length, 1, 'the short names only');
  assert.equal(partial(['cart.shop.svc.cluster.local'], 'waypoint').length, 1, 'a waypoint-wide rule naming the Service by namespace');
  assert.deepEqual(partial(['*']), [], 'a catch-all entry: every authority, the VIP too');
  assert.deepEqual(partial(['shop.example.com']), [], 'an outside name (ingress traffic through the waypoint): no name of the Service');
  assert.deepEqual(partial(['reviews.shop.svc.cluster.local'], 'waypoint'), [], 'a Service the model does not have');
  // A waypoint-wide rule naming a Service that another waypoint serves never meets its requests: nothing to cover.
  const elsewhere = compile((app, shop, waypoint) => {
    const own = new Waypoint(shop, 'cart-waypoint');
    MeshService.fromServiceName(shop, 'cart', 'cart', { useWaypoint: own });
    new BasicAuth(shop, 'cart-auth', { targets: [waypoint], rules: [{ prefix: '/', methods: ['GET'], hosts: ['cart.shop.svc.cluster.local'], credentials: [Credential.fromEnv('WP_CART_CREDENTIAL')] }] });
  }).filter((f) => f.rule === 'basic-auth/partial-hosts');
  assert.deepEqual(elsewhere, []);
});

test('basic-auth/partial-hosts: hosts covering every DNS name of a Service still leave its ClusterIP and other letter cases (facts §3.2: traffic to the VIP uses the Service\'s waypoint; §1.5: hosts compare case-sensitively), so only `*` is silent', () => {
  process.env.WP_CART_CREDENTIAL = 'cart:s3cret';
  const found = (hosts: string[]) =>
    compile((app, shop, waypoint) => {
      const cart = MeshService.fromServiceName(shop, 'cart', 'cart', { useWaypoint: waypoint });
      new BasicAuth(shop, 'cart-auth', { targets: [cart], rules: [{ prefix: '/', methods: ['GET'], hosts, credentials: [Credential.fromEnv('WP_CART_CREDENTIAL')] }] });
    })
      .filter((f) => f.rule === 'basic-auth/partial-hosts')
      .map((f) => f.message);
  const vip = 'WasmPlugin shop/cart-auth rule #1 hosts match Service shop/cart by each of its DNS names but not by its ClusterIP, nor by a name in other letter case (the module compares hosts case-sensitively): a client that uses one of those reaches the Service without this rule asking for credentials';
  assert.deepEqual(found(['cart', 'cart.*', '*.shop.svc', '*.cluster.local', '*.shop.svc.', '*.cluster.local.']), [vip], 'every DNS name');
  assert.deepEqual(found(['cart*']), [vip], 'a prefix wildcard covering every DNS name');
  assert.deepEqual(found(['shop.example.com', '*']), [], 'a catch-all entry');
});

test('basic-auth/partial-hosts: a waypoint-wide rule naming the Services of a namespace by a wildcard (*.shop.svc.cluster.local) is checked too: cart and cart.shop skip it', () => {
  process.env.WP_CART_CREDENTIAL = 'cart:s3cret';
  const found = compile((app, shop, waypoint) => {
    MeshService.fromServiceName(shop, 'cart', 'cart', { useWaypoint: waypoint });
    new BasicAuth(shop, 'shop-auth', { targets: [waypoint], rules: [{ prefix: '/', methods: ['GET'], hosts: ['*.shop.svc.cluster.local'], credentials: [Credential.fromEnv('WP_CART_CREDENTIAL')] }] });
  }).filter((f) => f.rule === 'basic-auth/partial-hosts');
  assert.deepEqual(found.map((f) => f.message), [
    'WasmPlugin shop/shop-auth rule #1 hosts match Service shop/cart as cart.shop.svc.cluster.local but not as cart, cart.shop, cart.shop.svc or 4 more names with a trailing dot: a client that uses one of those reaches the Service without this rule asking for credentials',
  ]);
});

test("basic-auth/partial-hosts: a plugin on a ServiceEntry's chain is not taken for a waypoint-wide one (its rule never runs for the Service its hosts name)", () => {
  process.env.WP_CART_CREDENTIAL = 'cart:s3cret';
  const found = compile((_app, shop, waypoint) => {
    shop.useWaypoint(waypoint);
    new MeshService(shop, 'cart', { ports: [{ port: 80 }] });
    const legacy = ServiceEntryReference.fromServiceEntryName(shop, 'legacy', 'legacy-cart');
    new BasicAuth(shop, 'legacy-auth', { targets: [legacy], rules: [{ prefix: '/', methods: ['GET'], hosts: ['cart.shop.svc.cluster.local'], credentials: [Credential.fromEnv('WP_CART_CREDENTIAL')] }] });
  }).filter((f) => f.rule === 'basic-auth/partial-hosts');
  assert.deepEqual(found.map((f) => f.message), []);
});

// An owned object named like one the same program says is another team's: GitOps would take the live
// object over (server-side apply forces every conflict) and prune it, theirs, once our manifest leaves git.
test("objects/owned-and-referenced: an owned Waypoint or MeshService named like another team's referenced Gateway or Service is an error", () => {
  const waypoint = compile((_app, shop) => {
    Waypoint.fromWaypointName(shop, 'shared', { name: 'waypoint', namespace: 'shop' });
  }).filter((f) => f.rule === 'objects/owned-and-referenced');
  assert.deepEqual(
    waypoint.map((f) => [f.object?.kind, f.object?.name, f.path]),
    [['Gateway', 'waypoint', 'shop/waypoint']],
  );
  assert.match(waypoint[0].message, /shop\/shared references it as another team's/);
  const service = compile((_app, shop) => {
    MeshService.fromServiceName(shop, 'theirs', 'reviews');
    new MeshService(shop, 'reviews', { ports: [{ port: 9080 }] });
  }).filter((f) => f.rule === 'objects/owned-and-referenced');
  assert.deepEqual(service.map((f) => [f.object?.kind, f.object?.name]), [['Service', 'reviews']]);
  const ingress = compile((_app, shop) => {
    GatewayReference.fromGatewayName(shop, 'ingress', 'bookinfo-gateway');
    new Waypoint(shop, 'bookinfo-gateway');
  }).filter((f) => f.rule === 'objects/owned-and-referenced');
  assert.deepEqual(ingress.map((f) => [f.object?.kind, f.object?.name]), [['Gateway', 'bookinfo-gateway']]);
  // Labelling another team's Service (label-only, never pruned) and referencing it is no conflict; neither are other names or namespaces.
  const fine = compile((_app, shop) => {
    const theirs = MeshService.fromServiceName(shop, 'theirs', 'reviews', { useWaypoint: 'none' });
    assert.ok(theirs);
    Waypoint.fromWaypointName(shop, 'shared', { name: 'waypoint', namespace: 'infra' });
    MeshService.fromServiceName(shop, 'other', 'ratings');
    new MeshService(shop, 'details', { ports: [{ port: 9080 }] });
  }).filter((f) => f.rule === 'objects/owned-and-referenced');
  assert.deepEqual(fine, []);
});

test('objects/owned-and-referenced compares the API group too: an Istio networking.istio.io Gateway named like a referenced Gateway API Gateway (bookinfo-gateway, as in the Istio samples) is another object', () => {
  const found = (apiVersion: string) =>
    compile((_app, shop) => {
      GatewayReference.fromGatewayName(shop, 'ingress', 'bookinfo-gateway');
      new ApiObject(shop, 'istio-gateway', { apiVersion, kind: 'Gateway', metadata: { name: 'bookinfo-gateway', namespace: 'shop' } });
    }).filter((f) => f.rule === 'objects/owned-and-referenced');
  assert.deepEqual(found('networking.istio.io/v1'), []);
  assert.equal(found('gateway.networking.k8s.io/v1').length, 1);
});

test('basic-auth/conflicting-plugins: three plugins on one chain that each share a credential with each other but have none in common all answer 401 to everyone; reported once, and not when a credential is in all of them or when their paths cannot meet together', () => {
  process.env.WP_A_CREDENTIAL = 'alice:s3cret';
  process.env.WP_B_CREDENTIAL = 'bob:s3cret';
  process.env.WP_C_CREDENTIAL = 'carol:s3cret';
  const cred = (k: string) => Credential.fromEnv(`WP_${k}_CREDENTIAL`);
  const three = (paths: [string, string, string], lists: [string[], string[], string[]]) =>
    compile((app, shop, waypoint) => {
      ['one', 'two', 'three'].forEach((name, i) => {
        new BasicAuth(shop, name, { targets: [waypoint], priority: 10 - i, rules: [{ prefix: paths[i], methods: ['GET'], credentials: lists[i].map(cred) }] });
      });
    }).filter((f) => f.rule === 'basic-auth/conflicting-plugins');
  const found = three(['/admin', '/admin', '/admin/users'], [['A', 'B'], ['B', 'C'], ['A', 'C']]);
  assert.deepEqual(found.map((f) => [f.severity, f.object?.name, f.message]), [
    ['warning', 'one', 'WasmPlugin shop/one rule #1 (prefix /admin), WasmPlugin shop/three rule #1 (prefix /admin/users) and WasmPlugin shop/two rule #1 (prefix /admin) can match the same GET request on shop/waypoint, and no credential is in all of them (each two share one): a request must satisfy every plugin, so every such request gets 401'],
  ]);
  assert.deepEqual(three(['/admin', '/admin', '/admin/users'], [['A', 'B'], ['B', 'C'], ['A', 'B', 'C']]), [], 'bob passes all three');
  assert.deepEqual(three(['/admin', '/admin/a', '/admin/b'], [['A', 'B'], ['B', 'C'], ['A', 'C']]), [], '/admin/a and /admin/b never meet one request');
});
