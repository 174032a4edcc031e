import type { Rule } from '../rule';
import { isPlainObject } from '../schema/issue';
import { bindingSubjects, lookupWaypoint, useWaypointOf } from './waypoints';

const DATAPLANE_MODE = 'istio.io/dataplane-mode';

/**
 * ztunnel sends the traffic of a Service bound to a waypoint over HBONE to
 * the waypoint's port 15008 (ztunnel 1.30.3 `build_request`,
 * `hbone_mtls_port`), whatever the Gateway's class. An Istio gateway of
 * another class takes that tunnel only through its node's ztunnel, so only
 * when its pods are enrolled in ambient; istiod labels them
 * `istio.io/dataplane-mode: none` unless the Gateway itself or its
 * `spec.infrastructure.labels` set the label (`setLabelOverrides`).
 */
function enrolled(gateway: { metadata: { labels?: Record<string, string> }; spec?: unknown }): boolean {
  if (gateway.metadata.labels?.[DATAPLANE_MODE] === 'ambient') return true;
  const spec = gateway.spec;
  // istiod leaves a class whose name holds "waypoint" or "east-west" to its namespace's enrollment, which may well be ambient.
  const className = isPlainObject(spec) && typeof spec.gatewayClassName === 'string' ? spec.gatewayClassName : '';
  if (className.includes('waypoint') || className.includes('east-west')) return true;
  const infra = isPlainObject(spec) && isPlainObject(spec.infrastructure) && isPlainObject(spec.infrastructure.labels) ? spec.infrastructure.labels : undefined;
  return infra?.[DATAPLANE_MODE] === 'ambient';
}

export const bindingGatewayNotEnrolled: Rule = {
  id: 'binding/gateway-not-enrolled',
  severity: 'warning',
  docs: {
    summary:
      "istio.io/use-waypoint may name an Istio gateway of another class (a gateway sandwich), but ztunnel sends the traffic over HBONE to the gateway's port 15008, which the gateway takes only through its node's ztunnel: its pods must be enrolled in ambient (`istio.io/dataplane-mode: ambient` on the Gateway or in `spec.infrastructure.labels`). istiod labels other gateways' pods `istio.io/dataplane-mode: none`, so without it the tunnel is refused and the requests fail.",
    bad: `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: edge, namespace: shop }
spec:
  gatewayClassName: istio
  listeners: [{ name: http, port: 80, protocol: HTTP }]
---
apiVersion: v1
kind: Service
metadata: { name: cart, namespace: shop, labels: { istio.io/use-waypoint: edge } }
spec: { ports: [{ port: 8080 }] }`,
    message:
      'Service shop/cart uses Gateway shop/edge as its waypoint: it is an Istio gateway, not a waypoint proxy (class istio, builtin with controller istio.io/gateway-controller), and its pods are not enrolled in ambient. ztunnel sends this traffic over HBONE to its port 15008, and istiod labels such a gateway\'s pods istio.io/dataplane-mode: none, so nothing takes the tunnel and the requests fail',
    fix: 'Enroll the gateway: label the Gateway istio.io/dataplane-mode: ambient (or set it in spec.infrastructure.labels), with the sandwich\'s inbound binding (annotation ambient.istio.io/waypoint-inbound-binding and its PROXY listener); or bind to a waypoint (class istio-waypoint).',
  },
  check(ctx) {
    for (const s of bindingSubjects(ctx)) {
      const use = useWaypointOf(s.labels, s.namespace);
      if (use.kind !== 'waypoint' || use.name === '' || use.namespace === '') continue;
      const found = lookupWaypoint(ctx, use.namespace, use.name);
      if (found.found !== 'waypoint' || found.waypoint.proxy.kind !== 'istio-gateway') continue;
      const about = found.waypoint.about;
      // A reference says nothing of its labels: only a Gateway manifest can tell.
      if (!('manifest' in about) || enrolled(about.manifest)) continue;
      ctx.report(s.about, {
        message: `${s.label} uses Gateway ${use.namespace}/${use.name} as its waypoint: it is ${found.waypoint.proxy.description}, and its pods are not enrolled in ambient. ztunnel sends this traffic over HBONE to its port 15008, and istiod labels such a gateway's pods ${DATAPLANE_MODE}: none, so nothing takes the tunnel and the requests fail`,
      });
    }
  },
};
