import type { Rule } from '../rule';
import { gatewayProxyOf } from './waypoints';

export const waypointReservedName: Rule = {
  id: 'waypoint/reserved-name',
  severity: 'error',
  docs: {
    summary: 'A waypoint may not be named `none`: `istio.io/use-waypoint: none` means "no waypoint", so nothing can ever bind to it (istioctl refuses the name too).',
    bad: `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: none, namespace: shop }
spec:
  gatewayClassName: istio-waypoint
  listeners: [{ name: mesh, port: 15008, protocol: HBONE }]`,
    message: `waypoint name 'none' is reserved: istio.io/use-waypoint=none opts out of waypoints, so no Service or Namespace can ever use this one`,
    fix: 'Choose another name; \'none\' means "no waypoint" in istio.io/use-waypoint.',
  },
  check(ctx) {
    for (const o of ctx.ofKind('Gateway')) {
      if (o.manifest.metadata.name === 'none' && gatewayProxyOf(ctx, o.manifest).kind === 'waypoint') {
        ctx.report(o, { message: `waypoint name 'none' is reserved: istio.io/use-waypoint=none opts out of waypoints, so no Service or Namespace can ever use this one` });
      }
    }
  },
};
