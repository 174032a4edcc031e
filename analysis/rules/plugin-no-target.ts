import type { Rule } from '../rule';
import { pluginSubject, pluginView } from './plugin-spec';
import { waypointsAround } from './waypoints';

export const pluginNoTarget: Rule = {
  id: 'plugin/no-target',
  severity: 'error',
  docs: {
    summary: 'A WasmPlugin with neither targetRefs nor a selector applies to every sidecar in its namespace (the whole mesh from the root namespace) and to no waypoint; in a namespace with a waypoint it was meant for the waypoint.',
    bad: `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: auth, namespace: shop }
spec:
  url: oci://ghcr.io/acme/auth:1.0.0
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: waypoint, namespace: shop }
spec:
  gatewayClassName: istio-waypoint
  listeners: [{ name: mesh, port: 15008, protocol: HBONE }]`,
    message: 'WasmPlugin shop/auth has no targetRefs and no selector labels: it applies to every sidecar in namespace shop and to no waypoint, so waypoint shop/waypoint never runs it',
    fix: 'Pass targets: [a Waypoint, a MeshService or a GatewayReference].',
  },
  check(ctx) {
    for (const o of ctx.ofKind('WasmPlugin')) {
      const p = pluginView(o);
      if (p.targetRefs.length > 0 || (p.hasSelector && Object.keys(p.matchLabels).length > 0)) continue;
      const around = waypointsAround(ctx, p.namespace);
      if (around.length === 0) continue;
      ctx.report(o, {
        message: `${pluginSubject(p)} has no targetRefs and no selector labels: it applies to every sidecar in namespace ${p.namespace} and to no waypoint, so waypoint ${around.map((w) => `${w.namespace}/${w.name}`).join(', ')} never runs it`,
      });
    }
  },
};
