import { schemaRule } from './schema-rule';

export const pluginCrossNamespaceRef = schemaRule({
  id: 'plugin/cross-namespace-ref',
  severity: 'error',
  docs: {
    summary: 'targetRefs[].namespace must be empty: Istio does not support cross-namespace references, and the CRD refuses them.',
    bad: `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: auth, namespace: shop }
spec:
  url: oci://ghcr.io/acme/auth:1.0.0
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: waypoint, namespace: infra }]`,
    message: 'spec.targetRefs[0].namespace: is "infra": cross-namespace references are not supported, the field must be empty',
    fix: 'Put the WasmPlugin in the namespace of its target and drop the namespace field.',
  },
});
