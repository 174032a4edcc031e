import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { compileApp } from '../../compiler/synth';
import { AllowedNamespaces, BasicAuth, Credential, MeshNamespace, MeshService, PolicyApp, PolicyError, Waypoint, WaypointFor } from '../../constructs';
import { expectRequest } from '../../simulator/testing';

function gatewayOf(build: (ns: MeshNamespace) => void, nsName = 'default') {
  const app = new PolicyApp();
  build(new MeshNamespace(app, nsName));
  const objects = compileApp(app).collected.model.objects.filter((o) => o.manifest.kind === 'Gateway');
  assert.equal(objects.length, 1);
  return objects[0].manifest;
}

// `istioctl waypoint generate --for service -n default`, as checked by istio.io's doc test.
const ISTIOCTL_SERVICE = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  labels:
    istio.io/waypoint-for: service
  name: waypoint
  namespace: default
spec:
  gatewayClassName: istio-waypoint
  listeners:
  - name: mesh
    port: 15008
    protocol: HBONE
`;

test('a Waypoint is exactly what istioctl waypoint generate --for service writes', () => {
  assert.deepEqual(gatewayOf((ns) => new Waypoint(ns, 'waypoint')), parse(ISTIOCTL_SERVICE));
});

test('--name wp -n foo --for all -r canary: the same fields as istioctl', () => {
  const gw = gatewayOf((ns) => new Waypoint(ns, 'wp', { waypointFor: WaypointFor.ALL, revision: 'canary' }), 'foo');
  assert.deepEqual(gw.metadata, { name: 'wp', namespace: 'foo', labels: { 'istio.io/rev': 'canary', 'istio.io/waypoint-for': 'all' } });
});

test('waypoint-for is always written, so intent shows in git', () => {
  for (const f of Object.values(WaypointFor)) {
    const gw = gatewayOf((ns) => new Waypoint(ns, 'w', { waypointFor: f }));
    assert.equal(gw.metadata.labels?.['istio.io/waypoint-for'], f);
  }
});

test('cross-namespace admission: All, or a Selector on namespace labels', () => {
  const all = gatewayOf((ns) => new Waypoint(ns, 'w', { allowedNamespaces: AllowedNamespaces.all() }));
  assert.deepEqual((all.spec as any).listeners[0].allowedRoutes, { namespaces: { from: 'All' } });
  const sel = gatewayOf((ns) => new Waypoint(ns, 'w', { allowedNamespaces: AllowedNamespaces.named('team-a') }));
  assert.deepEqual((sel.spec as any).listeners[0].allowedRoutes, {
    namespaces: { from: 'Selector', selector: { matchLabels: { 'kubernetes.io/metadata.name': 'team-a' } } },
  });
  const same = gatewayOf((ns) => new Waypoint(ns, 'w', { allowedNamespaces: AllowedNamespaces.same() }));
  assert.equal((same.spec as any).listeners[0].allowedRoutes, undefined);
});

test('AllowedNamespaces.admits follows Same, All and Selector', () => {
  assert.equal(AllowedNamespaces.same().admits('a', 'a'), true);
  assert.equal(AllowedNamespaces.same().admits('a', 'b'), false);
  assert.equal(AllowedNamespaces.all().admits('a', 'b'), true);
  assert.equal(AllowedNamespaces.selector({ team: 'x' }).admits('a', 'b', { team: 'x' }), true);
  assert.equal(AllowedNamespaces.named('b').admits('a', 'b'), true);
  assert.equal(AllowedNamespaces.named('b').admits('a', 'c'), false);
});

test('never emits the istio-waypoint GatewayClass', () => {
  const app = new PolicyApp();
  new Waypoint(new MeshNamespace(app, 'default'), 'waypoint');
  const kinds = compileApp(app).collected.model.objects.map((o) => o.manifest.kind);
  assert.equal(kinds.includes('GatewayClass'), false);
});

test('fails on the reserved name none, with the construct path and the rule id', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'default');
  assert.throws(
    () => new Waypoint(ns, 'none'),
    (e: unknown) => {
      assert.ok(e instanceof PolicyError);
      const f = e.findings[0];
      assert.equal(f.rule, 'waypoint/reserved-name');
      assert.equal(f.path, 'default/none');
      assert.match(f.message, /'none' is a reserved value/);
      assert.match(f.source ?? '', /waypoint\.test\.ts:\d+$/);
      return true;
    },
  );
});

test('fails on a name that is not RFC 1123', () => {
  const ns = new MeshNamespace(new PolicyApp(), 'default');
  assert.throws(() => new Waypoint(ns, 'Bad_Name'), (e: any) => e.findings[0].rule === 'names/rfc1123' && /received "Bad_Name"|RFC 1123/.test(e.message));
});

test('fails outside a namespace, saying where to create it', () => {
  const app = new PolicyApp();
  assert.throws(() => new Waypoint(app, 'w'), (e: any) => e.findings[0].rule === 'scope/no-namespace' && /MeshNamespace/.test(e.findings[0].fix));
});

test('AllowedNamespaces.selector() or .named() of a value a config file left unset is refused, not read as {} (which admits every namespace)', () => {
  const config = JSON.parse('{"team": "shop"}');
  const ns = new MeshNamespace(new PolicyApp(), 'mesh');
  const refusal = (build: () => unknown) => {
    try {
      build();
    } catch (e) {
      assert.ok(e instanceof PolicyError, String(e));
      return e.message;
    }
    assert.fail('expected a PolicyError');
  };
  assert.match(refusal(() => new Waypoint(ns, 'shared', { allowedNamespaces: AllowedNamespaces.selector(config.selector) })), /props\/invalid.*AllowedNamespaces\.selector\(undefined\): a selector needs a map of labels/);
  assert.match(refusal(() => Waypoint.fromWaypointName(ns, 'theirs', { name: 'waypoint', namespace: 'infra', allowedNamespaces: AllowedNamespaces.selector(null as never) })), /AllowedNamespaces\.selector\(null\)/);
  assert.match(refusal(() => new Waypoint(ns, 'named', { allowedNamespaces: AllowedNamespaces.named(config.namespace) })), /names\/label-syntax.*"kubernetes\.io\/metadata\.name" has no value/);
  // An explicit empty map is what it says: every namespace matches it.
  new Waypoint(ns, 'open', { allowedNamespaces: AllowedNamespaces.selector({}) });
});

// A platform's own waypoint class (controller istio.io/mesh-controller): a real waypoint, its GatewayClass not ours to emit.
function customClassShop(ref = false): PolicyApp {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const wp = ref
    ? Waypoint.fromWaypointName(ns, 'shared', { name: 'shared', namespace: 'shop', gatewayClassName: 'team-waypoints' })
    : new Waypoint(ns, 'waypoint', { gatewayClassName: 'team-waypoints' });
  const cart = new MeshService(ns, 'cart', { ports: [{ port: 8080 }], useWaypoint: wp });
  new BasicAuth(ns, 'auth', {
    targets: [cart],
    rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.insecureLiteral('a:b')] }],
    acknowledge: { unpinnedModule: 'test fixture', literalCredentials: 'test fixture' },
  });
  return app;
}

test('gatewayClassName: the Gateway takes that class and says it is a waypoint class; no GatewayClass is emitted; the analysis and explain treat it as a waypoint', () => {
  const result = compileApp(customClassShop());
  assert.deepEqual(result.findings.filter((f) => f.severity === 'error'), []);
  const objects = result.collected.model.objects.map((o) => o.manifest);
  const gw = objects.find((m) => m.kind === 'Gateway')!;
  assert.equal((gw.spec as { gatewayClassName: string }).gatewayClassName, 'team-waypoints');
  assert.deepEqual(gw.metadata.annotations, { 'waypoint-policy.io/gateway-class-controller': 'istio.io/mesh-controller' });
  assert.equal(objects.some((m) => m.kind === 'GatewayClass'), false);
  expectRequest(customClassShop(), { to: 'shop/cart:8080' }).toHaveStatus(401);
  // A reference declares its class the same way.
  const refApp = compileApp(customClassShop(true));
  assert.deepEqual(refApp.findings.filter((f) => f.severity === 'error'), []);
  assert.equal(refApp.collected.model.references.find((r) => r.kind === 'Gateway')?.gatewayClassName, 'team-waypoints');
});

test('gatewayClassName: the default keeps the istioctl shape (no annotation)', () => {
  const gw = gatewayOf((ns) => new Waypoint(ns, 'waypoint', { gatewayClassName: 'istio-waypoint' }));
  assert.deepEqual(gw, parse(ISTIOCTL_SERVICE));
});

test("gatewayClassName: an Istio builtin class that is not a waypoint class, or a name that is no object name, is refused with the construct's path and a fix", () => {
  const ns = new MeshNamespace(new PolicyApp(), 'shop');
  assert.throws(
    () => new Waypoint(ns, 'waypoint', { gatewayClassName: 'istio' }),
    (e: unknown) => {
      assert.ok(e instanceof PolicyError);
      const f = e.findings[0];
      assert.equal(f.path, 'shop/waypoint');
      assert.match(f.message, /gatewayClassName 'istio' is Istio's builtin class for controller istio\.io\/gateway-controller, not a waypoint class/);
      assert.match(f.fix ?? '', /controllerName is istio\.io\/mesh-controller/);
      return true;
    },
  );
  assert.throws(() => new Waypoint(ns, 'w2', { gatewayClassName: 'Team_Waypoints' }), (e: any) => e.findings[0].rule === 'names/rfc1123' && /gatewayClassName/.test(e.message));
  assert.throws(() => Waypoint.fromWaypointName(ns, 'r', { name: 'x', namespace: 'shop', gatewayClassName: 'istio-east-west' }), (e: any) => /istio\.io\/eastwest-controller/.test(e.message));
});
