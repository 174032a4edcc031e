import { schemaRule } from './schema-rule';

export const pluginUrlScheme = schemaRule({
  id: 'plugin/url-scheme',
  severity: 'error',
  docs: {
    summary: 'The module url must parse with scheme oci, https, http or file (none means oci). A registry with a port and no scheme (`ghcr.io:5000/x`) reads as scheme "ghcr.io" and is refused.',
    bad: `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: auth, namespace: shop }
spec:
  url: registry.local:5000/wasm/auth:1.0.0
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: waypoint }]`,
    message: 'spec.url: "registry.local:5000/wasm/auth:1.0.0" is refused: Istio reads "registry.local" as its scheme, which is not one of oci://, https://, http://, file:// (a registry port needs an explicit oci:// in front)',
    fix: 'Write the scheme explicitly, e.g. oci://registry.local:5000/wasm/auth:1.0.0.',
  },
});
