/**
 * Which waypoint a request crosses, by istiod's binding rules
 * (istio-ambient-facts.md section 3): each case puts a denying basic_auth
 * plugin on every waypoint, so 401 means "went through that waypoint" and the
 * realm says which one; 200 means no waypoint.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../compiler/model';
import { simulate, SimulateOptions } from '../../simulator/simulate';
import type { SimRequest } from '../../simulator/request';
import { basicAuthConfig, ingressGateway, modelOf, namespace, plugin, service, toGateway, waypoint } from './fixtures';

/** A waypoint plus a plugin on it whose 401 names the waypoint in its realm. */
function guarded(ns: string, name: string, options: Parameters<typeof waypoint>[2] = {}): KubeObject[] {
  return [waypoint(ns, name, options), plugin(ns, `auth-${name}`, { targetRefs: toGateway(name), phase: 'AUTHN', pluginConfig: basicAuthConfig('/', ['ok:test'], { realm: name }) })];
}

function through(objects: KubeObject[], request: Partial<SimRequest> = {}, options: SimulateOptions = {}) {
  const r = simulate(modelOf(objects), { to: 'apps/app:80', ...request }, options);
  const realm = r.headers['www-authenticate']?.replace('Basic realm=', '');
  return { status: r.status, via: r.status === 401 ? realm : r.status === 200 ? 'none' : 'unknown', trace: r.trace.map((e) => e.detail).join('\n'), result: r };
}

