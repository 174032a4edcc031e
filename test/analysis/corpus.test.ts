import assert from 'node:assert/strict';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { readTree } from '../../compiler/write';
import { EXAMPLE_ENV } from '../../analysis/docs';
import { findingsOf, freshDir, manifestDir, run, STACK_FRAME, writeProgram } from './harness';

// Bad inputs, each run through the real CLI as a person would: a policy program through `synth`
// (props mistakes and whole-app mistakes) or a directory of YAML through `validate --manifests`.
// Each asserts the rule id and the exit code, that nothing prints a stack trace or a credential,
// and that the previously synthesized dist/ is byte-identical afterwards.

interface AppCase {
  readonly name: string;
  /** Policy code run after the docs preamble (app, ns 'shop', waypoint). */
  readonly app: string;
  readonly rule: string;
  readonly severity?: 'error' | 'warning';
  /** Strings that must not appear in any output (credential values). */
  readonly secret?: string;
}

interface ManifestCase {
  readonly name: string;
  /** YAML files by name; a string is one file. */
  readonly manifests: string | Readonly<Record<string, string>>;
  readonly rule: string;
  readonly severity?: 'error' | 'warning';
  readonly secret?: string;
  readonly rootNamespace?: string;
}

const bind = 'ns.useWaypoint(waypoint);';
const auth = (extra = '', rules = `[{ prefix: '/', methods: ['GET'], credentials: [Credential.fromEnv('SHOP_CREDENTIAL')] }]`) =>
  `new BasicAuth(ns, 'auth', { targets: [waypoint], rules: ${rules}${extra ? `, ${extra}` : ''} });`;
const plugin = (props: string, name = 'stamp') => `new WasmPlugin(ns, '${name}', { url: 'oci://ghcr.io/acme/${name}:1.0.0', ${props} });`;

