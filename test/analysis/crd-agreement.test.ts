import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { SchemaIssue } from '../../analysis/schema';
import { validateGateway, validateWasmPlugin } from '../../analysis/schema';
import { loadCrdChecker } from '../support/crd-conformance';

// Our schemas (analysis/schema/) are written from the reference facts; this proves they say "valid"
// exactly when the real CRDs in ../shared/crds do. Rules the CRD cannot see (istiod's webhook, Istio's
// waypoint listener check) are marked: the CRD accepts those objects, we refuse them.
const checker = loadCrdChecker();

type Obj = Record<string, any>;

/** What we expect: valid, refused by the CRD (with our rule id), or refused only by the webhook / by Istio. */
type Verdict = 'valid' | { crd: string } | { webhookOnly: string } | { istioOnly: string };

interface Case {
  readonly name: string;
  readonly object: Obj;
  readonly verdict: Verdict;
}

const GW = 'gateway.networking.k8s.io';
const SHA = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

function plugin(spec: Obj, metadata: Obj = {}): Obj {
  return { apiVersion: 'extensions.istio.io/v1alpha1', kind: 'WasmPlugin', metadata: { name: 'auth', namespace: 'shop', ...metadata }, spec };
}

/** A plugin on the shop waypoint with `patch` merged into its spec. */
function onWaypoint(patch: Obj): Obj {
  return plugin({ url: 'oci://ghcr.io/acme/auth:1.0.0', targetRefs: [{ group: GW, kind: 'Gateway', name: 'waypoint' }], ...patch });
}

function gateway(spec: Obj, apiVersion = `${GW}/v1`): Obj {
  return { apiVersion, kind: 'Gateway', metadata: { name: 'waypoint', namespace: 'shop' }, spec };
}

const MESH = { name: 'mesh', port: 15008, protocol: 'HBONE' };
const waypointGateway = (listeners: Obj[] = [MESH]) => gateway({ gatewayClassName: 'istio-waypoint', listeners });
const ingress = (listeners: Obj[]) => gateway({ gatewayClassName: 'istio', listeners });
const refs = (n: number) => Array.from({ length: n }, (_, i) => ({ kind: 'Service', name: `svc-${i}` }));

