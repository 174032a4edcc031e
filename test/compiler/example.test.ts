import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { compileApp } from '../../compiler/synth';
import app from '../../policies/main';
import { loadCrdChecker } from '../support/crd-conformance';

const compiled = compileApp(app);
const objects = compiled.collected.model.objects.map((o) => o.manifest);
const byName = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);

// The three WasmPlugins exactly as the guide applies them with kubectl (namespace default), plus one
// field the guide leaves to its default: failStrategy, stated so that a takeover resets a hand-set FAIL_OPEN.
const GUIDE_PLUGINS = {
  'basic-auth-at-gateway': { gateway: 'bookinfo-gateway', prefix: '/productpage', credentials: ['ok:test', 'YWRtaW4zOmFkbWluMw=='] },
  'basic-auth-at-waypoint': { gateway: 'waypoint', prefix: '/productpage', credentials: ['ok:test', 'YWRtaW4zOmFkbWluMw=='] },
  'basic-auth-for-service': { gateway: 'reviews-svc-waypoint', prefix: '/reviews', credentials: ['ok:test', 'MXQtaW4zOmFkbWluMw=='] },
};

test('the example compiles without errors', () => {
  assert.deepEqual(compiled.findings.filter((f) => f.severity === 'error'), []);
});

for (const [name, g] of Object.entries(GUIDE_PLUGINS)) {
  test(`${name}: the guide's WasmPlugin, field for field`, () => {
    const o = byName('WasmPlugin', name);
    assert.ok(o, `${name} is emitted`);
    assert.equal(o.apiVersion, 'extensions.istio.io/v1alpha1');
    assert.equal(o.metadata.namespace, 'default');
    assert.deepEqual(o.spec, parse(`
targetRefs:
  - kind: Gateway
    group: gateway.networking.k8s.io
    name: ${g.gateway}
url: oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0
phase: AUTHN
failStrategy: FAIL_CLOSE
pluginConfig:
  basic_auth_rules:
    - prefix: "${g.prefix}"
      request_methods: ["GET", "POST"]
      credentials: ${JSON.stringify(g.credentials)}
`));
  });
}

test("the guide's waypoints, namespace enrollment and reviews label", () => {
  for (const name of ['waypoint', 'reviews-svc-waypoint']) {
    const gw = byName('Gateway', name)!;
    assert.equal((gw.spec as any).gatewayClassName, 'istio-waypoint');
    assert.equal(gw.metadata.namespace, 'default');
  }
  assert.deepEqual(byName('Namespace', 'default')!.metadata.labels, { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' });
  assert.deepEqual(byName('Service', 'reviews')!.metadata.labels, { 'istio.io/use-waypoint': 'reviews-svc-waypoint' });
  // bookinfo-gateway belongs to the app team: referenced, never emitted.
  assert.equal(byName('Gateway', 'bookinfo-gateway'), undefined);
  assert.ok(compiled.collected.model.references.some((r) => r.kind === 'Gateway' && r.name === 'bookinfo-gateway'));
});

test('every emitted WasmPlugin and Gateway conforms to the real CRDs, CEL rules included', () => {
  const checker = loadCrdChecker();
  // Check the files as written (with GitOps metadata), parsed back from dist text.
  let checked = 0;
  for (const [file, text] of compiled.files) {
    const obj = parse(text);
    if (obj?.kind !== 'WasmPlugin' && obj?.kind !== 'Gateway') continue;
    assert.deepEqual(checker.check(obj), [], file);
    checked++;
  }
  assert.equal(checked, 5);
});
