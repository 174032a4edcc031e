import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findingsOf, freshDir, manifestDir, run } from './harness';

const plugin = (namespace: string) => `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: auth, namespace: ${namespace} }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: ingress }]
  url: oci://ghcr.io/acme/auth:1.0.0
  sha256: ${'0'.repeat(64)}
`;

const gateway = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: ingress, namespace: infra }
spec:
  gatewayClassName: istio
  listeners: [{ name: http, port: 80, protocol: HTTP }]
`;

test('reading manifests, a target found nowhere may be another team\'s: a warning whose fix says so', async () => {
  const r = await run(['validate', '--manifests', manifestDir({ 'p.yaml': plugin('shop') }), '--json'], freshDir());
  const f = findingsOf(r).find((x) => x.rule === 'plugin/unresolved-target');
  assert.ok(f, r.text);
  assert.equal(f.severity, 'warning');
  assert.equal(f.fix, "If Gateway ingress exists in namespace shop in the cluster (another team's), nothing is wrong; otherwise correct the name or create it there.");
});

test('a target found in another namespace keeps the fix about namespaces', async () => {
  const r = await run(['validate', '--manifests', manifestDir({ 'p.yaml': plugin('shop'), 'g.yaml': gateway }), '--json'], freshDir());
  const f = findingsOf(r).find((x) => x.rule === 'plugin/unresolved-target');
  assert.ok(f, r.text);
  assert.match(f.message, /there is one in infra/);
  assert.match(f.fix ?? '', /Create the WasmPlugin in the target's namespace/);
});
