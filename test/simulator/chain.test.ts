/**
 * The ordered plugin chain on each proxy (istio-ambient-facts.md 1.6, 1.7):
 * which WasmPlugins attach, in which order, and what happens when one cannot
 * be simulated. Denying basic_auth plugins tell by their realm which ran first.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../compiler/model';
import { registerPluginEvaluator } from '../../simulator/evaluators';
import { formatStatus, toJsonResult } from '../../simulator/format';
import { simulate } from '../../simulator/simulate';
import type { SimRequest } from '../../simulator/request';
import { basicAuthConfig, ingressGateway, modelOf, namespace, plugin, PluginOptions, service, toGateway, waypoint } from './fixtures';

const MESH = [namespace('apps', { 'istio.io/use-waypoint': 'wp' }), waypoint('apps', 'wp')];

/** A basic_auth plugin that denies everything without credentials, answering with `realm`. */
function denier(ns: string, name: string, o: PluginOptions & { realm?: string }): KubeObject {
  return plugin(ns, name, { targetRefs: toGateway('wp'), ...o, pluginConfig: basicAuthConfig('/', ['ok:test'], { realm: o.realm ?? name }) });
}

function run(objects: KubeObject[], request: Partial<SimRequest> = {}, rootNamespace?: string) {
  const r = simulate(modelOf([...MESH, ...objects], { rootNamespace }), { to: 'apps/app:80', ...request });
  return { ...r, realm: r.headers['www-authenticate']?.replace('Basic realm=', ''), text: r.trace.map((e) => `${e.object ?? ''} ${e.decision ?? ''} ${e.detail}`).join('\n') };
}

function chainLine(r: { trace: readonly { step: string; detail: string }[] }): string {
  return r.trace.find((e) => e.step === 'chain' && e.detail.startsWith('HTTP chain'))!.detail;
}

