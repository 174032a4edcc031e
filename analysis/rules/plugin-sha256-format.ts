import { schemaRule } from './schema-rule';

export const pluginSha256Format = schemaRule({
  id: 'plugin/sha256-format',
  severity: 'error',
  docs: {
    summary: 'sha256 is exactly 64 lower-case hex characters (no `sha256:` prefix); the CRD and the webhook refuse anything else.',
    bad: `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: auth, namespace: shop }
spec:
  url: oci://ghcr.io/acme/auth:1.0.0
  sha256: sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: waypoint }]`,
    message: 'spec.sha256: "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd1..." is not a sha256 digest: 64 lower-case hex characters, without a "sha256:" prefix',
    fix: 'Use the hex digest without the "sha256:" prefix.',
  },
});