const APP_CASES: AppCase[] = [
  // Construct props
  { name: 'waypoint named none', app: `new Waypoint(ns, 'w2', { name: 'none' });`, rule: 'waypoint/reserved-name' },
  { name: 'waypoint name over 63 characters', app: `new Waypoint(ns, 'w'.repeat(64));`, rule: 'names/rfc1123' },
  { name: 'upper-case waypoint name', app: `new Waypoint(ns, 'w2', { name: 'Waypoint' });`, rule: 'names/rfc1123' },
  { name: 'waypoint revision not a label value', app: `new Waypoint(ns, 'w2', { revision: 'canary release' });`, rule: 'names/label-syntax' },
  { name: 'Service without ports', app: `new MeshService(ns, 'cart', { ports: [] });`, rule: 'service/no-ports' },
  { name: 'Service port out of range', app: `new MeshService(ns, 'cart', { ports: [{ port: 70000 }] });`, rule: 'props/invalid' },
  { name: 'namespace label value with a space', app: `new MeshNamespace(app, 'other', { labels: { team: 'shop team' } });`, rule: 'names/label-syntax' },
  { name: 'sha256 with prefix', app: plugin(`targets: [waypoint], sha256: 'sha256:abc'`), rule: 'plugin/sha256-format' },
  { name: 'duplicate env names', app: plugin(`targets: [waypoint], env: [{ name: 'A', value: '1' }, { name: 'A', value: '2' }]`), rule: 'plugin/duplicate-env' },
  { name: 'env HOST with a value', app: plugin(`targets: [waypoint], env: [{ name: 'POD', valueFrom: EnvValueSource.HOST, value: 'x' }]`), rule: 'plugin/env-value-from-host' },
  { name: '17 targets', app: plugin(`targets: Array.from({ length: 17 }, (_, i) => MeshService.fromServiceName(ns, 's' + i, 's' + i))`), rule: 'plugin/too-many-targets' },
  { name: 'targets and selector', app: plugin(`targets: [waypoint], selector: { app: 'cart' }`), rule: 'plugin/selector-and-targets' },
  { name: 'no targets and no selector', app: plugin(``), rule: 'plugin/no-target' },
  { name: 'ftp module url', app: `new WasmPlugin(ns, 'stamp', { url: 'ftp://example.com/stamp.wasm', targets: [waypoint] });`, rule: 'plugin/url-scheme' },
  { name: 'wildcard in a selector key', app: plugin(`selector: { 'app*': 'cart' }`), rule: 'names/label-syntax' },
  { name: 'priority beyond int32', app: plugin(`targets: [waypoint], priority: 2 ** 31`), rule: 'props/invalid' },
  { name: 'unknown phase', app: plugin(`targets: [waypoint], phase: 'AUTH' as PluginPhase`), rule: 'props/invalid' },
  { name: 'BasicAuth with no methods', app: auth('', `[{ prefix: '/', methods: [], credentials: [Credential.fromEnv('SHOP_CREDENTIAL')] }]`), rule: 'basic-auth/empty-methods' },
  { name: 'BasicAuth with no credentials', app: auth('', `[{ prefix: '/', methods: ['GET'], credentials: [] }]`), rule: 'basic-auth/empty-credentials' },
  { name: 'BasicAuth lower-case method', app: auth('', `[{ prefix: '/', methods: ['get'], credentials: [Credential.fromEnv('SHOP_CREDENTIAL')] }]`), rule: 'basic-auth/lowercase-method' },
  { name: 'BasicAuth prefix and exact', app: auth('', `[{ prefix: '/', exact: '/x', methods: ['GET'], credentials: [Credential.fromEnv('SHOP_CREDENTIAL')] }]`), rule: 'basic-auth/path-match' },
  { name: 'BasicAuth empty prefix', app: auth('', `[{ prefix: '', methods: ['GET'], credentials: [Credential.fromEnv('SHOP_CREDENTIAL')] }]`), rule: 'basic-auth/empty-path' },
  {
    name: 'BasicAuth credential neither user:pass nor base64',
    app: auth(`acknowledge: { literalCredentials: 'test' }`, `[{ prefix: '/', methods: ['GET'], credentials: [Credential.insecureLiteral('zq7-bad_cred')] }]`),
    rule: 'basic-auth/bad-credential',
    secret: 'zq7-bad_cred',
  },
  { name: 'target named delivery', app: `new Target(app, 'delivery');`, rule: 'names/reserved' },
  { name: 'waypoint outside a namespace', app: `new Waypoint(app, 'stray');`, rule: 'scope/no-namespace' },
  { name: 'useWaypoint twice', app: `${bind}\nns.useWaypoint(new Waypoint(ns, 'other'));`, rule: 'binding/conflict' },
  { name: 'policy code throws', app: `throw new Error('catalogue.json is missing');`, rule: 'policy/exception' },
  { name: 'construct validation fails', app: `waypoint.node.addValidation({ validate: () => ['waypoint needs an owner label'] });`, rule: 'construct/validation' },

  // Whole-app mistakes, found by the analysis at synth
  { name: 'Service on a workload-only waypoint', app: `MeshService.fromServiceName(ns, 'cart', 'cart', { useWaypoint: new Waypoint(ns, 'pods', { waypointFor: WaypointFor.WORKLOAD }) });`, rule: 'binding/traffic-type' },
  { name: 'namespace on a workload-only waypoint with a Service', app: `ns.useWaypoint(new Waypoint(ns, 'pods', { waypointFor: WaypointFor.WORKLOAD }));\nnew MeshService(ns, 'cart', { ports: [{ port: 80 }] });`, rule: 'binding/traffic-type' },
  { name: 'namespace on a waypoint for no traffic', app: `ns.useWaypoint(new Waypoint(ns, 'off', { waypointFor: WaypointFor.NONE }));`, rule: 'binding/traffic-type' },
  { name: 'cross-namespace waypoint that admits only its own namespace', app: `const infra = new MeshNamespace(app, 'infra', { enroll: false });\nns.useWaypoint(new Waypoint(infra, 'shared'));`, rule: 'binding/not-allowed' },
  {
    name: 'cross-namespace waypoint that admits another namespace',
    app: `const infra = new MeshNamespace(app, 'infra', { enroll: false });\nns.useWaypoint(new Waypoint(infra, 'shared', { allowedNamespaces: AllowedNamespaces.named('billing') }));`,
    rule: 'binding/not-allowed',
  },
  {
    name: 'same-namespace waypoint whose selector leaves out its own namespace',
    app: `ns.useWaypoint(new Waypoint(ns, 'shared', { allowedNamespaces: AllowedNamespaces.named('billing') }));`,
    rule: 'binding/not-allowed',
  },
  { name: 'plugin targets a waypoint in another namespace', app: `const infra = new MeshNamespace(app, 'infra');\n${plugin(`targets: [new Waypoint(infra, 'shared')]`)}`, rule: 'plugin/unresolved-target' },
  { name: 'ALL_WAYPOINTS outside the root namespace', app: plugin(`targets: [ALL_WAYPOINTS]`), rule: 'plugin/gateway-class-target' },
  { name: 'plugin on a Service opted out of waypoints', app: `const cart = MeshService.fromServiceName(ns, 'cart', 'cart', { useWaypoint: 'none' });\n${plugin(`targets: [cart]`)}`, rule: 'plugin/target-without-waypoint' },
  { name: 'plugin on a Service with no waypoint at all', app: `const cart = new MeshService(ns, 'cart', { ports: [{ port: 80 }] });\n${plugin(`targets: [cart]`)}`, rule: 'plugin/target-without-waypoint' },
  { name: 'match ports on a waypoint plugin', app: plugin(`targets: [waypoint], match: [{ ports: [8080] }]`), rule: 'plugin/match-on-waypoint' },
  { name: 'match mode CLIENT on a waypoint plugin', app: plugin(`targets: [waypoint], match: [{ mode: WorkloadMode.CLIENT }]`), rule: 'plugin/match-on-waypoint' },
  { name: 'BasicAuth as a NETWORK plugin', app: auth(`type: PluginType.NETWORK`), rule: 'plugin/network-on-waypoint' },
  { name: 'NETWORK plugin on a waypoint', app: plugin(`targets: [waypoint], type: PluginType.NETWORK`), rule: 'plugin/network-on-waypoint', severity: 'warning' },
  { name: 'BasicAuth failing open', app: auth(`failStrategy: FailStrategy.FAIL_OPEN`), rule: 'plugin/fail-open-auth' },
  // The module answers 401 from any phase: moved to STATS, it still fails open.
  { name: 'BasicAuth moved to the STATS phase, failing open', app: auth(`phase: PluginPhase.STATS, failStrategy: FailStrategy.FAIL_OPEN`), rule: 'plugin/fail-open-auth' },
  { name: 'AUTHZ plugin failing open', app: plugin(`targets: [waypoint], phase: PluginPhase.AUTHZ, failStrategy: FailStrategy.FAIL_OPEN`), rule: 'plugin/fail-open-auth' },
  { name: 'two AUTHN plugins without priority', app: `${auth()}\n${plugin(`targets: [waypoint], phase: PluginPhase.AUTHN`, 'tenant')}`, rule: 'plugin/ambiguous-order', severity: 'warning' },
  { name: 'two AUTHZ plugins with the same priority', app: `${plugin(`targets: [waypoint], phase: PluginPhase.AUTHZ, priority: 5`, 'opa')}\n${plugin(`targets: [waypoint], phase: PluginPhase.AUTHZ, priority: 5`, 'tenant')}`, rule: 'plugin/ambiguous-order', severity: 'warning' },
  { name: 'two waypoints with one name', app: `new Waypoint(ns, 'second', { name: 'waypoint' });`, rule: 'objects/duplicate' },
  { name: 'a Service declared twice', app: `new MeshService(ns, 'cart', { ports: [{ port: 80 }] });\nMeshService.fromServiceName(ns, 'cart-labels', 'cart', { useWaypoint: 'none' });`, rule: 'objects/duplicate' },
  { name: 'registry port without a scheme', app: `new WasmPlugin(ns, 'stamp', { url: 'registry.local:5000/stamp:1.0.0', targets: [waypoint] });`, rule: 'plugin/url-scheme' },
  { name: 'selector-only plugin next to a waypoint', app: plugin(`selector: { app: 'cart' }`), rule: 'plugin/selector-only', severity: 'warning' },
  { name: 'Service name starting with a digit', app: `new MeshService(ns, '1cart', { ports: [{ port: 80 }] });`, rule: 'names/rfc1123' },
  { name: 'namespace label naming a missing waypoint', app: `new MeshNamespace(app, 'other').apiObject?.metadata.addLabel('istio.io/use-waypoint', 'ghost');`, rule: 'binding/unknown-waypoint' },
  { name: 'namespace label use-waypoint-namespace alone', app: `new MeshNamespace(app, 'other').apiObject?.metadata.addLabel('istio.io/use-waypoint-namespace', 'shop');`, rule: 'binding/missing-use-waypoint' },
  { name: 'selector value with a wildcard', app: plugin(`selector: { app: '*' }`), rule: 'names/label-syntax' },
  {
    name: 'BasicAuth with two rules on the same paths',
    app: auth('', `[{ prefix: '/', methods: ['GET'], credentials: [Credential.fromEnv('SHOP_CREDENTIAL')] }, { prefix: '/', methods: ['GET'], credentials: [Credential.fromEnv('ADMIN_CREDENTIAL')] }]`),
    rule: 'basic-auth/duplicate-rule',
    severity: 'warning',
  },
  {
    name: 'raw WasmPlugin with a basic_auth config the module refuses',
    app: `new WasmPlugin(ns, 'raw', { url: 'oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0', targets: [waypoint], pluginConfig: { basic_auth_rules: [{ prefix: '/', request_methods: 'GET', credentials: ['zq7u:zq7p'] }] } });`,
    rule: 'plugin/config',
    secret: 'zq7u:zq7p',
  },
  {
    name: 'raw WasmPlugin with basic_auth and no methods',
    app: `new WasmPlugin(ns, 'raw', { url: 'oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0', targets: [waypoint], pluginConfig: { basic_auth_rules: [{ prefix: '/', request_methods: [], credentials: ['zq7u:zq7p'] }] } });`,
    rule: 'basic-auth/empty-methods',
    secret: 'zq7u:zq7p',
  },
];

