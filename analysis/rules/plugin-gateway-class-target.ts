import type { Rule } from '../rule';
import { WAYPOINT_CLASS } from '../gateway-classes';
import { GATEWAY_GROUP } from '../../constructs/target-ref';
import { pluginView } from './plugin-spec';

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
    for (const o of ctx.ofKind('WasmPlugin')) {
      const p = pluginView(o);
      for (const ref of p.targetRefs) {
        if (ref.kind !== 'GatewayClass' || ref.group !== GATEWAY_GROUP) continue;
        if (ref.name !== WAYPOINT_CLASS) {
          ctx.report(o, { message: `${ref.path} targets GatewayClass ${ref.name}; istiod only attaches through the ${WAYPOINT_CLASS} class, so this ref never matches any proxy` });
        } else if (p.namespace !== root) {
          ctx.report(o, { message: `${ref.path} targets GatewayClass ${WAYPOINT_CLASS} from namespace ${p.namespace}; that only works from the mesh root namespace ${root}, so this ref never matches` });
        }
      }
    }
  },
};
