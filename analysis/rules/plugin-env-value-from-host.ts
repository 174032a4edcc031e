import { schemaRule } from './schema-rule';

export const pluginEnvValueFromHost = schemaRule({
  id: 'plugin/env-value-from-host',
  severity: 'error',
  docs: {
    summary: 'An env entry with valueFrom HOST takes the proxy\'s own variable; setting value too is refused by the CRD and the webhook.',
    bad: `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: auth, namespace: shop }
spec:
  url: oci://ghcr.io/acme/auth:1.0.0
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: waypoint }]
  vmConfig:
    env: [{ name: POD_NAME, valueFrom: HOST, value: cart }]`,
    message: `spec.vmConfig.env[0]: sets value with valueFrom HOST: the value comes from the proxy's own environment, so value may only be set with INLINE`,
    fix: 'Drop value (HOST passes the proxy variable through), or use valueFrom INLINE with the value.',
  },
});