describe('use-waypoint labels', () => {
  test('the Service label wins over the Namespace label', () => {
    const r = through([namespace('apps', { 'istio.io/use-waypoint': 'ns-wp' }), service('apps', 'app', { 'istio.io/use-waypoint': 'svc-wp' }), ...guarded('apps', 'ns-wp'), ...guarded('apps', 'svc-wp')]);
    assert.equal(r.via, 'svc-wp');
    assert.match(r.trace, /the Service label wins over the Namespace's istio.io\/use-waypoint=ns-wp/);
  });

  test('without a Service label the Namespace label applies', () => {
    assert.equal(through([namespace('apps', { 'istio.io/use-waypoint': 'ns-wp' }), ...guarded('apps', 'ns-wp')]).via, 'ns-wp');
  });

  test('use-waypoint-namespace points at a waypoint in another namespace', () => {
    const r = through([
      namespace('apps', { 'istio.io/use-waypoint': 'shared', 'istio.io/use-waypoint-namespace': 'infra' }),
      ...guarded('infra', 'shared', { allowedRoutes: { namespaces: { from: 'All' } } }),
    ]);
    assert.equal(r.via, 'shared');
  });

  test('"none" on the Service opts out even when the Namespace names a waypoint', () => {
    const r = through([namespace('apps', { 'istio.io/use-waypoint': 'ns-wp' }), service('apps', 'app', { 'istio.io/use-waypoint': 'none' }), ...guarded('apps', 'ns-wp')]);
    assert.equal(r.via, 'none');
    assert.match(r.trace, /opted out of any waypoint/);
  });

  test('"none" on the Namespace means no waypoint', () => {
    assert.equal(through([namespace('apps', { 'istio.io/use-waypoint': 'none' }), ...guarded('apps', 'waypoint')]).via, 'none');
  });

  test('an empty Service label is present, not unset: no waypoint, and no fallback to the Namespace\'s (even when unlisted waypoints are assumed present)', () => {
    const cases: Record<string, string>[] = [{ 'istio.io/use-waypoint': '' }, { 'istio.io/use-waypoint': 'ns-wp', 'istio.io/use-waypoint-namespace': '' }];
    for (const labels of cases) {
      const r = through([namespace('apps', { 'istio.io/use-waypoint': 'ns-wp' }), service('apps', 'app', labels), ...guarded('apps', 'ns-wp')], {}, { unlistedWaypoints: 'assume-present' });
      assert.equal(r.via, 'none', r.trace);
      assert.match(r.trace, /the waypoint label is empty, and no Gateway has an empty (name|namespace) => no waypoint \(WaypointIsNotReady\); no fallback to ns-wp, the Namespace's waypoint/);
    }
  });

  test('a label naming what no Gateway can be named is a missing waypoint, even when unlisted waypoints are assumed present: no fallback, fails open', () => {
    // Label values allow upper case, '_' and 63 characters; object names are lower-case RFC 1123.
    const cases: { labels: Record<string, string>; why: RegExp }[] = [
      { labels: { 'istio.io/use-waypoint': 'Shared-WP' }, why: /no Gateway can have the name "Shared-WP"/ },
      { labels: { 'istio.io/use-waypoint': 'shared_wp' }, why: /no Gateway can have the name "shared_wp"/ },
      { labels: { 'istio.io/use-waypoint': 'shared', 'istio.io/use-waypoint-namespace': 'Infra' }, why: /no Gateway can have the namespace "Infra"/ },
    ];
    for (const c of cases) {
      const svcAuth = plugin('apps', 'svc-auth', { targetRefs: [{ kind: 'Service', name: 'app' }], pluginConfig: basicAuthConfig('/', ['ok:test'], { realm: 'svc' }) });
      const r = through([namespace('apps', { 'istio.io/use-waypoint': 'ns-wp' }), service('apps', 'app', c.labels), ...guarded('apps', 'ns-wp'), svcAuth], {}, { unlistedWaypoints: 'assume-present' });
      assert.equal(r.via, 'none', r.trace);
      assert.match(r.trace, c.why);
      assert.match(r.trace, /=> no waypoint \(WaypointIsNotReady\); no fallback to ns-wp, the Namespace's waypoint/);
    }
  });

  test('no label anywhere means no waypoint', () => {
    const r = through([namespace('apps'), ...guarded('apps', 'waypoint')]);
    assert.equal(r.via, 'none');
    assert.deepEqual(r.result.hops, []);
  });

  test('a Service absent from the manifests is assumed to exist without labels, and the trace says so', () => {
    const r = through([namespace('apps', { 'istio.io/use-waypoint': 'ns-wp' }), ...guarded('apps', 'ns-wp')]);
    assert.equal(r.via, 'ns-wp');
    assert.match(r.trace, /Service apps\/app is not in the manifests: assumed to exist without labels/);
    assert.equal(r.result.trace.some((e) => e.step === 'assumption'), true);
  });
});

describe('no fallback when the named waypoint cannot be used', () => {
  const base = [namespace('apps', { 'istio.io/use-waypoint': 'ns-wp' }), ...guarded('apps', 'ns-wp')];

  test('a missing waypoint means no waypoint, not the namespace waypoint (WaypointIsNotReady)', () => {
    const r = through([...base, service('apps', 'app', { 'istio.io/use-waypoint': 'ghost' })], {}, { unlistedWaypoints: 'missing' });
    assert.equal(r.via, 'none');
    assert.match(r.trace, /WaypointIsNotReady/);
    assert.match(r.trace, /no fallback to ns-wp, the Namespace's waypoint/);
    assert.match(r.trace, /fails open/);
  });

  describe('istiod binds use-waypoint to a Gateway of any class; what then runs depends on its controller', () => {
    const gatewayClass = (name: string, controllerName: string): KubeObject => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name }, spec: { controllerName } });
    const svcAuth = plugin('apps', 'svc-auth', { targetRefs: [{ kind: 'Service', name: 'app' }], phase: 'AUTHN', pluginConfig: basicAuthConfig('/', ['ok:test'], { realm: 'svc' }) });
    const onEdge = plugin('apps', 'edge-auth', { targetRefs: toGateway('edge'), phase: 'AUTHN', pluginConfig: basicAuthConfig('/', ['ok:test'], { realm: 'edge' }) });
    const bound = service('apps', 'app', { 'istio.io/use-waypoint': 'edge' });

    test('a class istio Gateway (gateway sandwich) binds: its own Gateway-targeted plugins run, Service-targeted ones never attach', () => {
      const r = through([...base, bound, ingressGateway('apps', 'edge'), onEdge, svcAuth]);
      assert.equal(r.via, 'edge', r.trace);
      assert.match(r.trace, /WaypointAccepted/);
      assert.match(r.trace, /plugins targeting the Service never attach there/);
      assert.doesNotMatch(r.trace, /WasmPlugin apps\/svc-auth[^\n]*applies/);
      // Only a Service-targeted plugin: nothing checks the request on that Gateway.
      assert.equal(through([...base, bound, ingressGateway('apps', 'edge'), svcAuth]).status, 200);
    });

    test('a custom class whose GatewayClass has controller istio.io/mesh-controller is a waypoint proxy: Service-targeted plugins run', () => {
      const r = through([...base, bound, waypoint('apps', 'edge', { className: 'team-waypoints' }), gatewayClass('team-waypoints', 'istio.io/mesh-controller'), svcAuth]);
      assert.equal(r.via, 'svc', r.trace);
    });

    test('a Gateway the Waypoint construct declared of a waypoint class is a waypoint proxy without its GatewayClass', () => {
      const gw = waypoint('apps', 'edge', { className: 'team-waypoints' });
      gw.metadata.annotations = { 'waypoint-policy.io/gateway-class-controller': 'istio.io/mesh-controller' };
      assert.equal(through([...base, bound, gw, svcAuth]).via, 'svc');
    });

    test('a third-party waypoint (kgateway) binds, and the outcome is undetermined rather than a guess', () => {
      const r = through([...base, bound, waypoint('apps', 'edge', { className: 'kgateway-waypoint' }), gatewayClass('kgateway-waypoint', 'kgateway.dev/kgateway'), svcAuth]);
      assert.equal(r.status, null, r.trace);
      assert.match(r.result.reason, /undetermined: .*a proxy of another controller.*kgateway\.dev\/kgateway/);
    });

    test("a request entering through another controller's Gateway (kgateway) is undetermined there: Istio's WasmPlugins targeting it are not run as if istiod programmed it", () => {
      const objects = [...base, service('apps', 'app'), waypoint('apps', 'edge', { className: 'kgateway' }), gatewayClass('kgateway', 'kgateway.dev/kgateway'), onEdge];
      const r = through(objects, { via: 'apps/edge' });
      assert.equal(r.status, null, r.trace);
      assert.match(r.result.reason, /undetermined: the ingress gateway apps\/edge is not an Istio proxy this simulator models \(a proxy of another controller/);
      assert.doesNotMatch(r.trace, /WasmPlugin apps\/edge-auth => deny/);
      assert.equal(through(objects, { via: 'apps/edge' }, { unsimulated: 'assume-pass' }).status, 200);
    });

    test('a class neither builtin nor in the manifests binds, and the outcome is undetermined', () => {
      const r = through([...base, bound, waypoint('apps', 'edge', { className: 'mystery' }), svcAuth]);
      assert.equal(r.status, null, r.trace);
      assert.match(r.result.reason, /class mystery: neither an Istio builtin class nor a GatewayClass/);
    });
  });

  test("in manifests we did not write, another team's waypoint is assumed present, and the trace says so", () => {
    const r = through([
      namespace('apps'),
      service('apps', 'app', { 'istio.io/use-waypoint': 'shared' }),
      plugin('apps', 'auth', { targetRefs: [{ kind: 'Service', name: 'app' }], pluginConfig: basicAuthConfig('/', ['ok:test'], { realm: 'svc' }) }),
    ]);
    assert.equal(r.via, 'svc');
    assert.match(r.trace, /waypoint apps\/shared is not in the manifests: assumed to exist/);
  });

  test("another team's waypoint in another namespace, absent from the manifests: whether it admits ours is unknown (its allowedRoutes default to Same), so no status", () => {
    const svcAuth = plugin('apps', 'svc-auth', { targetRefs: [{ kind: 'Service', name: 'app' }], pluginConfig: basicAuthConfig('/', ['ok:test'], { realm: 'svc' }) });
    const r = through([namespace('apps'), service('apps', 'app', { 'istio.io/use-waypoint': 'shared', 'istio.io/use-waypoint-namespace': 'infra' }), svcAuth]);
    assert.equal(r.status, null, r.trace);
    assert.match(r.trace, /waypoint infra\/shared is not in the manifests, so its allowedRoutes are unknown: it admits namespace apps only with from All or a Selector that matches it \(the default, Same, does not\)/);
    assert.match(r.result.reason, /whether the Service binds to its waypoint is not decided by the manifests/);
  });

  test('a waypoint Gateway the API server refuses as written is never created: whether the Service binds (to an earlier admitted version) is unknown', () => {
    const twice = waypoint('apps', 'svc-wp');
    (twice.spec as { listeners: unknown[] }).listeners.push({ name: 'mesh', port: 15008, protocol: 'HBONE' });
    const none = waypoint('apps', 'svc-wp');
    (none.spec as { listeners: unknown[] }).listeners = [];
    for (const [gw, why] of [[twice, /duplicate name "mesh"/], [none, /spec\.listeners: must have at least 1 item/]] as const) {
      const r = through([...base, service('apps', 'app', { 'istio.io/use-waypoint': 'svc-wp' }), gw, plugin('apps', 'auth-svc-wp', { targetRefs: toGateway('svc-wp'), pluginConfig: basicAuthConfig('/', ['ok:test'], { realm: 'svc-wp' }) })]);
      assert.equal(r.status, null, r.trace);
      assert.match(r.trace, /the API server refuses waypoint Gateway apps\/svc-wp as written/);
      assert.match(r.trace, why);
    }
  });

  test('a workload-only waypoint named by the Service: no waypoint, no fallback (UnsupportedTrafficType)', () => {
    const r = through([...base, service('apps', 'app', { 'istio.io/use-waypoint': 'pods' }), ...guarded('apps', 'pods', { waypointFor: 'workload' })]);
    assert.equal(r.via, 'none');
    assert.match(r.trace, /UnsupportedTrafficType/);
    assert.match(r.trace, /no fallback to ns-wp, the Namespace's waypoint/);
  });

  test('a workload-only waypoint named by the Namespace: no waypoint for Service traffic', () => {
    assert.equal(through([namespace('apps', { 'istio.io/use-waypoint': 'pods' }), ...guarded('apps', 'pods', { waypointFor: 'workload' })]).via, 'none');
  });

  test('waypoint-for all takes service traffic; an unknown value behaves like none', () => {
    assert.equal(through([namespace('apps', { 'istio.io/use-waypoint': 'wp' }), ...guarded('apps', 'wp', { waypointFor: 'all' })]).via, 'wp');
    assert.equal(through([namespace('apps', { 'istio.io/use-waypoint': 'wp' }), ...guarded('apps', 'wp', { waypointFor: 'services' })]).via, 'none');
  });

  test('without a waypoint-for label, the GatewayClass label decides, then the default "service"', () => {
    const cls = (label: string): KubeObject => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'istio-waypoint', labels: { 'istio.io/waypoint-for': label } } });
    const ns = namespace('apps', { 'istio.io/use-waypoint': 'wp' });
    assert.equal(through([ns, ...guarded('apps', 'wp')]).via, 'wp');
    assert.equal(through([ns, cls('workload'), ...guarded('apps', 'wp')]).via, 'none');
    assert.equal(through([ns, cls('workload'), ...guarded('apps', 'wp', { waypointFor: 'service' })]).via, 'wp');
  });
});