const NS = (name: string, labels = '') => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n${labels ? `  labels: { ${labels} }\n` : ''}`;
const WAYPOINT = (name = 'waypoint', ns = 'shop', extra = '') =>
  `apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: { name: ${name}, namespace: ${ns}${extra ? `, labels: { ${extra} }` : ''} }\nspec:\n  gatewayClassName: istio-waypoint\n  listeners: [{ name: mesh, port: 15008, protocol: HBONE }]\n`;
const WASM = (spec: string, name = 'auth', ns = 'shop', annotations = '') =>
  `apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\nmetadata: { name: ${name}, namespace: ${ns}${annotations ? `, annotations: { ${annotations} }` : ''} }\nspec:\n  url: oci://ghcr.io/acme/${name}:1.0.0\n${spec}\n`;
const ON_WAYPOINT = '  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: waypoint }]';
const BASIC_AUTH = (rules: string) =>
  `apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\nmetadata: { name: auth, namespace: shop }\nspec:\n  url: oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0\n${ON_WAYPOINT}\n  phase: AUTHN\n  pluginConfig:\n    basic_auth_rules: ${rules}\n`;
const docs = (...parts: string[]) => parts.join('---\n');

const MANIFEST_CASES: ManifestCase[] = [
  { name: 'misspelt WasmPlugin field', manifests: docs(WAYPOINT(), WASM(`${ON_WAYPOINT}\n  faillStrategy: FAIL_CLOSE`)), rule: 'schema/wasm-plugin' },
  { name: 'WasmPlugin priority as a string', manifests: docs(WAYPOINT(), WASM(`${ON_WAYPOINT}\n  priority: "10"`)), rule: 'schema/wasm-plugin' },
  { name: 'Gateway with duplicate listener names', manifests: `apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: { name: ingress, namespace: shop }\nspec:\n  gatewayClassName: istio\n  listeners: [{ name: http, port: 80, protocol: HTTP }, { name: http, port: 81, protocol: HTTP }]\n`, rule: 'schema/gateway' },
  { name: 'Gateway without listeners', manifests: `apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: { name: ingress, namespace: shop }\nspec: { gatewayClassName: istio, listeners: [] }\n`, rule: 'schema/gateway' },
  { name: 'targetRef to a Deployment', manifests: WASM(`  targetRefs: [{ group: apps, kind: Deployment, name: cart }]`), rule: 'plugin/target-kind' },
  { name: 'Gateway targetRef without its group', manifests: docs(WAYPOINT(), WASM(`  targetRefs: [{ kind: Gateway, name: waypoint }]`)), rule: 'plugin/target-kind' },
  { name: 'cross-namespace targetRef', manifests: WASM(`  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: waypoint, namespace: infra }]`), rule: 'plugin/cross-namespace-ref' },
  { name: 'selector with an empty targetRefs', manifests: WASM(`  selector: { matchLabels: { app: cart } }\n  targetRefs: []`), rule: 'plugin/selector-and-targets' },
  { name: 'waypoint with an HTTP listener', manifests: `apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: { name: waypoint, namespace: shop }\nspec:\n  gatewayClassName: istio-waypoint\n  listeners: [{ name: mesh, port: 15008, protocol: HBONE }, { name: http, port: 80, protocol: HTTP }]\n`, rule: 'waypoint/listener' },
  { name: 'waypoint-for typo', manifests: WAYPOINT('waypoint', 'shop', 'istio.io/waypoint-for: services'), rule: 'waypoint/unknown-traffic-type' },
  { name: 'waypoint named none, in YAML', manifests: WAYPOINT('none'), rule: 'waypoint/reserved-name' },
  {
    // istiod binds to a Gateway of any class; only a class it cannot identify is worth a word.
    name: 'use-waypoint naming a Gateway of a class neither builtin nor in the manifests',
    manifests: docs(NS('shop', 'istio.io/use-waypoint: ingress'), `apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: { name: ingress, namespace: shop }\nspec:\n  gatewayClassName: mystery\n  listeners: [{ name: http, port: 80, protocol: HTTP }]\n`),
    rule: 'binding/unknown-waypoint',
    severity: 'warning',
  },
  { name: 'use-waypoint naming a waypoint not in the manifests', manifests: NS('shop', 'istio.io/use-waypoint: waypoint'), rule: 'binding/unknown-waypoint', severity: 'warning' },
  {
    name: 'pod template on a service-only waypoint',
    manifests: docs(
      WAYPOINT(),
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: cart, namespace: shop }\nspec:\n  selector: { matchLabels: { app: cart } }\n  template:\n    metadata: { labels: { app: cart, istio.io/use-waypoint: waypoint } }\n    spec: { containers: [{ name: cart, image: cart }] }\n`,
    ),
    rule: 'binding/traffic-type',
  },
  {
    name: 'Service on a waypoint whose selector misses its namespace',
    manifests: docs(
      NS('shop', 'app.kubernetes.io/managed-by: waypoint-policy, team: shop'),
      `apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: { name: shared, namespace: infra }\nspec:\n  gatewayClassName: istio-waypoint\n  listeners:\n    - name: mesh\n      port: 15008\n      protocol: HBONE\n      allowedRoutes: { namespaces: { from: Selector, selector: { matchLabels: { team: billing } } } }\n`,
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: cart\n  namespace: shop\n  labels: { istio.io/use-waypoint: shared, istio.io/use-waypoint-namespace: infra }\nspec: { ports: [{ port: 80 }] }\n`,
    ),
    rule: 'binding/not-allowed',
  },
  { name: 'selector-only plugin picking the waypoint pods', manifests: docs(WAYPOINT(), WASM(`  selector: { matchLabels: { gateway.networking.k8s.io/gateway-name: waypoint } }`)), rule: 'plugin/selector-only' },
  { name: 'plugin without target next to a waypoint', manifests: docs(WAYPOINT(), WASM('')), rule: 'plugin/no-target' },
  { name: 'target not in the manifests', manifests: WASM(ON_WAYPOINT), rule: 'plugin/unresolved-target', severity: 'warning' },
  { name: 'GatewayClass other than istio-waypoint', manifests: WASM(`  targetRefs: [{ group: gateway.networking.k8s.io, kind: GatewayClass, name: istio }]`, 'audit', 'istio-system'), rule: 'plugin/gateway-class-target' },
  { name: 'invalid YAML', manifests: `apiVersion: v1\nkind: Namespace\nmetadata: { name: shop\n`, rule: 'manifests/parse' },
  { name: 'YAML alias to no anchor', manifests: `apiVersion: v1\nkind: Namespace\nmetadata: { name: *shop }\n`, rule: 'manifests/parse' },
  {
    name: 'YAML alias bomb',
    manifests: `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: bomb, namespace: shop }\ndata:\n  a: &a [x, x, x, x, x, x, x, x, x]\n  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n  d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n`,
    rule: 'manifests/parse',
  },
  { name: 'document without a name', manifests: `apiVersion: v1\nkind: Namespace\nmetadata: { labels: { team: shop } }\n`, rule: 'manifests/not-an-object' },
  { name: 'the same waypoint in two files', manifests: { 'a.yaml': WAYPOINT(), 'b.yaml': WAYPOINT() }, rule: 'objects/duplicate' },
  { name: 'Service name starting with a digit, in YAML', manifests: `apiVersion: v1\nkind: Service\nmetadata: { name: 1cart, namespace: shop }\nspec: { ports: [{ port: 80 }] }\n`, rule: 'names/rfc1123' },
  { name: 'namespace name with upper case', manifests: WAYPOINT('waypoint', 'Shop'), rule: 'names/rfc1123' },
  { name: 'label key with two slashes', manifests: NS('shop', 'example.com/team/x: shop'), rule: 'names/label-syntax' },
  { name: 'basic_auth credential the module refuses', manifests: docs(WAYPOINT(), BASIC_AUTH(`[{ prefix: /, request_methods: [GET], credentials: [zq7-bad_cred] }]`)), rule: 'basic-auth/bad-credential', secret: 'zq7-bad_cred' },
  { name: 'basic_auth credential without padding', manifests: docs(WAYPOINT(), BASIC_AUTH(`[{ prefix: /, request_methods: [GET], credentials: [YWRtaW4zOmFkbWluMw] }]`)), rule: 'basic-auth/unpadded-credential', severity: 'warning', secret: 'YWRtaW4zOmFkbWluMw' },
  { name: 'basic_auth prefix without a leading slash', manifests: docs(WAYPOINT(), BASIC_AUTH(`[{ prefix: admin, request_methods: [GET], credentials: ["zq7u:zq7p"] }]`)), rule: 'basic-auth/unmatchable-path', secret: 'zq7u:zq7p' },
  { name: 'basic_auth host with a port', manifests: docs(WAYPOINT(), BASIC_AUTH(`[{ prefix: /, hosts: ["shop.example.com:8080"], request_methods: [GET], credentials: ["zq7u:zq7p"] }]`)), rule: 'basic-auth/host-with-port', secret: 'zq7u:zq7p' },
  { name: 'basic_auth rule with an empty exact path', manifests: docs(WAYPOINT(), BASIC_AUTH(`[{ exact: "", request_methods: [GET], credentials: ["zq7u:zq7p"] }]`)), rule: 'basic-auth/empty-path', secret: 'zq7u:zq7p' },
  { name: 'sha256 too short', manifests: docs(WAYPOINT(), WASM(`${ON_WAYPOINT}\n  sha256: abc123`)), rule: 'plugin/sha256-format' },
  { name: 'duplicate env in YAML', manifests: docs(WAYPOINT(), WASM(`${ON_WAYPOINT}\n  vmConfig: { env: [{ name: A, value: "1" }, { name: A, value: "2" }] }`)), rule: 'plugin/duplicate-env' },
  { name: 'env HOST with a value in YAML', manifests: docs(WAYPOINT(), WASM(`${ON_WAYPOINT}\n  vmConfig: { env: [{ name: A, valueFrom: HOST, value: "1" }] }`)), rule: 'plugin/env-value-from-host' },
  { name: 'url with a space in the host', manifests: docs(WAYPOINT(), `apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\nmetadata: { name: auth, namespace: shop }\nspec:\n  url: ghcr io/acme/auth:1.0\n${ON_WAYPOINT}\n`), rule: 'plugin/url-scheme' },
  {
    name: 'two AUTHZ plugins on one waypoint',
    manifests: docs(WAYPOINT(), WASM(`${ON_WAYPOINT}\n  phase: AUTHZ`, 'opa'), WASM(`${ON_WAYPOINT}\n  phase: AUTHZ`, 'tenant')),
    rule: 'plugin/ambiguous-order',
    severity: 'warning',
  },
  {
    name: 'match CLIENT on a Service-targeted plugin',
    manifests: docs(NS('shop', 'istio.io/use-waypoint: waypoint'), WAYPOINT(), `apiVersion: v1\nkind: Service\nmetadata: { name: cart, namespace: shop }\nspec: { ports: [{ port: 80 }] }\n`, WASM(`  targetRefs: [{ kind: Service, name: cart }]\n  match: [{ mode: CLIENT }]`)),
    rule: 'plugin/match-on-waypoint',
  },
  { name: 'FAIL_OPEN AUTHN plugin in YAML', manifests: docs(WAYPOINT(), WASM(`${ON_WAYPOINT}\n  phase: AUTHN\n  failStrategy: FAIL_OPEN`)), rule: 'plugin/fail-open-auth' },
  { name: 'NETWORK plugin on a waypoint in YAML', manifests: docs(WAYPOINT(), WASM(`${ON_WAYPOINT}\n  type: NETWORK`)), rule: 'plugin/network-on-waypoint', severity: 'warning' },
  {
    name: 'Service-targeted plugin whose Service uses a workload waypoint',
    manifests: docs(WAYPOINT('waypoint', 'shop', 'istio.io/waypoint-for: workload'), `apiVersion: v1\nkind: Service\nmetadata: { name: cart, namespace: shop, labels: { istio.io/use-waypoint: waypoint } }\nspec: { ports: [{ port: 80 }] }\n`, WASM(`  targetRefs: [{ kind: Service, name: cart }]`)),
    rule: 'plugin/target-without-waypoint',
  },
  { name: 'Service with use-waypoint-namespace only', manifests: `apiVersion: v1\nkind: Service\nmetadata: { name: cart, namespace: shop, labels: { istio.io/use-waypoint-namespace: infra } }\nspec: { ports: [{ port: 80 }] }\n`, rule: 'binding/missing-use-waypoint' },
  {
    name: 'root namespace plugin for every waypoint, from the wrong root',
    manifests: docs(WAYPOINT(), WASM(`  targetRefs: [{ group: gateway.networking.k8s.io, kind: GatewayClass, name: istio-waypoint }]`, 'audit', 'istio-system')),
    rule: 'plugin/gateway-class-target',
    rootNamespace: 'mesh-root',
  },
];