describe('order', () => {
  test('phases run AUTHN, AUTHZ, STATS, then UNSPECIFIED, whatever the priorities', () => {
    const r = run([
      denier('apps', 'a-unspecified', { priority: 1000 }),
      denier('apps', 'b-stats', { phase: 'STATS', priority: 1000 }),
      denier('apps', 'c-authz', { phase: 'AUTHZ', priority: 1000 }),
      denier('apps', 'd-authn', { phase: 'AUTHN', priority: -1000 }),
    ]);
    assert.equal(r.realm, 'd-authn');
    assert.match(chainLine(r), /1\. WasmPlugin apps\/d-authn \(AUTHN, priority -1000\), 2\. WasmPlugin apps\/c-authz \(AUTHZ.*3\. WasmPlugin apps\/b-stats \(STATS.*4\. WasmPlugin apps\/a-unspecified \(UNSPECIFIED/);
  });

  test('within a phase, the highest priority runs first', () => {
    assert.equal(run([denier('apps', 'low', { phase: 'AUTHN', priority: 1 }), denier('apps', 'high', { phase: 'AUTHN', priority: 10 })]).realm, 'high');
  });

  test('an unset priority runs after every explicit one, negative ones included', () => {
    assert.equal(run([denier('apps', 'a-unset', { phase: 'AUTHN' }), denier('apps', 'z-negative', { phase: 'AUTHN', priority: -5 })]).realm, 'z-negative');
  });

  test('ties are ordered by name, and the trace says creation time decides in a cluster', () => {
    const r = run([denier('apps', 'beta', { phase: 'AUTHN' }), denier('apps', 'alpha', { phase: 'AUTHN' })]);
    assert.equal(r.realm, 'alpha');
    assert.match(r.text, /share phase AUTHN and an unset priority: in a cluster the older object runs first/);
  });

  test('a plugin that answers is undetermined when a plugin of the same phase and priority, which may be older and run first, is not simulated or would answer otherwise; the same answer either way stays decided', () => {
    const unsimulated = plugin('apps', 'zz-limit', { targetRefs: toGateway('wp'), phase: 'AUTHN', url: 'oci://example.com/unknown-module:1.0', pluginConfig: {} });
    const refused = plugin('apps', 'zz-broken', { targetRefs: toGateway('wp'), phase: 'AUTHN', pluginConfig: { basic_auth_rules: 'not a list' } });
    for (const [other, says] of [
      [unsimulated, /WasmPlugin apps\/alpha on .* answers 401 only if it runs before WasmPlugin apps\/zz-limit, which is not simulated: they share phase and priority, and which is older \(runs first\) is unknown offline/],
      [refused, /answers 401 only if it runs before WasmPlugin apps\/zz-broken, which would answer 500/],
    ] as const) {
      const r = run([denier('apps', 'alpha', { phase: 'AUTHN' }), other]);
      assert.equal(r.status, null, r.text);
      assert.match(r.reason, says);
      // Given distinct priorities, the order is known again.
      const ordered = run([denier('apps', 'alpha', { phase: 'AUTHN', priority: 10 }), other]);
      assert.equal(ordered.status, 401, ordered.text);
    }
    // Two deniers answer 401 in either order: decided; the trace says whose realm the client gets is not.
    const tied = run([denier('apps', 'alpha', { phase: 'AUTHN' }), denier('apps', 'beta', { phase: 'AUTHN' })]);
    assert.equal(tied.status, 401);
    assert.match(tied.text, /WasmPlugin apps\/beta shares its phase and priority and would answer 401 too, with other headers or body: the status is certain, but whose headers and body the client gets \(the older plugin's\) is unknown offline/);
    assert.match(tied.uncertain ?? '', /^WasmPlugin apps\/alpha on .*: WasmPlugin apps\/beta shares its phase and priority/);
    assert.match(formatStatus(tied), /^401 Unauthorized \(WWW-Authenticate: Basic realm=alpha; empty body; or a tied plugin's headers and body: see the trace\)$/);
    // explain --json prints only the status and the trace: its response entry must not present them as certain either.
    assert.match(toJsonResult(tied).trace.at(-1)!.detail, /^401 from WasmPlugin apps\/alpha on .*; www-authenticate: Basic realm=alpha; empty body; or a tied plugin's headers and body \(WasmPlugin apps\/beta\)$/);
    // The same answer to the byte (one realm) leaves nothing unknown to say.
    const same = run([denier('apps', 'alpha', { phase: 'AUTHN', realm: 'shop' }), denier('apps', 'beta', { phase: 'AUTHN', realm: 'shop' })]);
    assert.doesNotMatch(same.text, /with other headers or body/);
    assert.equal(same.uncertain, undefined);
    // A tied plugin that lets this request through changes nothing, even when whether it applies is
    // unknown (a port match on an ingress gateway that listens on several ports), whatever its name.
    const gatewayMesh = [namespace('apps'), service('apps', 'app', {}, [80]), ingressGateway('apps', 'gw', [80, 8080])];
    const guard = plugin('apps', 'alpha', { targetRefs: toGateway('gw'), phase: 'AUTHN', pluginConfig: basicAuthConfig('/admin', ['ok:test']) });
    for (const name of ['aaa', 'beta']) {
      const portBound = plugin('apps', name, { targetRefs: toGateway('gw'), phase: 'AUTHN', match: [{ ports: [{ number: 8080 }] }], pluginConfig: basicAuthConfig('/other', ['ok:test']) });
      assert.equal(simulate(modelOf([...gatewayMesh, guard, portBound]), { to: 'apps/app:80', via: 'apps/gw', path: '/admin' }).status, 401, name);
    }
  });

  test('an explicit priority of -2147483648 ties with an unset one, and the trace says so', () => {
    const r = run([denier('apps', 'beta', { phase: 'AUTHN' }), denier('apps', 'alpha', { phase: 'AUTHN', priority: -2147483648 })]);
    assert.equal(r.realm, 'alpha');
    assert.match(r.text, /share phase AUTHN and priority -2147483648 \(an unset one sorts as that\)/);
  });

  test('a plugin that lets the request through hands it to the next one', () => {
    const open = plugin('apps', 'first', { targetRefs: toGateway('wp'), phase: 'AUTHN', priority: 10, pluginConfig: basicAuthConfig('/other', ['ok:test']) });
    const r = run([open, denier('apps', 'second', { phase: 'AUTHN', priority: 1 })]);
    assert.equal(r.realm, 'second');
    assert.equal(r.decidedBy?.object, 'WasmPlugin apps/second');
  });
});

describe('attachment on a waypoint', () => {
  test('Gateway-, Service- and GatewayClass-targeted plugins all join the chain', () => {
    const r = run([
      denier('apps', 'by-gateway', { phase: 'STATS' }),
      denier('apps', 'by-service', { phase: 'AUTHZ', targetRefs: [{ kind: 'Service', name: 'app' }] }),
      denier('istio-system', 'by-class', { phase: 'AUTHN', targetRefs: [{ kind: 'GatewayClass', name: 'istio-waypoint' }] }),
    ]);
    assert.equal(r.realm, 'by-class');
    assert.match(chainLine(r), /by-class.*by-service.*by-gateway/);
  });

  test('a Service-targeted plugin applies only to that Service, from its own namespace', () => {
    assert.equal(run([denier('apps', 'other-svc', { targetRefs: [{ kind: 'Service', name: 'other' }] })]).status, 200);
    const wrongNs = run([namespace('elsewhere'), denier('istio-system', 'cross', { targetRefs: [{ kind: 'Service', name: 'app' }] })]);
    assert.equal(wrongNs.status, 200);
    assert.match(wrongNs.text, /lives in namespace istio-system, not the Service's apps/);
  });

  test('GatewayClass istio-waypoint applies only from the root namespace; other classes never', () => {
    const fromApps = run([denier('apps', 'class', { targetRefs: [{ kind: 'GatewayClass', name: 'istio-waypoint' }] })]);
    assert.equal(fromApps.status, 200);
    assert.match(fromApps.text, /not in the root namespace istio-system/);
    assert.equal(run([denier('istio-system', 'istio', { targetRefs: [{ kind: 'GatewayClass', name: 'istio' }] })]).status, 200);
    assert.equal(run([denier('mesh-root', 'class', { targetRefs: [{ kind: 'GatewayClass', name: 'istio-waypoint' }] })], {}, 'mesh-root').realm, 'class');
  });

  test('selector-only plugins are ignored by waypoints, and the trace says so', () => {
    const r = run([plugin('apps', 'by-selector', { selector: { app: 'app' }, pluginConfig: basicAuthConfig('/', ['ok:test']) })]);
    assert.equal(r.status, 200);
    assert.match(r.text, /by-selector skipped .*waypoints ignore selector/);
  });

  test('match mode CLIENT or any match ports stop an HTTP plugin on a waypoint', () => {
    const client = run([denier('apps', 'client', { match: [{ mode: 'CLIENT' }] })]);
    assert.equal(client.status, 200);
    assert.match(client.text, /mode CLIENT never matches on a waypoint/);
    const ports = run([denier('apps', 'ports', { match: [{ ports: [{ number: 80 }] }] })]);
    assert.equal(ports.status, 200);
    assert.match(ports.text, /port 0, so it never matches/);
    assert.equal(run([denier('apps', 'server', { match: [{ mode: 'CLIENT' }, { mode: 'SERVER' }] })]).realm, 'server');
  });

  test('type NETWORK plugins are not on the HTTP chain', () => {
    const r = run([denier('apps', 'tcp', { type: 'NETWORK' })]);
    assert.equal(r.status, 200);
    assert.match(r.text, /type NETWORK/);
  });

  test("another namespace's Gateway of the same name is not this waypoint", () => {
    assert.equal(run([namespace('other'), waypoint('other', 'wp'), denier('other', 'there', {})]).status, 200);
  });
});

describe('attachment on an ingress gateway', () => {
  const edge = [service('apps', 'app', { 'istio.io/use-waypoint': 'none' }), ingressGateway('apps', 'edge', [80])];
  const viaEdge = { via: 'apps/edge' };
  const onEdge = (name: string, o: PluginOptions) => plugin('apps', name, { targetRefs: toGateway('edge'), ...o, pluginConfig: basicAuthConfig('/', ['ok:test'], { realm: name }) });

  test('a plugin targeting the gateway runs there', () => {
    const r = run([...edge, onEdge('at-edge', {})], viaEdge);
    assert.equal(r.realm, 'at-edge');
    assert.equal(r.decidedBy?.proxy, 'ingress gateway apps/edge');
  });

  test('a selector plugin depends on pod labels: not simulated when it would deny, harmless when it would pass', () => {
    const deny = run([...edge, plugin('apps', 'sel', { selector: { app: 'edge' }, pluginConfig: basicAuthConfig('/', ['ok:test']) })], viaEdge);
    assert.equal(deny.status, null);
    assert.match(deny.text, /not simulated \(selector\)/);
    const pass = run([...edge, plugin('apps', 'sel', { selector: { app: 'edge' }, pluginConfig: basicAuthConfig('/admin', ['ok:test']) })], viaEdge);
    assert.equal(pass.status, 200);
  });

  test("a selector on the gateway-name label is decided: Istio sets it on the gateway's pods", () => {
    const mine = run([...edge, plugin('apps', 'named', { selector: { 'gateway.networking.k8s.io/gateway-name': 'edge' }, pluginConfig: basicAuthConfig('/', ['ok:test']) })], viaEdge);
    assert.equal(mine.status, 401);
    const other = run([...edge, plugin('apps', 'named', { selector: { 'gateway.networking.k8s.io/gateway-name': 'other' }, pluginConfig: basicAuthConfig('/', ['ok:test']) })], viaEdge);
    assert.equal(other.status, 200);
  });

  test('Service- and GatewayClass-targeted plugins never run on an ingress gateway', () => {
    const r = run([...edge, onEdge('svc', { targetRefs: [{ kind: 'Service', name: 'app' }] }), denier('istio-system', 'class', { targetRefs: [{ kind: 'GatewayClass', name: 'istio-waypoint' }] })], viaEdge);
    assert.equal(r.status, 200);
  });

  test('match mode SERVER never matches a gateway; ports are compared with its listeners', () => {
    assert.equal(run([...edge, onEdge('server', { match: [{ mode: 'SERVER' }] })], viaEdge).status, 200);
    assert.equal(run([...edge, onEdge('p80', { match: [{ ports: [{ number: 80 }] }] })], viaEdge).realm, 'p80');
    assert.equal(run([...edge, onEdge('p443', { match: [{ ports: [{ number: 443 }] }] })], viaEdge).status, 200);
  });
});

describe('what cannot be simulated is never guessed', () => {
  const other = (o: PluginOptions) => plugin('apps', 'opa', { targetRefs: toGateway('wp'), url: 'oci://registry.example.com/wasm/opa:1.0.0', pluginConfig: { opa_service_host: 'opa' }, ...o });

  test('a module without an evaluator makes the status undetermined', () => {
    const r = run([other({ phase: 'AUTHZ' })]);
    assert.equal(r.status, null);
    assert.match(r.text, /no evaluator for module .*not simulated \(never guessed\)/);
  });

  test('an earlier plugin that denies still decides', () => {
    assert.equal(run([other({ phase: 'AUTHZ' }), denier('apps', 'first', { phase: 'AUTHN' })]).status, 401);
  });

  test('a later denial after an unknown plugin gives no status, and says why', () => {
    const r = run([other({ phase: 'AUTHN' }), denier('apps', 'later', { phase: 'AUTHZ' })]);
    assert.equal(r.status, null);
    assert.match(r.text, /would answer 401 only if everything before it lets the request through/);
  });

  test('a registered evaluator is used for its module, whatever the tag', () => {
    registerPluginEvaluator('oci://registry.example.com/wasm/always-403', {
      name: 'always-403 (test)',
      evaluate: () => ({ kind: 'respond', status: 403, headers: {}, body: 'denied', detail: 'denies every request' }),
    });
    const r = run([plugin('apps', 'deny-all', { targetRefs: toGateway('wp'), url: 'oci://registry.example.com/wasm/always-403:2.0.0' })]);
    assert.equal(r.status, 403);
    assert.equal(r.body, 'denied');
  });

  test('an AuthorizationPolicy on the waypoint is not simulated', () => {
    const policy: KubeObject = {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'allow-some', namespace: 'apps' },
      spec: { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'wp' }], action: 'ALLOW', rules: [{}] },
    };
    const r = run([policy]);
    assert.equal(r.status, null);
    assert.match(r.text, /AuthorizationPolicy apps\/allow-some .*not simulated/);
    // Basic auth at AUTHN runs before RBAC, so its 401 stands.
    assert.equal(run([policy, denier('apps', 'authn', { phase: 'AUTHN' })]).status, 401);
  });
});

describe('a WasmPlugin the API server refuses as written', () => {
  // istio-ambient-facts.md 1.2-1.4: CEL on the CRD and istiod's webhook refuse these, so the
  // object as written never exists; an earlier admitted version of it may, which manifests do not show.
  const withSpec = (name: string, extra: Record<string, unknown>, o: PluginOptions = {}): KubeObject => {
    const p = denier('apps', name, o);
    return { ...p, spec: { ...(p.spec as object), ...extra } };
  };
  const gatewayRef = { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'wp' };
  const cases: { name: string; object: KubeObject; why: RegExp }[] = [
    { name: 'targetRefs[].namespace set, even to its own namespace', object: withSpec('ns-set', { targetRefs: [{ ...gatewayRef, namespace: 'apps' }] }), why: /spec\.targetRefs\[0\]\.namespace: is "apps": cross-namespace references are not supported/ },
    { name: 'a Service target with a namespace', object: withSpec('svc-ns', { targetRefs: [{ group: '', kind: 'Service', name: 'app', namespace: 'apps' }] }), why: /spec\.targetRefs\[0\]\.namespace/ },
    { name: 'selector next to targetRefs', object: withSpec('both', { selector: { matchLabels: { app: 'app' } } }), why: /sets selector and targetRefs; only one of selector, targetRef and targetRefs may be set/ },
    { name: 'the legacy targetRef next to targetRefs', object: withSpec('two-forms', { targetRef: gatewayRef }), why: /sets targetRef and targetRefs/ },
    { name: 'a url scheme the CRD refuses', object: withSpec('ftp', { url: 'ftp://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0' }), why: /spec\.url: .* is refused/ },
    { name: 'an empty pluginName', object: withSpec('empty-root-id', { pluginName: '' }), why: /spec\.pluginName: must not be empty/ },
    { name: 'an apiVersion the CRD does not serve', object: { ...withSpec('v1beta1', {}), apiVersion: 'extensions.istio.io/v1beta1' }, why: /apiVersion: "extensions\.istio\.io\/v1beta1" is not served/ },
  ];

  for (const c of cases) {
    test(`${c.name}: it never runs as written, so a denial it would give is no status, with the reason`, () => {
      const r = run([c.object]);
      assert.equal(r.status, null, r.text);
      assert.match(r.text, /the API server refuses this WasmPlugin as written/);
      assert.match(r.text, c.why);
      assert.match(r.text, /whether an earlier admitted version of it runs here is unknown offline/);
      // Assuming what cannot be decided lets the request through: as if it were not there.
      assert.equal(simulate(modelOf([...MESH, c.object]), { to: 'apps/app:80' }, { unsimulated: 'assume-pass' }).status, 200);
    });
  }

  test('a VM env value it refuses may be a credential: the trace names the field, never the value', () => {
    const r = run([withSpec('env', { vmConfig: { env: [{ name: 'API_TOKEN', value: 987654321 }] } })]);
    assert.equal(r.status, null);
    assert.match(r.text, /spec\.vmConfig\.env\[0\]\.value is refused, rule schema\/wasm-plugin \(its value is not shown\)/);
    assert.doesNotMatch(JSON.stringify(r), /987654321/);
  });

  test('one that would let the request through changes nothing either way', () => {
    const r = run([withSpec('ns-set', { targetRefs: [{ ...gatewayRef, namespace: 'apps' }] })], { headers: { Authorization: 'Basic b2s6dGVzdA==' } });
    assert.equal(r.status, 200);
  });

  test('on an ingress gateway too', () => {
    const p = plugin('apps', 'edge-auth', { targetRefs: toGateway('edge'), pluginConfig: basicAuthConfig('/', ['ok:test']) });
    const refused = { ...p, spec: { ...(p.spec as object), targetRefs: [{ ...gatewayRef, name: 'edge', namespace: 'apps' }] } };
    assert.equal(run([ingressGateway('apps', 'edge'), p], { via: 'apps/edge' }).status, 401);
    assert.equal(run([ingressGateway('apps', 'edge'), refused], { via: 'apps/edge' }).status, null);
  });
});

describe('which namespaces a plugin reaches a proxy from (istio-ambient-facts.md 1.6, wasm-plugin-semantics.md 4.6)', () => {
  const mesh = [service('apps', 'app', { 'istio.io/ingress-use-waypoint': 'true' }), namespace('gw'), ingressGateway('gw', 'edge'), namespace('other')];
  const deny = (ns: string, name: string, o: PluginOptions) => plugin(ns, name, { ...o, pluginConfig: basicAuthConfig('/', ['ok:test'], { realm: name }) });
  // `realm` is the plugin that answered; undefined means none of them ran.
  const cases: { name: string; object: KubeObject; via?: string; realm: string | undefined }[] = [
    { name: 'root namespace, no selector: every ingress gateway in the mesh', object: deny('istio-system', 'root-all', {}), via: 'gw/edge', realm: 'root-all' },
    { name: 'another namespace, no selector: only its own workloads', object: deny('other', 'other-all', {}), via: 'gw/edge', realm: undefined },
    { name: 'root namespace targeting a Gateway elsewhere: the Gateway\'s own namespace only', object: deny('istio-system', 'root-gw', { targetRefs: toGateway('edge') }), via: 'gw/edge', realm: undefined },
    { name: 'another namespace targeting the ingress Gateway by name', object: deny('other', 'other-gw', { targetRefs: toGateway('edge') }), via: 'gw/edge', realm: undefined },
    { name: 'root namespace targeting the waypoint Gateway by name', object: deny('istio-system', 'root-wp', { targetRefs: toGateway('wp') }), realm: undefined },
    { name: 'root namespace, no targetRefs: waypoints ignore it', object: deny('istio-system', 'root-sel', {}), realm: undefined },
    { name: "the destination Service's namespace targeting a waypoint in another namespace by Service", object: deny('apps', 'by-svc', { targetRefs: [{ kind: 'Service', name: 'app' }] }), realm: 'by-svc' },
  ];
  for (const c of cases) {
    test(`${c.name}: ${c.realm ? 'runs' : 'does not run'}`, () => {
      const r = c.via
        ? simulate(modelOf([...MESH, ...mesh, c.object]), { to: 'apps/app:80', via: c.via })
        : simulate(modelOf([namespace('apps', { 'istio.io/use-waypoint': 'wp', 'istio.io/use-waypoint-namespace': 'infra' }), waypoint('infra', 'wp', { allowedRoutes: { namespaces: { from: 'All' } } }), c.object]), { to: 'apps/app:80' });
      assert.equal(r.headers['www-authenticate']?.replace('Basic realm=', ''), c.realm, r.trace.map((e) => e.detail).join('\n'));
      assert.equal(r.status, c.realm ? 401 : 200);
    });
  }
});