describe('allowedRoutes for a waypoint in another namespace', () => {
  const consumer = namespace('apps', { 'istio.io/use-waypoint': 'shared', 'istio.io/use-waypoint-namespace': 'infra', team: 'a' });

  test('the default (Same) denies other namespaces: AttachmentDenied, no waypoint', () => {
    const r = through([consumer, ...guarded('infra', 'shared')]);
    assert.equal(r.via, 'none');
    assert.match(r.trace, /admits only its own namespace/);
    assert.match(r.trace, /AttachmentDenied/);
  });

  test('Selector on kubernetes.io/metadata.name admits the named namespace only', () => {
    const named = (ns: string) => ({ namespaces: { from: 'Selector', selector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } } });
    assert.equal(through([consumer, ...guarded('infra', 'shared', { allowedRoutes: named('apps') })]).via, 'shared');
    assert.equal(through([consumer, ...guarded('infra', 'shared', { allowedRoutes: named('other') })]).via, 'none');
  });

  test('Selector matches the Namespace labels, including matchExpressions', () => {
    const expr = (operator: string, values?: string[]) => ({ namespaces: { from: 'Selector', selector: { matchExpressions: [{ key: 'team', operator, values }] } } });
    assert.equal(through([consumer, ...guarded('infra', 'shared', { allowedRoutes: expr('In', ['a', 'b']) })]).via, 'shared');
    assert.equal(through([consumer, ...guarded('infra', 'shared', { allowedRoutes: expr('NotIn', ['a']) })]).via, 'none');
    assert.equal(through([consumer, ...guarded('infra', 'shared', { allowedRoutes: expr('Exists') })]).via, 'shared');
  });

  test("a selector on labels another team's Namespace may carry is undetermined, not denied", () => {
    const teamSelector = { namespaces: { from: 'Selector', selector: { matchLabels: { tier: 'gold' } } } };
    const m = modelOf([consumer, ...guarded('infra', 'shared', { allowedRoutes: teamSelector })]);
    const labelOnly = { ...m, objects: m.objects.map((o) => (o.manifest.kind === 'Namespace' ? { ...o, ownership: 'external' as const } : o)) };
    const r = simulate(labelOnly, { to: 'apps/app:80' });
    assert.equal(r.status, null);
    assert.match(r.trace.map((e) => e.detail).join('\n'), /reads label\(s\) tier of namespace apps, which another team owns/);
    // The same selector against a Namespace this repo owns (all its labels known) is a denial.
    assert.equal(simulate(m, { to: 'apps/app:80' }).status, 200);
  });

  test('All admits every namespace', () => {
    assert.equal(through([consumer, ...guarded('infra', 'shared', { allowedRoutes: { namespaces: { from: 'All' } } })]).via, 'shared');
  });

  // istio-ambient-facts.md §2.3: cross-namespace use is governed by "the first listener with port
  // 15008 and protocol HBONE, or the listener bound by the ambient.istio.io/waypoint-inbound-binding
  // annotation" (Gateway, else GatewayClass, §3.1). The bound listener's allowedRoutes may deny what
  // the HBONE listener's admit: reading the HBONE one alone promised a waypoint that may not bind.
  test('an inbound-binding annotation (on the Gateway or its GatewayClass) makes the binding undetermined, not the HBONE listener\'s answer', () => {
    const [gw, auth] = guarded('infra', 'shared', { allowedRoutes: { namespaces: { from: 'All' } } });
    const spec = gw.spec as { listeners: unknown[] };
    const proxyListener = { name: 'proxy', port: 15088, protocol: 'istio.io/PROXY' };
    const annotated = { ...gw, metadata: { ...gw.metadata, annotations: { 'ambient.istio.io/waypoint-inbound-binding': 'PROXY/15088' } }, spec: { ...spec, listeners: [...spec.listeners, proxyListener] } };
    const r = through([consumer, annotated, auth]);
    assert.equal(r.status, null);
    assert.match(r.trace, /the Gateway has annotation ambient\.istio\.io\/waypoint-inbound-binding/);

    const cls = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'istio-waypoint', annotations: { 'ambient.istio.io/waypoint-inbound-binding': 'PROXY/15088' } }, spec: { controllerName: 'istio.io/mesh-controller' } };
    const byClass = through([consumer, cls, { ...gw, spec: annotated.spec }, auth]);
    assert.equal(byClass.status, null);
    assert.match(byClass.trace, /its GatewayClass istio-waypoint has annotation/);
    // Without the annotation the HBONE listener decides, as before.
    assert.equal(through([consumer, { ...gw, spec: annotated.spec }, auth]).via, 'shared');
  });
});

