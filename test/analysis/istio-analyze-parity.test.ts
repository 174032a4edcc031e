/**
 * Hand-written manifests that istioctl analyze reports, or that Istio runs
 * differently from how the rule used to word it: what validate --manifests says.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findingsOf, manifestDir, run } from './harness';

const WAYPOINT = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: waypoint, namespace: shop }
spec:
  gatewayClassName: istio-waypoint
  listeners: [{ name: mesh, port: 15008, protocol: HBONE }]
`;
const INGRESS = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: ingress, namespace: shop }
spec:
  gatewayClassName: istio
  listeners: [{ name: http, port: 80, protocol: HTTP }]
`;
const plugin = (selector: string) => `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: stamp, namespace: shop }
spec:
  url: oci://ghcr.io/acme/stamp:1.0.0
  sha256: ${'a'.repeat(64)}
${selector}`;

async function validate(files: Record<string, string>) {
  const dir = manifestDir(files);
  const r = await run(['validate', '--manifests', dir, '--json'], dir);
  return { code: r.code, findings: findingsOf(r).map((f) => ({ rule: f.rule, severity: f.severity, message: f.message })) };
}

test('an ambient key written as an annotation is reported (IST0108): Istio reads it from labels only', async () => {
  const r = await validate({
    'a.yaml': `${WAYPOINT}---
apiVersion: v1
kind: Service
metadata:
  name: reviews
  namespace: shop
  annotations: { istio.io/use-waypoint: waypoint, istio.io/ingress-use-waypoint: "true" }
spec: { ports: [{ port: 9080 }] }
`,
  });
  assert.deepEqual(
    r.findings.filter((f) => f.rule === 'binding/label-as-annotation'),
    ['istio.io/ingress-use-waypoint=true', 'istio.io/use-waypoint=waypoint'].map((kv) => ({
      rule: 'binding/label-as-annotation',
      severity: 'warning',
      message: `Service shop/reviews has ${kv} as an annotation: Istio reads it from labels only, so it has no effect (istioctl analyze: IST0108 UnknownAnnotation)`,
    })),
  );
});

test('a plugin with no target where an ingress gateway runs it is a warning naming the gateway, not the error that says it runs nowhere but sidecars', async () => {
  const r = await validate({ 'a.yaml': `${WAYPOINT}---\n${INGRESS}---\n${plugin('')}` });
  const f = r.findings.filter((x) => x.rule === 'plugin/no-target');
  assert.deepEqual(f.map((x) => x.severity), ['warning']);
  assert.match(f[0].message, /applies to every sidecar and gateway in namespace shop \(ingress gateway ingress\) but to no waypoint, so waypoint shop\/waypoint never runs it/);
  assert.equal(r.code, 0);
  // Without the ingress gateway it is still the error.
  const alone = await validate({ 'a.yaml': `${WAYPOINT}---\n${plugin('')}` });
  assert.deepEqual(alone.findings.filter((x) => x.rule === 'plugin/no-target').map((x) => x.severity), ['error']);
});

test('an empty selector where no waypoint is near is reported as istiod does (IST0133); no selector at all is a sidecar plugin and is not', async () => {
  for (const selector of ['  selector: {}\n', '  selector: { matchLabels: {} }\n']) {
    const r = await validate({ 'a.yaml': plugin(selector) });
    assert.deepEqual(r.findings.filter((f) => f.rule === 'plugin/no-target'), [
      { rule: 'plugin/no-target', severity: 'warning', message: 'WasmPlugin shop/stamp has a selector without labels: it selects every workload in namespace shop (istioctl analyze: IST0133 SchemaWarning)' },
    ]);
  }
  const none = await validate({ 'a.yaml': plugin('') });
  assert.deepEqual(none.findings.filter((f) => f.rule === 'plugin/no-target'), []);
});

test('an annotation key the API server refuses is reported under names/label-syntax, where label keys already were', async () => {
  const r = await validate({
    'a.yaml': `apiVersion: v1
kind: Service
metadata: { name: reviews, namespace: shop, annotations: { team owner: payments, acme.io/owner: payments } }
spec: { ports: [{ port: 9080 }] }
`,
  });
  assert.deepEqual(r.findings.filter((f) => f.rule === 'names/label-syntax').map((f) => f.message), [
    `annotation key "team owner" is not a qualified name: an optional DNS-subdomain prefix and '/', then at most 63 characters of [A-Za-z0-9-_.] starting and ending alphanumeric (the API server refuses the object)`,
  ]);
});
