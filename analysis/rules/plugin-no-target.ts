import type { Rule } from '../rule';
import { pluginSubject, pluginView } from './plugin-spec';
import { gatewayProxyOf, waypointsAround } from './waypoints';

export const pluginNoTarget: Rule = {
  id: 'plugin/no-target',
  severity: 'error',
  docs: {
    summary: 'A WasmPlugin with neither targetRefs nor a selector applies to every sidecar in its namespace (the whole mesh from the root namespace) and to no waypoint; in a namespace with a waypoint it was meant for the waypoint. A warning instead when the namespace also has an ingress gateway, which does run it, and for an empty selector where no waypoint is near (istioctl analyze: IST0133).',
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
      if (around.length === 0) {
        // Written out, an empty selector is as wide as none; istiod warns about it (IST0133).
        if (p.hasSelector) ctx.report(o, { severity: 'warning', message: `${pluginSubject(p)} has a selector without labels: it selects every workload in namespace ${p.namespace} (istioctl analyze: IST0133 SchemaWarning)`, fix: 'Give the selector the labels of the workloads to select, or target them with targetRefs.' });
        continue;
      }
      const waypoints = around.map((w) => `${w.namespace}/${w.name}`).join(', ');
      // Gateways of the namespace run such a plugin too: meant for an ingress gateway, it works, if too widely.
      const gateways = ctx.ofKind('Gateway').filter((g) => g.manifest.metadata.namespace === p.namespace && gatewayProxyOf(ctx, g.manifest).kind !== 'waypoint').map((g) => g.manifest.metadata.name);
      if (gateways.length > 0) {
        ctx.report(o, {
          severity: 'warning',
          message: `${pluginSubject(p)} has no targetRefs and no selector labels: it applies to every sidecar and gateway in namespace ${p.namespace} (ingress gateway ${gateways.join(', ')}) but to no waypoint, so waypoint ${waypoints} never runs it`,
          fix: `Target what it is meant for: targets: [GatewayReference.fromGatewayName(...)] for the ingress gateway, or the waypoint.`,
        });
        continue;
      }
      ctx.report(o, {
        message: `${pluginSubject(p)} has no targetRefs and no selector labels: it applies to every sidecar in namespace ${p.namespace} and to no waypoint, so waypoint ${waypoints} never runs it`,
      });
    }
  },
};