describe('traffic from an ingress gateway', () => {
  const objects = (nsLabels: Record<string, string>, svcLabels: Record<string, string> = {}) => [
    namespace('apps', { 'istio.io/use-waypoint': 'wp', ...nsLabels }),
    service('apps', 'app', svcLabels),
    ...guarded('apps', 'wp'),
    ingressGateway('apps', 'edge'),
  ];
  const via = { via: 'apps/edge' };

  test('without ingress-use-waypoint, ingress traffic goes straight to the Service, skipping the waypoint', () => {
    const r = through(objects({}), via);
    assert.equal(r.via, 'none');
    assert.deepEqual(r.result.hops.map((h) => h.kind), ['ingress']);
    assert.match(r.trace, /skipping the waypoint/);
  });

  test('ingress-use-waypoint=true on the Namespace sends it through the waypoint', () => {
    const r = through(objects({ 'istio.io/ingress-use-waypoint': 'true' }), via);
    assert.equal(r.via, 'wp');
    assert.deepEqual(r.result.hops.map((h) => h.kind), ['ingress', 'waypoint']);
  });

  test('the Service label wins over the Namespace label', () => {
    assert.equal(through(objects({ 'istio.io/ingress-use-waypoint': 'true' }, { 'istio.io/ingress-use-waypoint': 'false' }), via).via, 'none');
    assert.equal(through(objects({ 'istio.io/ingress-use-waypoint': 'false' }, { 'istio.io/ingress-use-waypoint': 'true' }), via).via, 'wp');
  });

  test("values are parsed like Go's ParseBool: 1 and T are true, an invalid value is false", () => {
    assert.equal(through(objects({ 'istio.io/ingress-use-waypoint': '1' }), via).via, 'wp');
    assert.equal(through(objects({ 'istio.io/ingress-use-waypoint': 'T' }), via).via, 'wp');
    const invalid = through(objects({ 'istio.io/ingress-use-waypoint': 'yes' }), via);
    assert.equal(invalid.via, 'none');
    assert.match(invalid.trace, /is not a boolean \(Go ParseBool\)/);
  });

  // istio-ambient-facts.md §3.5: ingress gateways route through the waypoint only
  // with ingress-use-waypoint=true; otherwise they send the request straight to
  // the Service, so a binding the manifests leave open cannot change the answer.
  test('without ingress-use-waypoint, a binding the manifests do not decide still gives the ingress answer', () => {
    // Another team's waypoint in another namespace: its allowedRoutes are unknown (binding undetermined).
    const crossNs = [namespace('apps', { 'istio.io/use-waypoint': 'wp', 'istio.io/use-waypoint-namespace': 'infra' }), service('apps', 'app'), ingressGateway('apps', 'edge')];
    const r = through(crossNs, via);
    assert.equal(r.status, 200);
    assert.deepEqual(r.result.hops.map((h) => h.kind), ['ingress']);
    assert.match(r.trace, /skipping the waypoint/);
    // From inside the mesh the same binding is still undecided.
    assert.equal(through(crossNs).status, null);
    // And through the gateway when it does use the waypoint.
    const uses = [namespace('apps', { 'istio.io/use-waypoint': 'wp', 'istio.io/use-waypoint-namespace': 'infra', 'istio.io/ingress-use-waypoint': 'true' }), service('apps', 'app'), ingressGateway('apps', 'edge')];
    assert.equal(through(uses, via).status, null);
  });

  test('traffic from inside the mesh uses the waypoint whatever ingress-use-waypoint says', () => {
    assert.equal(through(objects({ 'istio.io/ingress-use-waypoint': 'false' })).via, 'wp');
  });

  test('an ingress Gateway absent from the manifests is assumed to exist, and the trace says so', () => {
    const r = through([namespace('apps')], { via: 'apps/other-team-gw' });
    assert.equal(r.status, 200);
    assert.match(r.trace, /Gateway apps\/other-team-gw is not in the manifests: assumed/);
  });

  test('via must name an ingress gateway, not a waypoint', () => {
    assert.throws(() => through(objects({}), { via: 'apps/wp' }), { name: 'SimulationError', message: /is a waypoint, not an ingress gateway/ });
  });
});

