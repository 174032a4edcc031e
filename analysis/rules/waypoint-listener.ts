import type { Rule } from '../rule';
import { schemaIssuesOf } from '../schema';
import { GATEWAY_API_VERSIONS, validateGateway } from '../schema/gateway';
import { isPlainObject } from '../schema/issue';
import { WAYPOINT_CLASS } from '../gateway-classes';
import { gatewayProxyOf } from './waypoints';

const ID = 'waypoint/listener';

/**
 * Istio-only: the Gateway CRD accepts any listener, istiod then marks the
 * extras UnsupportedProtocol. istiod checks the class's controller
 * (`conversion.go`: istio.io/mesh-controller), not its name, so a waypoint
 * of a custom class needs the GatewayClasses of the target.
 */
export const waypointListener: Rule = {
  id: ID,
  severity: 'error',
  docs: {
    summary: 'A waypoint Gateway (class istio-waypoint, or any class whose GatewayClass has controller istio.io/mesh-controller) takes exactly one listener, port 15008 with protocol HBONE; Istio marks any other listener UnsupportedProtocol ("Expected a single listener on port 15008 with protocol \\"HBONE\\""), and without it the waypoint never becomes ready.',
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
  check(ctx) {
    for (const o of ctx.ofKind('Gateway')) {
      const m = o.manifest;
      if (!GATEWAY_API_VERSIONS.includes(m.apiVersion) || gatewayProxyOf(ctx, m).kind !== 'waypoint') continue;
      // The schema checks class istio-waypoint already (its issues are cached per object); another class is checked here.
      const byName = isPlainObject(m.spec) && m.spec.gatewayClassName === WAYPOINT_CLASS;
      for (const issue of byName ? schemaIssuesOf(m) : validateGateway(m, true)) {
        if (issue.rule !== ID) continue;
        ctx.report(o, { message: issue.path ? `${issue.path}: ${issue.message}` : issue.message });
      }
    }
  },
};