const DIST_PARENT = freshDir('dist-');
const DIST = path.join(DIST_PARENT, 'dist');
const GOOD = `${bind}\n${auth()}\nnew MeshService(ns, 'cart', { ports: [{ port: 8080, name: 'http' }] });`;
const SECRETS = Object.values(EXAMPLE_ENV).filter((v) => v.includes(':'));

before(async () => {
  const r = await run(['synth', '--app', writeProgram(freshDir('good-'), GOOD), '--outdir', DIST], DIST_PARENT);
  assert.equal(r.code, 0, r.text);
  assert.ok(readTree(DIST).size > 0);
});

function assertClean(text: string, secret?: string): void {
  assert.doesNotMatch(text, STACK_FRAME, `output carries a stack trace:\n${text}`);
  assert.doesNotMatch(text, /internal error/, text);
  for (const s of [...SECRETS, ...(secret ? [secret] : [])]) assert.ok(!text.includes(s), `output shows the credential ${s}:\n${text}`);
}

test('the corpus has at least 60 distinct bad inputs', () => {
  const inputs = [...APP_CASES.map((c) => c.app), ...MANIFEST_CASES.map((c) => JSON.stringify(c.manifests) + (c.rootNamespace ?? ''))];
  assert.ok(inputs.length >= 60, `only ${inputs.length}`);
  assert.equal(new Set(inputs).size, inputs.length, 'two cases share an input');
  const names = [...APP_CASES, ...MANIFEST_CASES].map((c) => c.name);
  assert.equal(new Set(names).size, names.length, 'two cases share a name');
});