describe('ports and targets', () => {
  test('a port the Service does not have gives no status, with the reason', () => {
    const r = through([namespace('apps'), service('apps', 'app', {}, [9080])], { to: 'apps/app:8080' });
    assert.equal(r.status, null);
    assert.match(r.result.reason, /has no port 8080 \(ports: 9080\)/);
  });

  test('the Service\'s only port is the default, and lands in the default authority', () => {
    const r = through([namespace('apps'), service('apps', 'app', {}, [9080])], { to: 'apps/app' });
    assert.match(r.result.trace[0].detail, /authority "app\.apps\.svc\.cluster\.local:9080" \(default\)/);
  });

  test('several targets need a choice; an unknown one is named', () => {
    const m = modelOf([namespace('apps')]);
    const two = { ...m, objects: [...m.objects, ...modelOf([namespace('apps')], { target: 'prod' }).objects] };
    assert.throws(() => simulate(two, { to: 'apps/app' }), { name: 'SimulationError', message: /several targets \(prod, test\)/ });
    assert.equal(simulate(two, { to: 'apps/app', target: 'prod' }).target, 'prod');
    assert.throws(() => simulate(two, { to: 'apps/app', target: 'staging' }), { message: /target "staging" is not in the manifests; targets: prod, test/ });
  });
});

