import { schemaRule } from './schema-rule';

/** Webhook-only: no CRD rule checks the kind, so offline schema validation misses it. */
export const pluginTargetKind = schemaRule({
  id: 'plugin/target-kind',
  severity: 'error',
  docs: {
    summary: 'istiod\'s webhook accepts targetRefs only to Service (core), ServiceEntry (networking.istio.io), Gateway and GatewayClass (gateway.networking.k8s.io). The CRD accepts any kind, so kubeconform-style checks miss this.',
    bad: `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: auth, namespace: shop }
spec:
  url: oci://ghcr.io/acme/auth:1.0.0
  targetRefs: [{ kind: Gateway, name: waypoint }]`,
    message: 'spec.targetRefs[0]: points at core/Gateway; istiod only accepts Service (core), ServiceEntry (networking.istio.io), Gateway and GatewayClass (gateway.networking.k8s.io); Gateway belongs to group "gateway.networking.k8s.io"',
    fix: 'Use one of the allowed group/kind pairs; a Gateway needs group gateway.networking.k8s.io.',
  },
});
