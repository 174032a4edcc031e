import { schemaRule } from './schema-rule';

/** Istio-only: the Gateway CRD accepts any listener, istiod then marks the extras UnsupportedProtocol. */
export const waypointListener = schemaRule({
  id: 'waypoint/listener',
  severity: 'error',
  docs: {
    summary: 'A Gateway of class istio-waypoint takes exactly one listener, port 15008 with protocol HBONE; Istio marks any other listener UnsupportedProtocol ("Expected a single listener on port 15008 with protocol \\"HBONE\\""), and without it the waypoint never becomes ready.',
    bad: `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: waypoint, namespace: shop }
spec:
  gatewayClassName: istio-waypoint
  listeners:
    - { name: mesh, port: 15008, protocol: HBONE }
    - { name: http, port: 80, protocol: HTTP }`,
    message: 'spec.listeners[1]: listener "http" (port 80, HTTP) is refused by Istio as UnsupportedProtocol: a waypoint takes a single listener on port 15008 with protocol HBONE',
    fix: 'Keep the single listener {name: mesh, port: 15008, protocol: HBONE}, as `istioctl waypoint generate` writes it.',
  },
});