describe("a waypoint's own Service never gets a waypoint (istio-ambient-facts.md 3.2 step 4, 2.3)", () => {
  // istiod names a waypoint's Service exactly after its Gateway (no class suffix) and
  // labels it gateway.istio.io/managed=istio.io-mesh-controller.
  const nsWaypoint = [namespace('apps', { 'istio.io/use-waypoint': 'wp' }), ...guarded('apps', 'wp')];
  const cases: { name: string; objects: KubeObject[]; to: string }[] = [
    { name: 'the Service named after a waypoint Gateway of its namespace', objects: nsWaypoint, to: 'apps/wp:15008' },
    { name: 'a Service labelled as managed by the mesh controller', objects: [...nsWaypoint, service('apps', 'other-wp', { 'gateway.istio.io/managed': 'istio.io-mesh-controller' })], to: 'apps/other-wp:15008' },
  ];
  for (const c of cases) {
    test(`${c.name}: not bound to the namespace waypoint, and what the waypoint itself answers is not guessed`, () => {
      const r = through(c.objects, { to: c.to });
      assert.equal(r.status, null, r.trace);
      assert.deepEqual(r.result.hops, []);
      assert.match(r.trace, /it never gets a waypoint/);
      assert.match(r.result.reason, /is a waypoint's own Service: what the waypoint proxy answers to a request addressed to it is not simulated/);
    });
  }

  test('a Service that only shares a waypoint\'s name in another namespace binds as usual', () => {
    assert.equal(through([...nsWaypoint, namespace('infra'), waypoint('infra', 'app')]).via, 'wp');
  });
});

describe('the destination Namespace\'s ambient enrolment does not decide the binding (istio-ambient-facts.md 3.2, 3.4)', () => {
  // istiod binds a Service to its waypoint from the use-waypoint labels alone; enrolment
  // (istio.io/dataplane-mode) decides which pods ztunnel captures, and the client here is
  // a captured ambient workload, whose ztunnel sends Service traffic to the waypoint.
  const cases: { name: string; labels: Record<string, string> }[] = [
    { name: 'enrolled (ambient)', labels: { 'istio.io/dataplane-mode': 'ambient' } },
    { name: 'not labelled', labels: {} },
    { name: 'out of the mesh (none)', labels: { 'istio.io/dataplane-mode': 'none' } },
  ];
  for (const c of cases) {
    test(`${c.name}: a mesh client's request still crosses the Service's waypoint`, () => {
      assert.equal(through([namespace('apps', { 'istio.io/use-waypoint': 'wp', ...c.labels }), ...guarded('apps', 'wp')]).via, 'wp');
    });
  }
});
