import type { Rule } from '../rule';
import { TRAFFIC_TYPES, WAYPOINT_FOR } from './waypoints';

export const waypointUnknownTrafficType: Rule = {
  id: 'waypoint/unknown-traffic-type',
  severity: 'error',
  docs: {
    summary: 'istio.io/waypoint-for on a waypoint Gateway (of any class: istiod binds to every Gateway) or a GatewayClass must be service, workload, all or none; istiod does not validate it and treats any other value as none, so the waypoint takes no traffic.',
    bad: `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: waypoint
  namespace: shop
  labels: { istio.io/waypoint-for: services }
spec:
  gatewayClassName: istio-waypoint
  listeners: [{ name: mesh, port: 15008, protocol: HBONE }]`,
    message: 'istio.io/waypoint-for is "services", which istiod treats as none: the waypoint takes no traffic, and everything bound to it bypasses it',
    fix: 'Use one of service, workload, all, none.',
  },
  check(ctx) {
    for (const o of [...ctx.ofKind('Gateway'), ...ctx.ofKind('GatewayClass')]) {
      // istiod reads the label on every Gateway it binds to, and on its GatewayClass, whatever the class.
      const value = o.manifest.metadata.labels?.[WAYPOINT_FOR];
      if (value === undefined || (TRAFFIC_TYPES as readonly string[]).includes(value)) continue;
      ctx.report(o, {
        message: `${WAYPOINT_FOR} is ${JSON.stringify(value)}, which istiod treats as none: the waypoint takes no traffic, and everything bound to it bypasses it`,
      });
    }
  },
};
