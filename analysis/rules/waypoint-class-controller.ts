import type { Rule } from '../rule';
import { isPlainObject } from '../schema/issue';
import { DECLARED_CONTROLLER, MESH_CONTROLLER } from '../gateway-classes';
import { controllerOf, gatewayProxyOf } from './waypoints';

/**
 * A Waypoint construct with its own `gatewayClassName` declares that class a
 * waypoint class; the GatewayClass in the cluster decides. When the target
 * holds that GatewayClass and it names another controller, every plugin and
 * binding written for a waypoint there meets another proxy.
 */
export const waypointClassController: Rule = {
  id: 'waypoint/class-controller',
  severity: 'error',
  docs: {
    summary: "A Waypoint's `gatewayClassName` must name a class whose controller is `istio.io/mesh-controller`: when that GatewayClass is in the target with another controller, istiod runs that controller's proxy instead of a waypoint, and the waypoint's Service-targeted plugins never attach.",
    bad: `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: team-waypoint }
spec: { controllerName: istio.io/gateway-controller }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: waypoint
  namespace: shop
  annotations: { waypoint-policy.io/gateway-class-controller: istio.io/mesh-controller }
spec:
  gatewayClassName: team-waypoint
  listeners: [{ name: mesh, port: 15008, protocol: HBONE }]`,
    message: 'waypoint shop/waypoint is written as a waypoint of class team-waypoint, but GatewayClass team-waypoint has controller "istio.io/gateway-controller", not istio.io/mesh-controller: an Istio gateway (a router), not a waypoint proxy runs for it, so Service-targeted plugins never attach there',
    fix: "Set the GatewayClass's controllerName to istio.io/mesh-controller, or give the Waypoint a class that has it (leave gatewayClassName out for istio-waypoint).",
  },
  check(ctx) {
    for (const o of ctx.ofKind('Gateway')) {
      const m = o.manifest;
      if (m.metadata.annotations?.[DECLARED_CONTROLLER] !== MESH_CONTROLLER || !isPlainObject(m.spec)) continue;
      const className = m.spec.gatewayClassName;
      if (typeof className !== 'string') continue;
      // A builtin class is refused at construction; what decides here is a GatewayClass in the target.
      const gatewayClass = ctx.find('GatewayClass', undefined, className)?.manifest;
      const controller = controllerOf(gatewayClass);
      if (controller === undefined) continue;
      const proxy = gatewayProxyOf(ctx, m, gatewayClass);
      if (proxy.kind === 'waypoint') continue;
      const runs = proxy.kind === 'istio-gateway' ? 'an Istio gateway (a router), not a waypoint proxy' : "that controller's proxy, not an Istio waypoint proxy";
      ctx.report(o, {
        message: `waypoint ${m.metadata.namespace ?? 'default'}/${m.metadata.name} is written as a waypoint of class ${className}, but GatewayClass ${className} has controller ${JSON.stringify(controller)}, not ${MESH_CONTROLLER}: ${runs} runs for it, so Service-targeted plugins never attach there`,
      });
    }
  },
};
