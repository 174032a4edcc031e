import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Duration } from 'cdk8s';
import { analyze } from '../../analysis/analyze';
import type { Finding } from '../../analysis/finding';
import { compileApp } from '../../compiler/synth';
import { readManifests } from '../../compiler/read-manifests';
import { AllowedNamespaces, BasicAuth, Credential, LocalRateLimit, MeshNamespace, MeshService, PolicyApp, Waypoint } from '../../constructs';
import { REPO_ROOT } from '../support/helpers';
import { manifestDir } from './harness';

// An auth plugin on a waypoint that nothing sends traffic to guards nothing: the
// mistake of following Istio's guide without its --enroll-namespace (useWaypoint).

const RULE = 'plugin/unused-waypoint';
const rules = [{ prefix: '/admin', methods: ['GET'], credentials: [Credential.insecureLiteral('shop:admin')] }];

function unused(build: (ns: MeshNamespace) => void): Finding[] {
  const app = new PolicyApp();
  build(new MeshNamespace(app, 'shop'));
  return compileApp(app, { root: REPO_ROOT }).findings.filter((f) => f.rule === RULE);
}

function lint(yaml: string): Finding[] {
  return analyze(readManifests(manifestDir({ 'all.yaml': yaml })).model).filter((f) => f.rule === RULE);
}

test('plugin/unused-waypoint: Basic auth on a waypoint no Namespace or Service names is a warning on the plugin', () => {
  const found = unused((ns) => new BasicAuth(ns, 'auth', { targets: [new Waypoint(ns, 'waypoint')], rules }));
  assert.equal(found.length, 1, JSON.stringify(found));
  assert.equal(found[0].severity, 'warning');
  assert.deepEqual(found[0].object, { apiVersion: 'extensions.istio.io/v1alpha1', kind: 'WasmPlugin', namespace: 'shop', name: 'auth' });
  assert.equal(found[0].message, 'WasmPlugin shop/auth (an auth plugin) runs on waypoint shop/waypoint, but no Namespace, Service or workload here names that waypoint in istio.io/use-waypoint: no traffic goes through it, so the plugin checks no request');
  assert.match(found[0].fix!, /useWaypoint\(waypoint\) on its MeshNamespace/);
});

test('plugin/unused-waypoint: none once the Namespace or a Service names the waypoint', () => {
  assert.deepEqual(unused((ns) => {
    const waypoint = new Waypoint(ns, 'waypoint');
    ns.useWaypoint(waypoint);
    new BasicAuth(ns, 'auth', { targets: [waypoint], rules });
  }), []);
  assert.deepEqual(unused((ns) => {
    const waypoint = new Waypoint(ns, 'reviews-waypoint');
    MeshService.fromServiceName(ns, 'reviews', 'reviews', { useWaypoint: waypoint });
    new BasicAuth(ns, 'auth', { targets: [waypoint], rules });
  }), []);
});

test('plugin/unused-waypoint: not for a plugin that decides no access, a waypoint that admits other namespaces, or another app\'s waypoint', () => {
  assert.deepEqual(unused((ns) => {
    new LocalRateLimit(ns, 'limit', { targets: [new Waypoint(ns, 'waypoint')], maxTokens: 10, tokensPerRefill: 10, refillInterval: Duration.seconds(1) });
  }), []);
  assert.deepEqual(unused((ns) => new BasicAuth(ns, 'auth', { targets: [new Waypoint(ns, 'shared', { allowedNamespaces: AllowedNamespaces.all() })], rules })), []);
  assert.deepEqual(unused((ns) => new BasicAuth(ns, 'auth', { targets: [Waypoint.fromWaypointName(ns, 'theirs', { name: 'theirs', namespace: 'shop' })], rules })), []);
  // Admitting only its own namespace, written out, is the default.
  assert.equal(unused((ns) => new BasicAuth(ns, 'auth', { targets: [new Waypoint(ns, 'waypoint', { allowedNamespaces: AllowedNamespaces.same() })], rules })).length, 1);
});

test('plugin/unused-waypoint in hand-written manifests: a Service label naming the waypoint counts, one naming another does not', () => {
  const mesh = (user: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: waypoint, namespace: shop }
spec: { gatewayClassName: istio-waypoint, listeners: [{ name: mesh, port: 15008, protocol: HBONE }] }
---
apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: auth, namespace: shop }
spec:
  url: oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: waypoint }]
  pluginConfig: { basic_auth_rules: [{ prefix: /, request_methods: [GET], credentials: ["shop:admin"] }] }
${user}`;
  assert.deepEqual(lint(mesh('')).map((f) => [f.rule, f.severity, f.file]), [[RULE, 'warning', 'all.yaml:6']]);
  assert.deepEqual(lint(mesh('---\napiVersion: v1\nkind: Service\nmetadata: { name: cart, namespace: shop, labels: { istio.io/use-waypoint: waypoint } }\nspec: { ports: [{ port: 80 }] }\n')), []);
  // A label naming another waypoint is no use of this one.
  assert.equal(lint(mesh('---\napiVersion: v1\nkind: Service\nmetadata: { name: cart, namespace: shop, labels: { istio.io/use-waypoint: other } }\nspec: { ports: [{ port: 80 }] }\n')).length, 1);
});
