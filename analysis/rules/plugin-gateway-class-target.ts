import type { Rule } from '../rule';
import type { RuleContext } from '../rule';
import { WAYPOINT_CLASS } from '../gateway-classes';
import { GATEWAY_GROUP } from '../../constructs/target-ref';
import { isPlainObject } from '../schema/issue';
import { pluginView } from './plugin-spec';
import { allWaypoints } from './waypoints';

/** The classes of this target's waypoint proxies other than istio-waypoint (a platform's own mesh-controller class). */
function customWaypointClasses(ctx: RuleContext): Set<string> {
  const out = new Set<string>();
  for (const wp of allWaypoints(ctx)) {
    const cls = 'manifest' in wp.about ? (isPlainObject(wp.about.manifest.spec) ? wp.about.manifest.spec.gatewayClassName : undefined) : wp.about.gatewayClassName;
    if (typeof cls === 'string' && cls !== WAYPOINT_CLASS) out.add(cls);
  }
  return out;
}

export const pluginGatewayClassTarget: Rule = {
  id: 'plugin/gateway-class-target',
  severity: 'error',
  docs: {
    summary: 'A GatewayClass target only matches as `istio-waypoint` (every waypoint) from the mesh root namespace; any other class, or any other namespace, never matches.',
    bad: `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: audit, namespace: shop }
spec:
  url: oci://ghcr.io/acme/audit:1.0.0
  targetRefs: [{ group: gateway.networking.k8s.io, kind: GatewayClass, name: istio-waypoint }]`,
    message: 'spec.targetRefs[0] targets GatewayClass istio-waypoint from namespace shop; that only works from the mesh root namespace istio-system, so this ref never matches',
    fix: 'For every waypoint, put the plugin in the root namespace (ALL_WAYPOINTS); otherwise target the waypoint Gateway itself.',
  },
  check(ctx) {
    const root = ctx.model.rootNamespace;
    let custom: Set<string> | undefined;
    for (const o of ctx.ofKind('WasmPlugin')) {
      const p = pluginView(o);
      for (const ref of p.targetRefs) {
        if (ref.kind !== 'GatewayClass' || ref.group !== GATEWAY_GROUP) continue;
        if (ref.name !== WAYPOINT_CLASS) {
          custom ??= customWaypointClasses(ctx);
          // Meant for the waypoints of a platform's own class: istiod matches the ref by name, not by controller.
          const ofWaypoints = custom.has(ref.name);
          ctx.report(o, {
            message: `${ref.path} targets GatewayClass ${ref.name}; istiod only attaches through the ${WAYPOINT_CLASS} class, so this ref never matches any proxy${ofWaypoints ? ` (${ref.name} is the class of waypoints here, but istiod matches a GatewayClass ref by the name ${WAYPOINT_CLASS}, not by controller)` : ''}`,
            ...(ofWaypoints
              ? { fix: `Target GatewayClass ${WAYPOINT_CLASS} (ALL_WAYPOINTS) from the root namespace ${root}: it reaches every waypoint proxy, those of class ${ref.name} included (and those of every other class); or target each waypoint Gateway of class ${ref.name}.` }
              : {}),
          });
        } else if (p.namespace !== root) {
          ctx.report(o, { message: `${ref.path} targets GatewayClass ${WAYPOINT_CLASS} from namespace ${p.namespace}; that only works from the mesh root namespace ${root}, so this ref never matches` });
        }
      }
    }
  },
};
