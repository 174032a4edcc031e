import { schemaRule } from './schema-rule';

/** Types, enums, patterns, lengths and unknown fields of a WasmPlugin, as the CRD checks them. */
export const schemaWasmPlugin = schemaRule({
  id: 'schema/wasm-plugin',
  severity: 'error',
  docs: {
    summary: 'A WasmPlugin must match the CRD schema (types, enums, lengths, int32 priority, no unknown fields): the API server refuses it otherwise, and GitOps sync fails.',
    bad: `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: auth, namespace: shop }
spec:
  url: oci://ghcr.io/acme/auth:1.0.0
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: waypoint }]
  phase: AUTHENTICATION`,
    message: 'spec.phase: "AUTHENTICATION" is not one of UNSPECIFIED_PHASE, AUTHN, AUTHZ, STATS',
    fix: 'Correct the field as the message says; the CRD reference is at https://istio.io/latest/docs/reference/config/proxy_extensions/wasm-plugin/.',
  },
});
