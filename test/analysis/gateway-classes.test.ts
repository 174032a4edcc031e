/**
 * istiod (1.30.3) binds istio.io/use-waypoint to a Gateway of any class
 * (gatewayToWaypointTransform has no class check); which proxy then runs is
 * the class's controller: its GatewayClass's controllerName, else a builtin.
 * validate --manifests, as a platform team with a gateway sandwich, kgateway
 * waypoints or its own mesh-controller class runs it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findingsOf, manifestDir, run, type JsonFinding } from './harness';

const gateway = (name: string, cls: string, listeners = '[{ name: mesh, port: 15008, protocol: HBONE }]', extra = '') =>
  `apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: { name: ${name}, namespace: shop${extra} }\nspec:\n  gatewayClassName: ${cls}\n  listeners: ${listeners}\n`;
const gatewayClass = (name: string, controller: string) => `apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: { name: ${name} }\nspec: { controllerName: ${controller} }\n`;
const SERVICE = `apiVersion: v1\nkind: Service\nmetadata: { name: cart, namespace: shop, labels: { istio.io/use-waypoint: edge } }\nspec: { ports: [{ port: 8080 }] }\n`;
const plugin = (name: string, ref: string) =>
  `apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\nmetadata: { name: ${name}, namespace: shop }\nspec:\n  url: oci://ghcr.io/acme/audit:1.0.0\n  sha256: ${'0123456789abcdef'.repeat(4)}\n  targetRefs: [${ref}]\n`;
const ON_SERVICE = plugin('svc-audit', '{ group: "", kind: Service, name: cart }');
const HTTP = '[{ name: http, port: 80, protocol: HTTP }]';

async function validate(...docs: string[]): Promise<JsonFinding[]> {
  const dir = manifestDir({ 'mesh.yaml': docs.join('---\n') });
  const r = await run(['validate', '--manifests', dir, '--json'], dir);
  assert.notEqual(r.code, 70, r.text);
  return findingsOf(r);
}

const about = (findings: JsonFinding[], rule: string) => findings.filter((f) => f.rule === rule);

test('a class istio Gateway used as a waypoint (gateway sandwich) binds: no binding error, but a Service-targeted plugin is dead there (error)', async () => {
  const findings = await validate(gateway('edge', 'istio', HTTP), SERVICE, ON_SERVICE);
  assert.deepEqual(about(findings, 'binding/unknown-waypoint'), []);
  const dead = about(findings, 'plugin/target-without-waypoint');
  assert.equal(dead.length, 1, JSON.stringify(findings));
  assert.equal(dead[0].severity, 'error');
  assert.match(dead[0].message, /waypoint shop\/edge is an Istio gateway, not a waypoint proxy \(class istio.*\): istiod attaches Service- and ServiceEntry-targeted plugins only on waypoint proxies, so this plugin never runs there/);
  // Its own Gateway-targeted plugin is what runs there: nothing to report.
  const ok = await validate(gateway('edge', 'istio', HTTP), SERVICE, plugin('edge-audit', '{ group: gateway.networking.k8s.io, kind: Gateway, name: edge }'));
  assert.deepEqual(ok.filter((f) => f.severity === 'error'), []);
});

test('a kgateway waypoint (third-party GatewayClass) binds; a Service-targeted plugin there is a warning, not an error', async () => {
  const findings = await validate(gateway('edge', 'kgateway-waypoint'), gatewayClass('kgateway-waypoint', 'kgateway.dev/kgateway'), SERVICE, ON_SERVICE);
  assert.deepEqual(findings.filter((f) => f.severity === 'error'), [], JSON.stringify(findings));
  const maybe = about(findings, 'plugin/target-without-waypoint');
  assert.equal(maybe.length, 1);
  assert.equal(maybe[0].severity, 'warning');
  assert.match(maybe[0].message, /a proxy of another controller, not istiod's \(class kgateway-waypoint, whose GatewayClass has controller "kgateway\.dev\/kgateway"\)/);
  assert.deepEqual(about(findings, 'binding/unknown-waypoint'), []);
});

test('a custom class whose GatewayClass has controller istio.io/mesh-controller is a waypoint: no findings, and the waypoint-only rules apply to it', async () => {
  const cls = gatewayClass('team-waypoints', 'istio.io/mesh-controller');
  assert.deepEqual(await validate(gateway('edge', 'team-waypoints'), cls, SERVICE, ON_SERVICE), []);
  const bad = await validate(gateway('edge', 'team-waypoints', '[{ name: mesh, port: 15008, protocol: HBONE }, { name: http, port: 80, protocol: HTTP }]'), cls, SERVICE);
  assert.match(about(bad, 'waypoint/listener')[0]?.message ?? '', /listener "http" \(port 80, HTTP\) is refused by Istio as UnsupportedProtocol/);
  const none = await validate(gateway('none', 'team-waypoints'), cls);
  assert.equal(about(none, 'waypoint/reserved-name').length, 1);
  const named = await validate(gateway('1st', 'team-waypoints'), cls);
  assert.match(about(named, 'names/rfc1123')[0]?.message ?? '', /RFC 1035 label/);
  // The same Gateway with an ingress class takes other listeners and names.
  assert.deepEqual(about(await validate(gateway('edge', 'istio', HTTP)), 'waypoint/listener'), []);
});

test("istio.io/waypoint-for comes from the Gateway's own GatewayClass, not istio-waypoint's", async () => {
  const cls = `apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: { name: team-waypoints, labels: { istio.io/waypoint-for: workload } }\nspec: { controllerName: istio.io/mesh-controller }\n`;
  const findings = await validate(gateway('edge', 'team-waypoints'), cls, SERVICE);
  assert.equal(about(findings, 'binding/traffic-type').length, 1, JSON.stringify(findings));
});

test('a class neither builtin nor in the manifests binds: a warning that says which proxy runs is unknown, never an error', async () => {
  const findings = await validate(gateway('edge', 'mystery'), SERVICE, ON_SERVICE);
  assert.deepEqual(findings.filter((f) => f.severity === 'error'), [], JSON.stringify(findings));
  assert.match(about(findings, 'binding/unknown-waypoint')[0]?.message ?? '', /class mystery: neither an Istio builtin class nor a GatewayClass in this target/);
});

test('a Gateway of a mesh-controller class is a waypoint for the rules that name the namespace\'s ingress gateways too', async () => {
  const cls = gatewayClass('team-waypoints', 'istio.io/mesh-controller');
  const untargeted = `apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\nmetadata: { name: audit, namespace: shop }\nspec:\n  url: oci://ghcr.io/acme/audit:1.0.0\n  sha256: ${'0123456789abcdef'.repeat(4)}\n`;
  const [f] = about(await validate(gateway('edge', 'team-waypoints'), cls, untargeted), 'plugin/no-target');
  assert.equal(f?.severity, 'error');
  assert.match(f.message, /applies to every sidecar in namespace shop and to no waypoint, so waypoint shop\/edge never runs it/);
  assert.doesNotMatch(f.message, /ingress gateway/);
});

test("the Waypoint construct's class declaration does not turn a builtin class into a waypoint class: a class istio Gateway carrying it is still a router", async () => {
  const declared = ', annotations: { waypoint-policy.io/gateway-class-controller: istio.io/mesh-controller }';
  const [dead] = about(await validate(gateway('edge', 'istio', HTTP, declared), SERVICE, ON_SERVICE), 'plugin/target-without-waypoint');
  assert.equal(dead?.severity, 'error');
  assert.match(dead.message, /waypoint shop\/edge is an Istio gateway, not a waypoint proxy \(class istio, builtin with controller istio\.io\/gateway-controller\)/);
  const dir = manifestDir({ 'mesh.yaml': [gateway('edge', 'istio', HTTP, declared), SERVICE, plugin('svc-auth', '{ group: "", kind: Service, name: cart }').replace('url: oci://ghcr.io/acme/audit:1.0.0', 'url: oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0\n  pluginConfig: { basic_auth_rules: [{ prefix: /, request_methods: [GET], credentials: ["ok:test"] }] }')].join('---\n') });
  const r = await run(['explain', '--manifests', dir, '--to', 'shop/cart:8080', '--json'], dir);
  assert.equal(JSON.parse(r.stdout).status, 200, r.text);
});

test('a root-namespace plugin targeting the GatewayClass of the waypoints (a custom mesh-controller class) is told that istio-waypoint is the ref that reaches them', async () => {
  const cls = gatewayClass('team-waypoints', 'istio.io/mesh-controller');
  const ofClass = (name: string) =>
    `apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\nmetadata: { name: audit, namespace: istio-system }\nspec:\n  url: oci://ghcr.io/acme/audit:1.0.0\n  sha256: ${'0123456789abcdef'.repeat(4)}\n  targetRefs: [{ group: gateway.networking.k8s.io, kind: GatewayClass, name: ${name} }]\n`;
  const [f] = about(await validate(gateway('edge', 'team-waypoints'), cls, SERVICE, ofClass('team-waypoints')), 'plugin/gateway-class-target');
  assert.equal(f?.severity, 'error');
  assert.match(f.message, /team-waypoints is the class of waypoints here, but istiod matches a GatewayClass ref by the name istio-waypoint, not by controller/);
  assert.match(f.fix ?? '', /^Target GatewayClass istio-waypoint \(ALL_WAYPOINTS\) from the root namespace istio-system: it reaches every waypoint proxy, those of class team-waypoints included/);
  // A class no waypoint here has keeps the general wording.
  const [other] = about(await validate(gateway('edge', 'team-waypoints'), cls, SERVICE, ofClass('istio')), 'plugin/gateway-class-target');
  assert.doesNotMatch(other?.message ?? '', /class of waypoints here/);
});

test("a WasmPlugin targeting another controller's Gateway runs only if that controller implements the WasmPlugin API (warning); on an Istio gateway or a custom-class waypoint it does (silent)", async () => {
  const onEdge = plugin('edge-audit', '{ group: gateway.networking.k8s.io, kind: Gateway, name: edge }');
  const kgw = about(await validate(gateway('edge', 'kgateway-waypoint'), gatewayClass('kgateway-waypoint', 'kgateway.dev/kgateway'), onEdge), 'plugin/target-other-controller');
  assert.equal(kgw.length, 1);
  assert.equal(kgw[0].severity, 'warning');
  assert.match(kgw[0].message, /targets Gateway edge, a proxy of another controller, not istiod's .*: istiod delivers WasmPlugins only to the proxies it programs, so this plugin runs there only if that controller implements Istio's WasmPlugin API itself$/);
  assert.deepEqual(about(await validate(gateway('edge', 'istio', HTTP), onEdge), 'plugin/target-other-controller'), []);
  assert.deepEqual(about(await validate(gateway('edge', 'team-waypoints'), gatewayClass('team-waypoints', 'istio.io/mesh-controller'), onEdge), 'plugin/target-other-controller'), []);
});

test("a Waypoint's declared class is checked against the GatewayClass in the target: another controller is an error, a mesh-controller class or no GatewayClass is not", async () => {
  const declared = gateway('edge', 'team-waypoints', undefined, ', annotations: { waypoint-policy.io/gateway-class-controller: istio.io/mesh-controller }');
  const [f] = about(await validate(declared, gatewayClass('team-waypoints', 'kgateway.dev/kgateway')), 'waypoint/class-controller');
  assert.equal(f?.severity, 'error');
  assert.match(f.message, /waypoint shop\/edge is written as a waypoint of class team-waypoints, but GatewayClass team-waypoints has controller "kgateway\.dev\/kgateway", not istio\.io\/mesh-controller: that controller's proxy, not an Istio waypoint proxy runs for it/);
  assert.deepEqual(about(await validate(declared, gatewayClass('team-waypoints', 'istio.io/mesh-controller')), 'waypoint/class-controller'), []);
  assert.deepEqual(about(await validate(declared), 'waypoint/class-controller'), []);
});

test("plugin/target-other-controller on Istio's own other classes gives each one's reason: istiod programs the east-west gateway and the agentgateway, so 'it delivers only to the proxies it programs' is not why", async () => {
  const onEdge = plugin('edge-audit', '{ group: gateway.networking.k8s.io, kind: Gateway, name: edge }');
  const messageFor = async (cls: string) => {
    const found = about(await validate(gateway('edge', cls), onEdge), 'plugin/target-other-controller');
    assert.equal(found.length, 1, cls);
    assert.equal(found[0].severity, 'warning');
    return found[0].message;
  };
  const eastWest = await messageFor('istio-east-west');
  assert.match(eastWest, /an Istio east-west gateway \(class istio-east-west, builtin with controller istio\.io\/eastwest-controller\): istiod programs it as an east-west gateway, not as a waypoint or ingress gateway, and whether this plugin runs there is not modelled here$/);
  assert.match(await messageFor('istio-agentgateway'), /\(class istio-agentgateway, builtin with controller istio\.io\/agentgateway-controller\): it is not Envoy, so this plugin never runs there$/);
  assert.match(await messageFor('istio-remote'), /\(class istio-remote, builtin with controller istio\.io\/unmanaged-gateway\): istiod programs no proxy for it, so this plugin never runs there$/);
});

test('a gateway sandwich must enroll the gateway in ambient: ztunnel tunnels to its port 15008, which istiod leaves unserved by labelling its pods dataplane-mode none', async () => {
  const [f] = about(await validate(gateway('edge', 'istio', HTTP), SERVICE), 'binding/gateway-not-enrolled');
  assert.equal(f?.severity, 'warning');
  assert.match(f.message, /^Service shop\/cart uses Gateway shop\/edge as its waypoint: it is an Istio gateway, not a waypoint proxy \(class istio.*\), and its pods are not enrolled in ambient\. ztunnel sends this traffic over HBONE to its port 15008/);
  assert.match(f.fix ?? '', /istio\.io\/dataplane-mode: ambient/);
  // Enrolled through the Gateway's own labels or its infrastructure labels: nothing to say.
  const labelled = gateway('edge', 'istio', HTTP, ', labels: { istio.io/dataplane-mode: ambient }');
  assert.deepEqual(about(await validate(labelled, SERVICE), 'binding/gateway-not-enrolled'), []);
  const infra = gateway('edge', 'istio', HTTP).replace('spec:\n', 'spec:\n  infrastructure: { labels: { istio.io/dataplane-mode: ambient } }\n');
  assert.deepEqual(about(await validate(infra, SERVICE), 'binding/gateway-not-enrolled'), []);
  // Waypoint proxies and other controllers' proxies are not this rule's.
  assert.deepEqual(about(await validate(gateway('edge', 'istio-waypoint'), SERVICE), 'binding/gateway-not-enrolled'), []);
  assert.deepEqual(about(await validate(gateway('edge', 'kgateway-waypoint'), gatewayClass('kgateway-waypoint', 'kgateway.dev/kgateway'), SERVICE), 'binding/gateway-not-enrolled'), []);
});

test("istiod leaves a gateway class whose name holds 'waypoint' to its namespace's enrollment: no binding/gateway-not-enrolled there", async () => {
  const cls = gatewayClass('edge-waypoint-gw', 'istio.io/gateway-controller');
  assert.deepEqual(about(await validate(gateway('edge', 'edge-waypoint-gw', HTTP), cls, SERVICE), 'binding/gateway-not-enrolled'), []);
  assert.equal(about(await validate(gateway('edge', 'edge-gw', HTTP), gatewayClass('edge-gw', 'istio.io/gateway-controller'), SERVICE), 'binding/gateway-not-enrolled').length, 1);
});
