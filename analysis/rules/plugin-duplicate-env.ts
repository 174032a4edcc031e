import { schemaRule } from './schema-rule';

export const pluginDuplicateEnv = schemaRule({
  id: 'plugin/duplicate-env',
  severity: 'error',
  docs: {
    summary: 'vmConfig.env names must be unique (a list keyed by name in the CRD, and istiod\'s webhook says "duplicate env").',
    bad: `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: auth, namespace: shop }
spec:
  url: oci://ghcr.io/acme/auth:1.0.0
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: waypoint }]
  vmConfig:
    env: [{ name: MODE, value: strict }, { name: MODE, value: lax }]`,
    message: 'spec.vmConfig.env[1]: duplicate name "MODE" (also at spec.vmConfig.env[0]); entries must be unique by name',
    fix: 'Keep one entry per variable name.',
  },
});