for (const c of APP_CASES) {
  const severity = c.severity ?? 'error';
  test(`synth refuses: ${c.name} -> ${c.rule}`, async () => {
    const dir = freshDir('app-');
    const program = writeProgram(dir, c.app);
    const before = readTree(DIST);
    // Warnings block synth only under --strict.
    const r = await run(['synth', '--app', program, '--outdir', DIST, '--json', ...(severity === 'warning' ? ['--strict'] : [])], dir);
    assert.equal(r.code, 1, r.text);
    const hit = findingsOf(r).filter((f) => f.rule === c.rule);
    assert.ok(hit.length > 0, `no ${c.rule} finding:\n${r.text}`);
    assert.ok(hit.every((f) => f.severity === severity), `expected ${severity}: ${JSON.stringify(hit)}`);
    assert.ok(hit.every((f) => f.fix), 'every finding says how to fix it');
    assertClean(r.text, c.secret);
    assert.deepEqual(readTree(DIST), before, 'dist/ changed');
    if (severity === 'warning') {
      const lenient = await run(['validate', '--app', program, '--json'], dir);
      assert.equal(lenient.code, 0, lenient.text);
      assert.ok(findingsOf(lenient).some((f) => f.rule === c.rule));
    }
  });
}

for (const c of MANIFEST_CASES) {
  const severity = c.severity ?? 'error';
  test(`validate --manifests reports: ${c.name} -> ${c.rule}`, async () => {
    const dir = manifestDir(typeof c.manifests === 'string' ? { 'manifests.yaml': c.manifests } : c.manifests);
    const inputs = readTree(dir);
    const before = readTree(DIST);
    const args = ['validate', '--manifests', dir, '--json', ...(c.rootNamespace ? ['--root-namespace', c.rootNamespace] : [])];
    const r = await run([...args, '--strict'], DIST_PARENT);
    assert.equal(r.code, 1, r.text);
    const hit = findingsOf(r).filter((f) => f.rule === c.rule);
    assert.ok(hit.length > 0, `no ${c.rule} finding:\n${r.text}`);
    assert.ok(hit.every((f) => f.severity === severity), `expected ${severity}: ${JSON.stringify(hit)}`);
    assert.ok(hit.every((f) => f.file), 'a manifest finding names its file');
    assertClean(r.text, c.secret);
    const lenient = await run(args, DIST_PARENT);
    assert.equal(lenient.code, severity === 'error' ? 1 : 0, lenient.text);
    assert.deepEqual(readTree(dir), inputs, 'validate changed the manifests');
    assert.deepEqual(readTree(DIST), before, 'dist/ changed');
  });
}

test('validate --manifests on a path that does not exist is bad usage (exit 2), named as typed, and nothing on stdout', async () => {
  const r = await run(['validate', '--manifests', 'no-such-dir', '--json'], DIST_PARENT);
  assert.equal(r.code, 2, r.text);
  assert.equal(r.stdout, '');
  assert.equal(r.text, `validate: --manifests "no-such-dir" does not exist. Pass --manifests a folder of YAML or JSON manifests, or one such file.`);
  assertClean(r.text);
});