const CASES: Case[] = [
  // WasmPlugin: valid
  { name: 'waypoint plugin, the compiler shape', object: onWaypoint({ phase: 'AUTHN' }), verdict: 'valid' },
  {
    name: 'every field set',
    object: onWaypoint({
      sha256: SHA,
      imagePullPolicy: 'Always',
      imagePullSecret: 'registry-pull',
      verificationKey: 'unused',
      pluginConfig: { any: ['thing', 1, { nested: true }] },
      pluginName: 'root',
      phase: 'STATS',
      priority: 10,
      failStrategy: 'FAIL_RELOAD',
      type: 'HTTP',
      vmConfig: { env: [{ name: 'A', value: 'b' }, { name: 'B', valueFrom: 'HOST' }, { name: 'C', valueFrom: 'INLINE', value: 'c' }] },
      match: [{ mode: 'SERVER', ports: [{ number: 8080 }, { number: 9090 }] }],
    }),
    verdict: 'valid',
  },
  { name: 'selector only (sidecars)', object: plugin({ url: 'oci://x/y:1', selector: { matchLabels: { app: 'cart' } } }), verdict: 'valid' },
  { name: 'legacy singular targetRef', object: plugin({ url: 'oci://x/y:1', targetRef: { group: GW, kind: 'Gateway', name: 'waypoint' } }), verdict: 'valid' },
  { name: 'neither selector nor targets', object: plugin({ url: 'oci://x/y:1' }), verdict: 'valid' },
  { name: 'url without scheme means oci', object: onWaypoint({ url: 'ghcr.io/acme/auth:1.0.0' }), verdict: 'valid' },
  { name: 'file:// url', object: onWaypoint({ url: 'file:///opt/filters/auth.wasm' }), verdict: 'valid' },
  { name: 'absolute path url', object: onWaypoint({ url: '/opt/filters/auth.wasm' }), verdict: 'valid' },
  { name: 'registry port with oci://', object: onWaypoint({ url: 'oci://registry.local:5000/wasm/auth:1.0.0' }), verdict: 'valid' },
  { name: 'empty sha256 is allowed', object: onWaypoint({ sha256: '' }), verdict: 'valid' },
  { name: 'null priority (nullable)', object: onWaypoint({ priority: null }), verdict: 'valid' },
  { name: 'int32 minimum priority', object: onWaypoint({ priority: -2147483648 }), verdict: 'valid' },
  { name: 'empty namespace on a targetRef', object: onWaypoint({ targetRefs: [{ group: GW, kind: 'Gateway', name: 'waypoint', namespace: '' }] }), verdict: 'valid' },
  { name: 'GatewayClass, ServiceEntry and core Service targets', object: onWaypoint({ targetRefs: [{ group: GW, kind: 'GatewayClass', name: 'istio-waypoint' }, { group: 'networking.istio.io', kind: 'ServiceEntry', name: 'api' }, { group: 'core', kind: 'Service', name: 'cart' }] }), verdict: 'valid' },
  { name: 'null selector is pruned, not counted', object: onWaypoint({ selector: null }), verdict: 'valid' },
  { name: '16 targetRefs', object: onWaypoint({ targetRefs: refs(16) }), verdict: 'valid' },

  // WasmPlugin: refused by the CRD
  { name: 'selector and targetRefs', object: onWaypoint({ selector: { matchLabels: { app: 'cart' } } }), verdict: { crd: 'plugin/selector-and-targets' } },
  { name: 'empty targetRefs still counts with a selector', object: plugin({ url: 'oci://x/y:1', selector: { matchLabels: { app: 'cart' } }, targetRefs: [] }), verdict: { crd: 'plugin/selector-and-targets' } },
  { name: 'targetRef and targetRefs', object: onWaypoint({ targetRef: { kind: 'Service', name: 'cart' } }), verdict: { crd: 'plugin/selector-and-targets' } },
  { name: '17 targetRefs', object: onWaypoint({ targetRefs: refs(17) }), verdict: { crd: 'plugin/too-many-targets' } },
  { name: 'cross-namespace targetRef', object: onWaypoint({ targetRefs: [{ group: GW, kind: 'Gateway', name: 'waypoint', namespace: 'infra' }] }), verdict: { crd: 'plugin/cross-namespace-ref' } },
  { name: 'cross-namespace singular targetRef', object: plugin({ url: 'oci://x/y:1', targetRef: { kind: 'Service', name: 'cart', namespace: 'infra' } }), verdict: { crd: 'plugin/cross-namespace-ref' } },
  { name: 'registry port without a scheme', object: onWaypoint({ url: 'registry.local:5000/wasm/auth:1.0.0' }), verdict: { crd: 'plugin/url-scheme' } },
  { name: 'ftp scheme', object: onWaypoint({ url: 'ftp://example.com/auth.wasm' }), verdict: { crd: 'plugin/url-scheme' } },
  { name: 'url with spaces', object: onWaypoint({ url: 'not a url' }), verdict: { crd: 'plugin/url-scheme' } },
  { name: 'url with a broken escape', object: onWaypoint({ url: 'ghcr.io/acme/%zz' }), verdict: { crd: 'plugin/url-scheme' } },
  { name: 'empty url', object: onWaypoint({ url: '' }), verdict: { crd: 'schema/wasm-plugin' } },
  { name: 'missing url', object: plugin({ targetRefs: [{ group: GW, kind: 'Gateway', name: 'waypoint' }] }), verdict: { crd: 'schema/wasm-plugin' } },
  { name: 'upper-case sha256', object: onWaypoint({ sha256: SHA.toUpperCase() }), verdict: { crd: 'plugin/sha256-format' } },
  { name: 'sha256 with prefix', object: onWaypoint({ sha256: `sha256:${SHA}` }), verdict: { crd: 'plugin/sha256-format' } },
  { name: 'env HOST with a value', object: onWaypoint({ vmConfig: { env: [{ name: 'POD', valueFrom: 'HOST', value: 'x' }] } }), verdict: { crd: 'plugin/env-value-from-host' } },
  { name: 'duplicate env names', object: onWaypoint({ vmConfig: { env: [{ name: 'MODE', value: 'a' }, { name: 'MODE', value: 'b' }] } }), verdict: { crd: 'plugin/duplicate-env' } },
  { name: 'priority beyond int32', object: onWaypoint({ priority: 2 ** 31 }), verdict: { crd: 'schema/wasm-plugin' } },
  { name: 'fractional priority', object: onWaypoint({ priority: 1.5 }), verdict: { crd: 'schema/wasm-plugin' } },
  { name: 'unknown phase', object: onWaypoint({ phase: 'AUTHENTICATION' }), verdict: { crd: 'schema/wasm-plugin' } },
  { name: 'unknown failStrategy', object: onWaypoint({ failStrategy: 'FAIL_OPENED' }), verdict: { crd: 'schema/wasm-plugin' } },
  { name: 'unknown type', object: onWaypoint({ type: 'TCP' }), verdict: { crd: 'schema/wasm-plugin' } },
  { name: 'misspelt field', object: onWaypoint({ targetrefs: [] }), verdict: { crd: 'schema/wasm-plugin' } },
  { name: 'unknown top-level field', object: { ...onWaypoint({}), extra: true }, verdict: { crd: 'schema/wasm-plugin' } },
  { name: 'wildcard selector key', object: plugin({ url: 'oci://x/y:1', selector: { matchLabels: { 'app*': 'cart' } } }), verdict: { crd: 'names/label-syntax' } },
  { name: 'wildcard selector value', object: plugin({ url: 'oci://x/y:1', selector: { matchLabels: { app: '*' } } }), verdict: { crd: 'names/label-syntax' } },
  { name: 'empty selector key', object: plugin({ url: 'oci://x/y:1', selector: { matchLabels: { '': 'cart' } } }), verdict: { crd: 'names/label-syntax' } },
  { name: 'selector value over 63 characters', object: plugin({ url: 'oci://x/y:1', selector: { matchLabels: { app: 'a'.repeat(64) } } }), verdict: { crd: 'schema/wasm-plugin' } },
  { name: 'port 0 in match', object: onWaypoint({ match: [{ ports: [{ number: 0 }] }] }), verdict: { crd: 'schema/wasm-plugin' } },
  { name: 'duplicate match port', object: onWaypoint({ match: [{ ports: [{ number: 80 }, { number: 80 }] }] }), verdict: { crd: 'schema/wasm-plugin' } },
  { name: 'empty imagePullSecret', object: onWaypoint({ imagePullSecret: '' }), verdict: { crd: 'schema/wasm-plugin' } },
  { name: 'pluginName over 256 characters', object: onWaypoint({ pluginName: 'p'.repeat(257) }), verdict: { crd: 'schema/wasm-plugin' } },
  { name: 'kind with a space', object: onWaypoint({ targetRefs: [{ group: GW, kind: 'Gate way', name: 'w' }] }), verdict: { crd: 'schema/wasm-plugin' } },
  { name: 'targetRef without a name', object: onWaypoint({ targetRefs: [{ group: GW, kind: 'Gateway' }] }), verdict: { crd: 'schema/wasm-plugin' } },
  { name: 'pluginConfig that is a list', object: onWaypoint({ pluginConfig: ['a'] }), verdict: { crd: 'schema/wasm-plugin' } },
  { name: 'env value over 2048 characters', object: onWaypoint({ vmConfig: { env: [{ name: 'A', value: 'v'.repeat(2049) }] } }), verdict: { crd: 'schema/wasm-plugin' } },

  // WasmPlugin: the CRD accepts these, istiod's webhook refuses them
  { name: 'Deployment target', object: onWaypoint({ targetRefs: [{ group: 'apps', kind: 'Deployment', name: 'cart' }] }), verdict: { webhookOnly: 'plugin/target-kind' } },
  { name: 'Gateway without its group', object: onWaypoint({ targetRefs: [{ kind: 'Gateway', name: 'waypoint' }] }), verdict: { webhookOnly: 'plugin/target-kind' } },
  { name: 'Service in the Istio group', object: onWaypoint({ targetRefs: [{ group: 'networking.istio.io', kind: 'Service', name: 'cart' }] }), verdict: { webhookOnly: 'plugin/target-kind' } },
  { name: 'singular targetRef to a Pod', object: plugin({ url: 'oci://x/y:1', targetRef: { kind: 'Pod', name: 'cart-0' } }), verdict: { webhookOnly: 'plugin/target-kind' } },

  // Gateway: valid
  { name: 'waypoint, istioctl shape', object: waypointGateway(), verdict: 'valid' },
  { name: 'waypoint admitting all namespaces', object: waypointGateway([{ ...MESH, allowedRoutes: { namespaces: { from: 'All' } } }]), verdict: 'valid' },
  { name: 'waypoint admitting by selector', object: waypointGateway([{ ...MESH, allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' }, matchExpressions: [{ key: 'team', operator: 'In', values: ['a'] }] } } } }]), verdict: 'valid' },
  { name: 'v1beta1 waypoint', object: gateway({ gatewayClassName: 'istio-waypoint', listeners: [MESH] }, `${GW}/v1beta1`), verdict: 'valid' },
  {
    name: 'waypoint of a custom class, as Waypoint gatewayClassName writes it',
    object: { ...gateway({ gatewayClassName: 'team-waypoints', listeners: [MESH] }), metadata: { name: 'waypoint', namespace: 'shop', annotations: { 'waypoint-policy.io/gateway-class-controller': 'istio.io/mesh-controller' } } },
    verdict: 'valid',
  },
  {
    name: 'ingress with HTTP, HTTPS and TCP listeners',
    object: ingress([
      { name: 'http', port: 80, protocol: 'HTTP', hostname: 'shop.example.com' },
      { name: 'https', port: 443, protocol: 'HTTPS', hostname: '*.example.com', tls: { certificateRefs: [{ name: 'cert' }] } },
      { name: 'tcp', port: 5432, protocol: 'TCP' },
      { name: 'tls', port: 8443, protocol: 'TLS', tls: { mode: 'Passthrough' } },
    ]),
    verdict: 'valid',
  },
  { name: 'domain-prefixed protocol', object: ingress([{ name: 'custom', port: 9000, protocol: 'example.com/quic' }]), verdict: 'valid' },

  // Gateway: refused by the CRD
  { name: 'no listeners', object: waypointGateway([]), verdict: { crd: 'schema/gateway' } },
  { name: '65 listeners', object: ingress(Array.from({ length: 65 }, (_, i) => ({ name: `l${i}`, port: 1000 + i, protocol: 'HTTP' }))), verdict: { crd: 'schema/gateway' } },
  { name: 'duplicate listener names', object: ingress([{ name: 'http', port: 80, protocol: 'HTTP' }, { name: 'http', port: 81, protocol: 'HTTP' }]), verdict: { crd: 'schema/gateway' } },
  { name: 'listener name with capitals', object: waypointGateway([{ ...MESH, name: 'Mesh_1' }]), verdict: { crd: 'schema/gateway' } },
  { name: 'port 0', object: ingress([{ name: 'http', port: 0, protocol: 'HTTP' }]), verdict: { crd: 'schema/gateway' } },
  { name: 'port 70000', object: ingress([{ name: 'http', port: 70000, protocol: 'HTTP' }]), verdict: { crd: 'schema/gateway' } },
  { name: 'protocol with a symbol', object: ingress([{ name: 'x', port: 80, protocol: 'HTTP!' }]), verdict: { crd: 'schema/gateway' } },
  { name: 'empty gatewayClassName', object: gateway({ gatewayClassName: '', listeners: [MESH] }), verdict: { crd: 'schema/gateway' } },
  { name: 'gatewayClassName over 253 characters', object: gateway({ gatewayClassName: 'c'.repeat(254), listeners: [MESH] }), verdict: { crd: 'schema/gateway' } },
  { name: 'missing gatewayClassName', object: gateway({ listeners: [MESH] }), verdict: { crd: 'schema/gateway' } },
  { name: 'misspelt listener field', object: waypointGateway([{ ...MESH, allowedroutes: {} }]), verdict: { crd: 'schema/gateway' } },
  { name: 'unknown allowedRoutes from', object: waypointGateway([{ ...MESH, allowedRoutes: { namespaces: { from: 'Everyone' } } }]), verdict: { crd: 'schema/gateway' } },
  { name: 'TCP listener with hostname', object: ingress([{ name: 'tcp', port: 5432, protocol: 'TCP', hostname: 'db.example.com' }]), verdict: { crd: 'schema/gateway' } },
  { name: 'HTTP listener with tls', object: ingress([{ name: 'http', port: 80, protocol: 'HTTP', tls: { mode: 'Passthrough' } }]), verdict: { crd: 'schema/gateway' } },
  { name: 'same port, protocol and hostname twice', object: ingress([{ name: 'a', port: 80, protocol: 'HTTP' }, { name: 'b', port: 80, protocol: 'HTTP' }]), verdict: { crd: 'schema/gateway' } },
  { name: 'upper-case hostname', object: ingress([{ name: 'http', port: 80, protocol: 'HTTP', hostname: 'Shop.example.com' }]), verdict: { crd: 'schema/gateway' } },
  { name: 'TLS listener without tls', object: ingress([{ name: 'tls', port: 443, protocol: 'TLS' }]), verdict: { crd: 'schema/gateway' } },
  { name: 'terminating TLS without certificates', object: ingress([{ name: 'https', port: 443, protocol: 'HTTPS', tls: {} }]), verdict: { crd: 'schema/gateway' } },
  { name: 'unknown spec field', object: gateway({ gatewayClassName: 'istio-waypoint', listeners: [MESH], listner: [] }), verdict: { crd: 'schema/gateway' } },

  // Gateway: the CRD accepts these, Istio refuses the listeners of a waypoint
  { name: 'waypoint with an extra HTTP listener', object: waypointGateway([MESH, { name: 'http', port: 80, protocol: 'HTTP' }]), verdict: { istioOnly: 'waypoint/listener' } },
  { name: 'waypoint without an HBONE listener', object: waypointGateway([{ name: 'http', port: 80, protocol: 'HTTP' }]), verdict: { istioOnly: 'waypoint/listener' } },
  { name: 'waypoint HBONE on another port', object: waypointGateway([{ ...MESH, port: 15009 }]), verdict: { istioOnly: 'waypoint/listener' } },
];

function ours(o: Obj): SchemaIssue[] {
  return o.kind === 'Gateway' ? validateGateway(o) : validateWasmPlugin(o);
}

const show = (x: unknown) => JSON.stringify(x, null, 1);

test('the corpus is large and covers every verdict and both kinds', () => {
  assert.ok(CASES.length >= 40, `only ${CASES.length} cases`);
  const names = new Set(CASES.map((c) => c.name));
  assert.equal(names.size, CASES.length, 'case names must be distinct');
  for (const kind of ['WasmPlugin', 'Gateway']) {
    const of = CASES.filter((c) => c.object.kind === kind);
    assert.ok(of.some((c) => c.verdict === 'valid') && of.some((c) => typeof c.verdict === 'object' && 'crd' in c.verdict), kind);
  }
  assert.ok(CASES.some((c) => typeof c.verdict === 'object' && 'webhookOnly' in c.verdict));
  assert.ok(CASES.some((c) => typeof c.verdict === 'object' && 'istioOnly' in c.verdict));
});

for (const c of CASES) {
  test(`agrees with the real CRD: ${c.object.kind}, ${c.name}`, () => {
    const crd = checker.check(c.object);
    const issues = ours(c.object);
    const crdLevel = issues.filter((i) => i.enforcedBy === 'crd');
    const v = c.verdict;
    if (v === 'valid') {
      assert.deepEqual(crd, [], `the CRD refuses it: ${show(crd)}`);
      assert.deepEqual(issues, [], `we refuse it: ${show(issues)}`);
    } else if ('crd' in v) {
      assert.notDeepEqual(crd, [], 'the CRD accepts it');
      assert.ok(crdLevel.length > 0, `we do not refuse it as the CRD does: ${show(issues)}`);
      assert.ok(crdLevel.some((i) => i.rule === v.crd), `expected rule ${v.crd}, got ${show(issues)}`);
    } else {
      const [rule, by] = 'webhookOnly' in v ? [v.webhookOnly, 'webhook'] : [v.istioOnly, 'istio'];
      assert.deepEqual(crd, [], `the CRD was expected to accept it (a ${by}-only rule): ${show(crd)}`);
      assert.deepEqual(crdLevel, [], `we call a ${by}-only problem a CRD problem: ${show(crdLevel)}`);
      assert.ok(issues.some((i) => i.rule === rule && i.enforcedBy === by), `expected ${by} rule ${rule}, got ${show(issues)}`);
    }
  });
}

// Random objects: every field mostly valid, sometimes just past a boundary, so both verdicts are
// common. The CRD refuses one exactly when our CRD-level rules do.
function mostly<T>(valid: readonly T[], invalid: readonly T[]): fc.Arbitrary<T> {
  return fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...valid) }, { weight: 1, arbitrary: fc.constantFrom(...invalid) });
}

const arbRef = fc.record(
  {
    group: mostly(['', 'core', GW, 'networking.istio.io', 'apps'], ['Bad_Group', 'x'.repeat(254)]),
    kind: mostly(['Gateway', 'Service', 'ServiceEntry', 'GatewayClass', 'Deployment'], ['', 'Gate way', '9lives', 'K'.repeat(64)]),
    name: mostly(['waypoint', 'cart', 'a.b', 'x'.repeat(253)], ['', 'x'.repeat(254)]),
    namespace: mostly([''], ['infra', 'shop']),
  },
  { requiredKeys: ['kind', 'name'] },
);
const arbUrl = mostly(
  [
    'oci://ghcr.io/acme/auth:1.0.0',
    'ghcr.io/acme/auth:1.0.0',
    'oci://registry.local:5000/auth',
    'https://example.com/auth.wasm',
    'http://[::1]:8080/a.wasm',
    'http://[zz]/a.wasm',
    'file:///opt/a.wasm',
    '/opt/a.wasm',
    'oci://user:pass@ghcr.io/a',
    'http://host:port/x',
    'HTTPS://EXAMPLE.COM/A',
    '*',
  ],
  ['registry.local:5000/auth', 'ftp://example.com/a.wasm', 'mailto:ops@example.com', 'a b', '%41', 'ghcr.io/%zz', 'oci://us er@ghcr.io/a', '1abc:def', ''],
);
const arbEnvList = fc
  .array(
    fc.record(
      {
        name: mostly(['A', 'B', 'C', 'D'], ['', 'N'.repeat(257)]),
        value: mostly(['v', ''], ['v'.repeat(2049)]),
        valueFrom: mostly(['INLINE', 'HOST'], ['ENV']),
      },
      { requiredKeys: ['name'] },
    ),
    { maxLength: 3 },
  );
const arbSelector = fc.record(
  { matchLabels: fc.dictionary(mostly(['app', 'team', 'tier'], ['a*', '']), mostly(['cart', ''], ['*', 'v'.repeat(64)]), { maxKeys: 2 }) },
  { requiredKeys: [] },
);
/** Where the plugin attaches: usually exactly one of the three fields, sometimes two. */
const arbAttachment = fc.oneof(
  { weight: 4, arbitrary: fc.record({ targetRefs: fc.array(arbRef, { minLength: 1, maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ targetRefs: fc.array(arbRef, { minLength: 16, maxLength: 17 }) }) },
  { weight: 2, arbitrary: fc.record({ targetRef: arbRef }) },
  { weight: 2, arbitrary: fc.record({ selector: arbSelector }) },
  { weight: 1, arbitrary: fc.constant({}) },
  { weight: 1, arbitrary: fc.record({ selector: arbSelector, targetRefs: fc.array(arbRef, { maxLength: 1 }) }) },
);
const arbSpec = fc
  .tuple(
    arbAttachment,
    fc.record(
      {
        url: arbUrl,
        sha256: mostly([SHA, ''], [SHA.toUpperCase(), `sha256:${SHA}`, SHA.slice(1)]),
        phase: mostly(['AUTHN', 'AUTHZ', 'STATS', 'UNSPECIFIED_PHASE'], ['AUTH']),
        priority: mostly([0, -1, 10, 2 ** 31 - 1, -(2 ** 31), null], [2 ** 31, 1.5]),
        failStrategy: mostly(['FAIL_CLOSE', 'FAIL_OPEN', 'FAIL_RELOAD'], ['OPEN']),
        type: mostly(['HTTP', 'NETWORK', 'UNSPECIFIED_PLUGIN_TYPE'], ['TCP']),
        imagePullPolicy: mostly(['IfNotPresent', 'Always', 'UNSPECIFIED_POLICY'], ['Never']),
        imagePullSecret: mostly(['pull'], ['', 's'.repeat(254)]),
        pluginName: mostly(['root'], ['', 'p'.repeat(257)]),
        vmConfig: fc.record({ env: arbEnvList }, { requiredKeys: [] }),
        match: fc.array(
          fc.record(
            { mode: mostly(['UNDEFINED', 'CLIENT', 'SERVER', 'CLIENT_AND_SERVER'], ['BOTH']), ports: fc.array(fc.record({ number: mostly([1, 80, 8080, 65535], [0, 65536]) }), { maxLength: 2 }) },
            { requiredKeys: [] },
          ),
          { maxLength: 2 },
        ),
      },
      { requiredKeys: ['url'] },
    ),
  )
  .map(([attachment, rest]) => ({ ...attachment, ...rest }));

test('random WasmPlugins: the CRD refuses exactly those our CRD-level rules refuse', () => {
  const seen = { valid: 0, invalid: 0 };
  fc.assert(
    fc.property(arbSpec, (spec) => {
      const o = plugin(spec);
      const crd = checker.check(o);
      const crdLevel = validateWasmPlugin(o).filter((i) => i.enforcedBy === 'crd');
      assert.equal(crdLevel.length > 0, crd.length > 0, `CRD: ${show(crd)}\nours: ${show(crdLevel)}\nobject: ${show(o)}`);
      seen[crd.length > 0 ? 'invalid' : 'valid']++;
    }),
    { numRuns: 400, seed: 4242 },
  );
  // Both outcomes must be common, or the comparison says little.
  assert.ok(seen.valid >= 40 && seen.invalid >= 40, `valid ${seen.valid}, invalid ${seen.invalid}`);
});

const arbListeners = fc
  .array(
    fc.record(
      {
        name: mostly([undefined], ['Mesh', '', 'a_b', 'l0']),
        port: mostly([undefined], [0, 65536, 80]),
        protocol: mostly(['HBONE', 'HTTP', 'HTTPS', 'TCP', 'TLS', 'example.com/x'], ['bad proto', '']),
        hostname: mostly(['shop.example.com', '*.example.com'], ['Shop.example.com', '*']),
        tls: mostly<Obj>([{ mode: 'Passthrough' }, { certificateRefs: [{ name: 'c' }] }], [{}]),
        allowedRoutes: mostly([{ namespaces: { from: 'All' } }, { namespaces: { from: 'Same' } }, { kinds: [{ kind: 'HTTPRoute' }] }], [{ namespaces: { from: 'Nobody' } }]),
      },
      { requiredKeys: ['protocol'] },
    ),
    { maxLength: 3 },
  )
  // Names and ports unique by default (the CRD's map key and combination rules), unless drawn otherwise.
  .map((ls) => ls.map((l, i) => ({ ...l, name: l.name ?? `l${i}`, port: l.port ?? 1000 + i })));

test('random Gateways: the CRD refuses exactly those our CRD-level rules refuse', () => {
  const seen = { valid: 0, invalid: 0 };
  fc.assert(
    fc.property(mostly(['istio-waypoint', 'istio'], ['', 'c'.repeat(254)]), arbListeners, (cls, listeners) => {
      const o = gateway({ gatewayClassName: cls, listeners });
      const crd = checker.check(o);
      const crdLevel = validateGateway(o).filter((i) => i.enforcedBy === 'crd');
      assert.equal(crdLevel.length > 0, crd.length > 0, `CRD: ${show(crd)}\nours: ${show(crdLevel)}\nobject: ${show(o)}`);
      seen[crd.length > 0 ? 'invalid' : 'valid']++;
    }),
    { numRuns: 400, seed: 4242 },
  );
  assert.ok(seen.valid >= 40 && seen.invalid >= 40, `valid ${seen.valid}, invalid ${seen.invalid}`);
});
